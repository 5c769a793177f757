import type { Denial } from '../../decision/types.ts';

/** A credential as the request presented it, before anything is checked. */
export interface Presented {
  kind: 'apiKey' | 'bearer' | 'basic' | 'cookie';
  value: string;
  /** Where it was read: "header:X-API-Key", "header:Authorization", "query:api_key". */
  where: string;
}

/** Who the caller is once a credential checked out. */
export interface Identity {
  /** Consumer name: declared in the config, or `<via>:<subject>` for a token's undeclared subject. */
  consumer: string;
  tenant?: string;
  /** How the credential is shown in logs and traces: a key's prefix, a token's sub/jti. Never the secret. */
  credential: string;
  /** Which verifier accepted it: "apiKey", "jwt:main", "introspection:corp", ... */
  via: string;
  scopes: readonly string[];
  roles: readonly string[];
  /** Epoch seconds, when the credential has an end. */
  expiresAt?: number;
}

export type VerifyResult = Identity | Denial;

/** One way to authenticate (an entry of a route's `authn:` list). */
export interface Verifier {
  /** The route's authn entry this verifier serves: "apiKey", "jwt", "jwt:main", ... */
  name: string;
  /** Whether this presented credential looks like one this verifier checks (by form, no lookup). */
  accepts(p: Presented): boolean;
  /** `dryRun` (explain, replay): check only, record nothing (no last-used time). */
  verify(p: Presented, dryRun?: boolean): VerifyResult | Promise<VerifyResult>;
  /** Part of a WWW-Authenticate challenge, e.g. `Bearer realm="pinpoint"`. */
  challenge: string;
}

/**
 * A refusal that names the credential tried (its label, never the secret) and, when the
 * credential resolved to one (a revoked key of a known consumer), that consumer. The layer
 * puts both in the decision so `pinpoint why` and the call log say what was tried; the
 * consumer is not authenticated by this: no identity is set and the audience stays anyone.
 */
export interface Refusal extends Denial {
  tried?: { credential: string; consumer?: string };
}

export function withTried(d: Denial, credential: string, consumer?: string): Refusal {
  (d as Refusal).tried = consumer === undefined ? { credential } : { credential, consumer };
  return d;
}

export function isDenial(r: VerifyResult): r is Denial {
  return (r as Denial).code !== undefined;
}

/** A stored API key, as the authn layer reads it. The secret itself is never stored. */
export interface ApiKeyRecord {
  /** Public id: the part of the key after "pk_" and before the secret. */
  id: string;
  consumer: string;
  /** SHA-256 of the whole key. */
  hash: Buffer;
  scopes: readonly string[];
  status: 'active' | 'revoked';
  revokedAt?: number;
  revokedReason?: string;
  /** Epoch ms. */
  expiresAt?: number;
  createdAt: number;
  name?: string;
}

/** O(1) lookup of keys by public id; implemented by the credential store. */
export interface KeyIndex {
  get(id: string): ApiKeyRecord | undefined;
  /** Notes a use (written in batches, off the request path). */
  touch(id: string, at: number): void;
}

/** A consumer's stored password: its scrypt hash (see basic/password.ts), never the password. */
export interface PasswordRecord {
  consumer: string;
  hash: string;
  /** Epoch ms of the last change. */
  updatedAt: number;
}

/** O(1) lookup of passwords by consumer; implemented by the credential store. */
export interface PasswordIndex {
  password(consumer: string): PasswordRecord | undefined;
}
