// The answer of the login route the gateway serves itself (serve: login, at
// authn.sessions.loginPath). The pipeline decided the request like any other: its authn layer
// checked the body's user name and password. Here the allowed login gets its session cookie.
import type { ServerResponse } from 'node:http';
import type { Decision } from '../decision/types.ts';
import type { LoginService } from '../layers/authn/session/login.ts';

/** Writes the login's answer; false when no cookie could be issued (the password went away meanwhile). */
export function answerLogin(res: ServerResponse, login: LoginService, decision: Decision): boolean {
  const issued = decision.consumer === undefined ? undefined : login.issue(decision.consumer);
  if (!issued) return false;
  const json = JSON.stringify({ consumer: decision.consumer, expiresAt: new Date(issued.expiresAt * 1000).toISOString() });
  res.writeHead(200, { ...issued.headers, 'content-type': 'application/json', 'cache-control': 'no-store', 'set-cookie': issued.setCookie, 'content-length': Buffer.byteLength(json) });
  res.end(json);
  return true;
}
