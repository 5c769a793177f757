import type { Config } from '../../../config/schema.ts';
import { looksLikeKey } from '../api-key/format.ts';
import { withTried, type Identity, type Presented, type Verifier, type VerifyResult } from '../types.ts';
import { credentialLabel, type IsDeclared } from './claims.ts';
import { decodeToken, looksLikeJwt, shown } from './decode.ts';
import { bearerChallenge, tokenDenial, type TokenRefusal } from './denial.ts';
import { compileIssuer, type CompiledIssuer } from './issuer.ts';
import { algorithmRefusal, issuerRefusal, malformedRefusal } from './refusals.ts';
import { TokenCache } from './token-cache.ts';

/** Verified tokens kept, and for how long at most (a token is never kept beyond its exp). */
const CACHE_ENTRIES = 10_000;
const CACHE_MAX_MS = 60_000;

interface Verified {
  issuer: string;
  identity: Readonly<Identity>;
}

/**
 * The bearer-JWT verifiers of a config: one per configured issuer (`jwt:<name>`) and `jwt`,
 * which accepts any configured issuer, chosen by the token's `iss`. They share one cache of
 * verified tokens, so a repeated token costs a hash and a lookup, not a signature check.
 */
export class JwtVerifiers {
  private readonly issuers = new Map<string, CompiledIssuer>();
  private readonly byIss = new Map<string, CompiledIssuer>();
  private readonly cache = new TokenCache<Verified>(CACHE_ENTRIES);
  private readonly made = new Map<string, Verifier>();
  private readonly realm: string;
  private readonly challenge: string;

  constructor(config: Config, subjectsOf: (source: string) => IsDeclared) {
    this.realm = config.authn.realm;
    this.challenge = bearerChallenge(this.realm);
    for (const [name, issuer] of Object.entries(config.authn.jwt)) {
      const compiled = compileIssuer(name, issuer, subjectsOf(name));
      this.issuers.set(name, compiled);
      // Two entries with the same iss: `jwt` uses the first; `jwt:<name>` picks either explicitly.
      if (!this.byIss.has(issuer.issuer)) this.byIss.set(issuer.issuer, compiled);
    }
  }

  /** The verifier of a route's `jwt` or `jwt:<name>` entry; undefined when it names no issuer. */
  verifier(entry: string): Verifier | undefined {
    const made = this.made.get(entry);
    if (made) return made;
    const name = entry === 'jwt' ? undefined : entry.slice('jwt:'.length);
    const only = name === undefined ? undefined : this.issuers.get(name);
    if ((name !== undefined && !only) || this.issuers.size === 0) return undefined;
    const v: Verifier = {
      name: entry,
      challenge: this.challenge,
      accepts: (p: Presented) => p.kind === 'bearer' && looksLikeJwt(p.value) && !looksLikeKey(p.value),
      verify: (p: Presented) => this.verify(p, only),
    };
    this.made.set(entry, v);
    return v;
  }

  private verify(p: Presented, only: CompiledIssuer | undefined): VerifyResult | Promise<VerifyResult> {
    const now = Date.now();
    const key = TokenCache.key(p.value);
    const hit = this.cache.get(key, now);
    if (hit && (!only || hit.issuer === only.name)) return { ...hit.identity };

    const decoded = decodeToken(p.value);
    if (!decoded.ok) return withTried(this.deny(malformedRefusal('authn.jwt', `bearer token in ${p.where}`, decoded.expected, decoded.observed)), `sha256:${key.slice(0, 12)}`);
    const token = decoded.token;
    const credential = credentialLabel(token.claims, `sha256:${key.slice(0, 12)}`);
    const label = `token ${credential}`;
    const alg = token.header.alg;
    if (typeof alg !== 'string' || alg.toLowerCase() === 'none' || /^HS/i.test(alg)) {
      return withTried(this.deny(algorithmRefusal({ issuer: only?.name, config: only?.config, label, token })), credential);
    }
    const iss = token.claims.iss;
    const issuer = only ?? (typeof iss === 'string' ? this.byIss.get(iss) : undefined);
    if (!issuer || iss !== issuer.config.issuer) {
      const expected = only ? only.config.issuer : [...this.byIss.keys()].join(' or ');
      return withTried(this.deny(issuerRefusal(only ? `authn.jwt.${only.name}.issuer` : 'authn.jwt', label, expected, shown(iss))), credential);
    }
    if (!(issuer.config.algorithms as readonly string[]).includes(alg)) {
      return withTried(this.deny(algorithmRefusal({ issuer: issuer.name, config: issuer.config, label, token })), credential);
    }
    return issuer.verify(p.value, token, credential).then((r) => {
      if (isRefusal(r)) return withTried(this.deny(r), credential, r.consumer);
      const until = Math.min((r.expiresAt ?? 0) * 1000, Date.now() + CACHE_MAX_MS);
      this.cache.set(key, { issuer: issuer.name, identity: Object.freeze({ ...r }) }, until, Date.now());
      return r;
    });
  }

  private deny(r: TokenRefusal) {
    return tokenDenial(this.realm, r);
  }
}

function isRefusal(r: Identity | TokenRefusal): r is TokenRefusal {
  return (r as TokenRefusal).code !== undefined;
}
