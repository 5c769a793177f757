// Key management over the admin API: list, show, create, revoke, rotate, and the audit log.
// The plain key is in the answer to POST /keys and POST /keys/:id/rotate, and nowhere else.
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { checkConsumer, checkScopes, checkText, expiryFromDays, keyRef, MAX_NAME, MAX_REASON, overlapFromHours } from '../store/key-input.ts';
import { auditView, keyView, SHOWN_ONCE } from '../store/key-view.ts';
import { StoreError, type CredentialStore } from '../store/types.ts';
import { parseSince } from './logs-query.ts';
import { passwordEndpoint, PASSWORD_PATH } from './passwords.ts';
import { sendJson, sendProblem } from './reply.ts';
import type { AdminRequest, Endpoint } from './types.ts';

/** Who the audit log names for changes made through the admin API. */
export const ADMIN_ACTOR = 'admin-api';
export const KEY_PATHS = ['/keys', '/keys/:id', '/keys/:id/revoke', '/keys/:id/rotate', '/audit', PASSWORD_PATH];
const BODY_LIMIT = 16 * 1024;

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

export type Handler = (r: AdminRequest) => Promise<void>;

export function methods(table: Partial<Record<'GET' | 'POST', Handler>>): Endpoint {
  const allow = Object.keys(table).flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])).join(', ');
  return async (r) => {
    const method = r.req.method === 'HEAD' ? 'GET' : (r.req.method as 'GET' | 'POST');
    const handler = table[method];
    if (handler) return handler(r);
    sendProblem(r.res, 'admin.method_not_allowed', r.requestId, r.typeBase, { detail: `Use ${allow}.`, headers: { allow }, close: hasBody(r.req) });
  };
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

export function badRequest(r: AdminRequest, errors: Array<string | undefined>): boolean {
  const found = errors.filter((e): e is string => e !== undefined);
  if (found.length === 0) return false;
  sendProblem(r.res, 'admin.bad_request', r.requestId, r.typeBase, { detail: found.map(capitalised).join('. ') + '.', extensions: { errors: found } });
  return true;
}

/** Reads and checks a JSON body; answers the problem itself and returns undefined when it is not right. */
export async function readBody<T>(r: AdminRequest, schema: z.ZodType<T>): Promise<T | undefined> {
  const type = r.req.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    sendProblem(r.res, 'admin.bad_request', r.requestId, r.typeBase, { detail: 'Send a JSON body with Content-Type: application/json.', close: hasBody(r.req) });
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of r.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) {
      sendProblem(r.res, 'admin.bad_request', r.requestId, r.typeBase, { detail: `The body is larger than ${BODY_LIMIT} bytes.`, close: true });
      return undefined;
    }
    chunks.push(chunk);
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    sendProblem(r.res, 'admin.bad_request', r.requestId, r.typeBase, { detail: 'The body is not valid JSON.' });
    return undefined;
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const errors = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`);
  badRequest(r, errors);
  return undefined;
}

function hasBody(req: IncomingMessage): boolean {
  const cl = req.headers['content-length'];
  return (cl !== undefined && cl !== '0') || req.headers['transfer-encoding'] !== undefined;
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
