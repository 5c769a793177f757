// What the admin endpoints that change things share: method tables, JSON bodies, 400 answers.
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { sendProblem } from './reply.ts';
import type { AdminRequest, Endpoint } from './types.ts';

const BODY_LIMIT = 16 * 1024;

/** Who the audit log names for changes made through the admin API. */
export const ADMIN_ACTOR = 'admin-api';

export type Handler = (r: AdminRequest) => Promise<void>;

export function methods(table: Partial<Record<'GET' | 'POST' | 'PUT' | 'DELETE', Handler>>): Endpoint {
  const allow = Object.keys(table).flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])).join(', ');
  return async (r) => {
    const method = r.req.method === 'HEAD' ? 'GET' : (r.req.method as 'GET' | 'POST' | 'PUT' | 'DELETE');
    const handler = table[method];
    if (handler) return handler(r);
    sendProblem(r.res, 'admin.method_not_allowed', r.requestId, r.typeBase, { detail: `Use ${allow}.`, headers: { allow }, close: hasBody(r.req) });
  };
}

export function badRequest(r: AdminRequest, errors: Array<string | undefined>): boolean {
  const found = errors.filter((e): e is string => e !== undefined);
  if (found.length === 0) return false;
  sendProblem(r.res, 'admin.bad_request', r.requestId, r.typeBase, { detail: found.map(capitalised).join('. ') + '.', extensions: { errors: found } });
  return true;
}

/** Reads and checks a JSON body; answers the problem itself and returns undefined when it is not right. */
export async function readBody<T>(r: AdminRequest, schema: z.ZodType<T>, limit = BODY_LIMIT): Promise<T | undefined> {
  const type = r.req.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    sendProblem(r.res, 'admin.bad_request', r.requestId, r.typeBase, { detail: 'Send a JSON body with Content-Type: application/json.', close: hasBody(r.req) });
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of r.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      sendProblem(r.res, 'admin.bad_request', r.requestId, r.typeBase, { detail: `The body is larger than ${limit} bytes.`, close: true });
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

export function hasBody(req: IncomingMessage): boolean {
  const cl = req.headers['content-length'];
  return (cl !== undefined && cl !== '0') || req.headers['transfer-encoding'] !== undefined;
}

export const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
