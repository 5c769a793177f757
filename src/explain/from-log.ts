import type { StoredCall } from '../calllog/types.ts';
import type { KeyIndex } from '../layers/authn/types.ts';
import type { Assumed } from '../pipeline/types.ts';
import type { ParsedRequest } from './types.ts';

/** What a logged request can still tell: its (redacted) description, and who sent it. */
export interface LoggedRequest {
  request: ParsedRequest;
  /** The caller as the log recorded it: its credential is redacted, so it is assumed, not checked. */
  assume?: Assumed;
  /** What a re-decision cannot know (bodies are not logged; secrets are redacted). */
  caveats: string[];
}

/** Looks up a stored key's scopes by the label the log recorded (pk_<id>…), when the store knows it. */
export type ScopesOfCredential = (credential: string) => readonly string[] | undefined;

/**
 * Rebuilds a request from its call log entry. Credentials were redacted before they were
 * written, so a request whose caller was identified is re-decided as that consumer (with the
 * recorded key's scopes when the store still has the key), not by its credential.
 */
export function loggedRequest(call: StoredCall, scopesOf: ScopesOfCredential = () => undefined): LoggedRequest {
  const headers: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(call.requestHeaders ?? {})) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.push([name, v]);
  }
  const caveats = ['the body was not logged: layers that read it decide on an empty body'];
  const consumer = call.decision.consumer ?? call.consumer;
  let assume: Assumed | undefined;
  if (consumer && !credentialRefused(call)) {
    const credential = call.decision.credential ?? `logged:${consumer}`;
    const scopes = scopesOf(credential);
    assume = { consumer, credential, scopes: scopes ?? ['*'] };
    caveats.push(`the credential was redacted: re-decided as consumer ${consumer}${scopes ? ` with the scopes its key has now` : ' with every scope (its key is not in the store)'}`);
  }
  const request: ParsedRequest = { method: call.method, url: call.path + (call.query ? `?${call.query}` : ''), headers, source: 'log' };
  return { request, assume, caveats };
}

/** The scopes a key has now, by the label the log recorded for it (`pk_<id>…`). */
export function scopesFromStore(keys: KeyIndex): ScopesOfCredential {
  return (credential) => {
    const m = /^pk_([A-Za-z0-9]+)…$/.exec(credential);
    return m ? keys.get(m[1])?.scopes : undefined;
  };
}

/** A logged refusal of the credential itself: redacted in the log, it cannot be checked again. */
export function credentialRefused(call: StoredCall): boolean {
  const code = call.decision.code;
  return code !== undefined && code.startsWith('authn.') && code !== 'authn.consumer_suspended' && code !== 'authn.tenant_suspended';
}
