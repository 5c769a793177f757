// POST /consumers/:name/password {"password": "..."}: sets a consumer's password for HTTP
// Basic and the login route; DELETE removes it (its sessions end). Only its scrypt hash is stored; the answer never carries the password or the hash.
import { z } from 'zod';
import { passwordProblem } from '../layers/authn/basic/password.ts';
import { checkConsumer } from '../store/key-input.ts';
import { StoreError } from '../store/types.ts';
import { ADMIN_ACTOR, badRequest, hasBody, methods, readBody } from './body.ts';
import { sendJson, sendProblem } from './reply.ts';
import type { AdminRequest, Endpoint } from './types.ts';

export const PASSWORD_PATH = '/consumers/:name/password';

const Body = z.strictObject({ password: z.string() });

export function passwordEndpoint(path: string): Endpoint | undefined {
  const m = /^\/consumers\/([^/]+)\/password$/.exec(path);
  if (!m) return undefined;
  let name: string;
  try {
    name = decodeURIComponent(m[1]);
  } catch {
    name = m[1];
  }
  return methods({ POST: (r) => setPassword(r, name), DELETE: (r) => removePassword(r, name) });
}

async function setPassword(r: AdminRequest, consumer: string): Promise<void> {
  const body = await readBody(r, Body);
  if (!body) return;
  if (badRequest(r, [checkConsumer(r.deps.loaded().config, consumer), passwordProblem(body.password)])) return;
  const record = await r.deps.keys!.setPassword(consumer, body.password, ADMIN_ACTOR);
  sendJson(r.res, 200, { consumer, updatedAt: new Date(record.updatedAt).toISOString(), stored: 'scrypt hash only' });
}

async function removePassword(r: AdminRequest, consumer: string): Promise<void> {
  if (badRequest(r, [checkConsumer(r.deps.loaded().config, consumer)])) return;
  try {
    await r.deps.keys!.removePassword(consumer, ADMIN_ACTOR);
  } catch (err) {
    if (!(err instanceof StoreError) || err.kind !== 'not_found') throw err;
    sendProblem(r.res, 'admin.password_not_found', r.requestId, r.typeBase, { detail: `Consumer ${consumer} has no password.`, close: hasBody(r.req) });
    return;
  }
  sendJson(r.res, 200, { consumer, removed: true });
}
