// Ownership records over the admin API: list, show, set, delete, and their audit log. Operators
// seed and migrate records here (the gateway records new resources itself: owner.record).
// Changes go through the gateway's cached records, so they apply to its next request at once.
import { z } from 'zod';
import type { OwnerRecords } from '../layers/authz/owner-records.ts';
import { checkOwnerInput } from '../store/owner-input.ts';
import { RESOURCE_NAME } from '../store/owners.ts';
import { StoreError } from '../store/types.ts';
import { ADMIN_ACTOR, badRequest, hasBody, methods, readBody } from './body.ts';
import { parseSince } from './logs-query.ts';
import { sendJson, sendProblem } from './reply.ts';
import type { AdminRequest, Endpoint } from './types.ts';

export const OWNER_PATHS = ['/owners', '/owners/:resource/:id', '/owners/audit'];

/** The endpoint of an ownership path (it checks the method itself), or undefined. */
export function ownersEndpoint(path: string): Endpoint | undefined {
  if (path === '/owners') return methods({ GET: list });
  if (path === '/owners/audit') return methods({ GET: audit });
  if (!path.startsWith('/owners/')) return undefined;
  const parts = path.slice('/owners/'.length).split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  const [resource, rawId] = parts;
  return methods({
    GET: (r) => withKey(r, resource, rawId, show),
    PUT: (r) => withKey(r, resource, rawId, set),
    DELETE: (r) => withKey(r, resource, rawId, remove),
  });
}

function owners(r: AdminRequest): OwnerRecords {
  return r.deps.owners!;
}

const query = (r: AdminRequest, name: string) => r.query.get(name) ?? undefined;

async function list(r: AdminRequest): Promise<void> {
  const raw = r.query.get('limit');
  const limit = raw === null ? 100 : Number(raw);
  if (raw !== null && (!/^\d+$/.test(raw) || limit < 1 || limit > 10_000)) return sendProblem(r.res, 'admin.bad_query', r.requestId, r.typeBase, { detail: 'limit is 1 to 10000.' });
  const records = await owners(r).listOwners({ resource: query(r, 'resource'), consumer: query(r, 'consumer'), tenant: query(r, 'tenant'), limit });
  sendJson(r.res, 200, { count: records.length, owners: records });
}

async function audit(r: AdminRequest): Promise<void> {
  const rawSince = r.query.get('since');
  const since = rawSince === null ? undefined : parseSince(rawSince, Date.now());
  if (rawSince !== null && since === undefined) return sendProblem(r.res, 'admin.bad_query', r.requestId, r.typeBase, { detail: 'since is epoch ms, an ISO time, or a duration like 10m, 2h, 1d.' });
  const rawLimit = r.query.get('limit');
  const limit = rawLimit === null ? undefined : Number(rawLimit);
  if (rawLimit !== null && (!/^\d+$/.test(rawLimit) || limit! < 1 || limit! > 1000)) return sendProblem(r.res, 'admin.bad_query', r.requestId, r.typeBase, { detail: 'limit is 1 to 1000.' });
  const entries = await owners(r).listOwnerAudit({ since, limit, resource: query(r, 'resource') });
  sendJson(r.res, 200, { count: entries.length, entries });
}

type KeyHandler = (r: AdminRequest, resource: string, id: string) => Promise<void>;

/** The resource and its id from the path (the id percent-decoded once), or a 404 that says why not. */
async function withKey(r: AdminRequest, resource: string, rawId: string, handler: KeyHandler): Promise<void> {
  let id: string | undefined;
  try {
    id = decodeURIComponent(rawId);
  } catch {
    id = undefined;
  }
  if (!RESOURCE_NAME.test(resource) || id === undefined) {
    return sendProblem(r.res, 'admin.owner_not_found', r.requestId, r.typeBase, { detail: 'The path is /owners/<resource>/<id>, the id percent-encoded.', close: hasBody(r.req) });
  }
  return handler(r, resource, id);
}

async function show(r: AdminRequest, resource: string, id: string): Promise<void> {
  const record = await owners(r).getOwner(resource, id);
  if (!record) return notFound(r, resource, id);
  sendJson(r.res, 200, record);
}

const SetBody = z.strictObject({ consumer: z.string(), tenant: z.string().optional() });

async function set(r: AdminRequest, resource: string, id: string): Promise<void> {
  const body = await readBody(r, SetBody);
  if (!body) return;
  const input = checkOwnerInput(r.deps.loaded().config, resource, id, body.consumer, body.tenant);
  if (!input.ok) return void badRequest(r, input.errors);
  const { record, previous } = await owners(r).setOwner({ resource, id, consumer: input.consumer, tenant: input.tenant, actor: ADMIN_ACTOR });
  sendJson(r.res, previous ? 200 : 201, previous ? { ...record, previous } : record);
}

async function remove(r: AdminRequest, resource: string, id: string): Promise<void> {
  try {
    const gone = await owners(r).deleteOwner(resource, id, ADMIN_ACTOR);
    sendJson(r.res, 200, { deleted: gone });
  } catch (err) {
    if (err instanceof StoreError && err.kind === 'not_found') return notFound(r, resource, id);
    throw err;
  }
}

function notFound(r: AdminRequest, resource: string, id: string): void {
  sendProblem(r.res, 'admin.owner_not_found', r.requestId, r.typeBase, { detail: `No ownership record for ${resource} ${JSON.stringify(id)}. GET /owners?resource=${resource} lists them.` });
}
