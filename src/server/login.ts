// The login route the gateway serves itself (authn.sessions.loginPath): POST a JSON body
// {"username", "password"}, get the signed session cookie. Its outcome is a decision like any
// other, so the call log and `pinpoint why` show logins and refused logins.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { codeSpec } from '../decision/codes.ts';
import { decisionProblem } from '../decision/problem.ts';
import type { Decision, Denial } from '../decision/types.ts';
import type { Refusal } from '../layers/authn/types.ts';
import type { LoginService } from '../layers/authn/session/login.ts';
import type { RequestDescription } from '../pipeline/types.ts';
import { writeProblem } from './respond.ts';

const BODY_LIMIT = 4096;

interface Opts {
  requestId: string;
  correlationId?: string;
  configRevision: string;
}

export async function serveLogin(req: IncomingMessage, res: ServerResponse, login: LoginService, opts: Opts, desc: RequestDescription, typeBase: string): Promise<Decision> {
  const body = await readJson(req);
  const result = body === TOO_LARGE || body === INVALID ? await login.login(undefined) : await login.login(body);
  const base = { ...opts, at: new Date().toISOString(), disposition: 'enforce' as const, alsoWouldDeny: [], trace: [], method: desc.method, path: desc.path, route: 'login' };
  if ('setCookie' in result) {
    const decision: Decision = { ...base, outcome: 'allow', status: 200, evidence: [], fixes: [], consumer: result.consumer, credential: result.credential };
    const json = JSON.stringify({ consumer: result.consumer, expiresAt: new Date(result.expiresAt * 1000).toISOString() });
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'set-cookie': result.setCookie, 'content-length': Buffer.byteLength(json) });
    res.end(json);
    return decision;
  }
  const denial: Denial = result;
  const spec = codeSpec(denial.code);
  const decision: Decision = {
    ...base,
    outcome: 'deny',
    status: spec.status,
    code: denial.code,
    layer: spec.layer,
    rule: { id: denial.ruleId },
    denyKind: spec.denyKind,
    detail: denial.detail,
    hint: denial.hint,
    evidence: denial.evidence,
    fixes: denial.fixes,
    credential: (denial as Refusal).tried?.credential,
    headers: { 'www-authenticate': login.challenge },
  };
  writeProblem(res, decisionProblem(decision, 'anyone', typeBase), body === TOO_LARGE);
  return decision;
}

const TOO_LARGE = Symbol('too large');
const INVALID = Symbol('invalid');

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) return TOO_LARGE;
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return INVALID;
  }
}
