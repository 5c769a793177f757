// Key management over the admin API: list, show, create, revoke, rotate, the audit log, and
// (passwords.ts) consumers' passwords.
// The plain key is in the answer to POST /keys and POST /keys/:id/rotate, and nowhere else.
import { z } from 'zod';
import { checkConsumer, checkScopes, checkText, expiryFromDays, keyRef, MAX_NAME, MAX_REASON, overlapFromHours } from '../store/key-input.ts';
import { auditView, keyView, SHOWN_ONCE } from '../store/key-view.ts';
import { StoreError, type CredentialStore } from '../store/types.ts';
import { parseSince } from './logs-query.ts';
import { passwordEndpoint, PASSWORD_PATH } from './passwords.ts';
import { ADMIN_ACTOR, badRequest, capitalised, hasBody, methods, readBody } from './body.ts';
import { sendJson, sendProblem } from './reply.ts';
import type { AdminRequest, Endpoint } from './types.ts';

export { ADMIN_ACTOR };
export const KEY_PATHS = ['/keys', '/keys/:id', '/keys/:id/revoke', '/keys/:id/rotate', '/audit', PASSWORD_PATH];

/** The endpoint for a key management path (it checks the method itself), or undefined. */
export function keysEndpoint(path: string): Endpoint | undefined {
  if (path === '/keys') return methods({ GET: list, POST: create });
  if (path === '/audit') return methods({ GET: audit });
  if (path.startsWith('/consumers/')) return passwordEndpoint(path);
  if (!path.startsWith('/keys/')) return undefined;
  const [id, action, ...rest] = path.slice('/keys/'.length).split('/');
  if (rest.length > 0 || !id) return undefined;
  if (action === undefined) return methods({ GET: (r) => show(r, id) });
  if (action === 'revoke') return methods({ POST: (r) => revoke(r, id) });
  if (action === 'rotate') return methods({ POST: (r) => rotate(r, id) });
  return undefined;
}

function store(r: AdminRequest): CredentialStore {
  return r.deps.keys!;
}

async function list(r: AdminRequest): Promise<void> {
  const consumer = r.query.get('consumer') ?? undefined;
  const keys = await store(r).listKeys({ consumer });
  const now = Date.now();
  sendJson(r.res, 200, { count: keys.length, keys: keys.map((k) => keyView(k, now)) });
}

async function show(r: AdminRequest, rawId: string): Promise<void> {
  const id = idFrom(r, rawId);
  if (id === undefined) return;
  const key = await store(r).getKey(id);
  if (!key) return notFound(r, id);
  sendJson(r.res, 200, keyView(key));
}

const CreateBody = z.strictObject({
  consumer: z.string().min(1),
  scopes: z.array(z.string()),
  expiresInDays: z.number().optional(),
  name: z.string().optional(),
});

async function create(r: AdminRequest): Promise<void> {
  const body = await readBody(r, CreateBody);
  if (!body) return;
  const errors = [
    checkConsumer(r.deps.loaded().config, body.consumer),
    checkScopes(body.scopes),
    body.name !== undefined ? checkText('name', body.name, MAX_NAME) : undefined,
  ];
  const expiry = body.expiresInDays !== undefined ? expiryFromDays(body.expiresInDays) : undefined;
  if (expiry && !expiry.ok) errors.push(expiry.error);
  if (badRequest(r, errors)) return;
  const issued = await store(r).createKey({ consumer: body.consumer, scopes: body.scopes, name: body.name, expiresAt: expiry?.ok ? expiry.value : undefined, actor: ADMIN_ACTOR });
  r.res.setHeader('location', `/keys/${issued.record.id}`);
  sendJson(r.res, 201, { key: issued.key, warning: SHOWN_ONCE, ...keyView(issued.record) });
}

const RevokeBody = z.strictObject({ reason: z.string() });

async function revoke(r: AdminRequest, rawId: string): Promise<void> {
  const id = idFrom(r, rawId);
  if (id === undefined) return;
  const body = await readBody(r, RevokeBody);
  if (!body || badRequest(r, [checkText('reason', body.reason, MAX_REASON)])) return;
  await changing(r, id, async () => sendJson(r.res, 200, keyView(await store(r).revokeKey(id, body.reason, ADMIN_ACTOR))));
}

const RotateBody = z.strictObject({ overlapHours: z.number() });

async function rotate(r: AdminRequest, rawId: string): Promise<void> {
  const id = idFrom(r, rawId);
  if (id === undefined) return;
  const body = await readBody(r, RotateBody);
  if (!body) return;
  const overlap = overlapFromHours(body.overlapHours);
  if (!overlap.ok) return void badRequest(r, [overlap.error]);
  await changing(r, id, async () => {
    const rotated = await store(r).rotateKey(id, { overlapMs: overlap.value, actor: ADMIN_ACTOR });
    r.res.setHeader('location', `/keys/${rotated.record.id}`);
    sendJson(r.res, 201, { key: rotated.key, warning: SHOWN_ONCE, ...keyView(rotated.record), previous: keyView(rotated.previous) });
  });
}

async function audit(r: AdminRequest): Promise<void> {
  let since: number | undefined;
  let limit: number | undefined;
  const rawSince = r.query.get('since');
  const rawLimit = r.query.get('limit');
  const rawKey = r.query.get('key');
  if (rawSince !== null) {
    since = parseSince(rawSince, Date.now());
    if (since === undefined) return sendProblem(r.res, 'admin.bad_query', r.requestId, r.typeBase, { detail: 'since is epoch ms, an ISO time, or a duration like 10m, 2h, 1d.' });
  }
  if (rawLimit !== null) {
    limit = Number(rawLimit);
    if (!/^\d+$/.test(rawLimit) || limit < 1 || limit > 1000) return sendProblem(r.res, 'admin.bad_query', r.requestId, r.typeBase, { detail: 'limit is 1 to 1000.' });
  }
  let keyId: string | undefined;
  if (rawKey !== null) {
    const ref = keyRef(rawKey);
    if (!ref.ok) return sendProblem(r.res, 'admin.bad_query', r.requestId, r.typeBase, { detail: `key: ${ref.error}.` });
    keyId = ref.value;
  }
  const entries = await store(r).listAudit({ since, limit, keyId });
  sendJson(r.res, 200, { count: entries.length, entries: entries.map(auditView) });
}

/** Runs a change of an existing key, answering the store's refusals as problems. */
async function changing(r: AdminRequest, id: string, change: () => Promise<void>): Promise<void> {
  try {
    await change();
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    if (err.kind === 'not_found') return notFound(r, id);
    sendProblem(r.res, 'admin.key_conflict', r.requestId, r.typeBase, { detail: capitalised(err.message) + '.' });
  }
}

function idFrom(r: AdminRequest, raw: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    decoded = raw;
  }
  const ref = keyRef(decoded);
  if (ref.ok) return ref.value;
  sendProblem(r.res, 'admin.key_not_found', r.requestId, r.typeBase, { detail: capitalised(ref.error) + '.', close: hasBody(r.req) });
  return undefined;
}

function notFound(r: AdminRequest, id: string): void {
  sendProblem(r.res, 'admin.key_not_found', r.requestId, r.typeBase, { detail: `No API key has id ${id}. GET /keys lists them.` });
}

