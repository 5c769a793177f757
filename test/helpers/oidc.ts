import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import Provider from 'oidc-provider';

/** Requests an endpoint received, counted on the server side. */
export interface Counts {
  jwks: number;
  introspection: number;
  token: number;
}

export interface OidcServer {
  issuer: string;
  jwksUri: string;
  introspectionEndpoint: string;
  counts: Counts;
  /** A client_credentials access token for a resource: a JWT, or an opaque one (for introspection). */
  token(o: { client?: string; resource?: string; scope?: string; opaque?: boolean }): Promise<string>;
  /** Revokes a token at the server (RFC 7009): its introspection says active: false from then on. */
  revoke(token: string, client?: string): Promise<void>;
  /** Key rotation: a new signing key, published first in the JWKS, next to the old one. */
  rotateKey(): Promise<string>;
  close(): Promise<void>;
}

export const RESOURCE = 'https://api.example.test';
/** Tokens for this resource are opaque: only introspection can tell what they are. */
const OPAQUE_RESOURCE = 'https://opaque.example.test';
/** Introspection client of the gateway at the server. */
export const GATEWAY_CLIENT = { id: 'gateway', secret: 'gateway-secret-0123456789' };
/** Token clients; each one's tokens carry its tenant in the `tenant` claim and roles in `roles`. */
export const CLIENTS: Record<string, { secret: string; tenant: string; roles: string[] }> = {
  'orders-app': { secret: 'orders-app-secret-0123456789', tenant: 'acme', roles: ['buyer'] },
  'globex-app': { secret: 'globex-app-secret-0123456789', tenant: 'globex', roles: ['buyer'] },
};

async function signingKey(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, use: 'sig', alg: 'RS256' };
}

function providerFor(issuer: string, keys: JWK[]): Provider {
  return new Provider(issuer, {
    clients: [
      ...Object.entries(CLIENTS).map(([id, c]) => ({ client_id: id, client_secret: c.secret, grant_types: ['client_credentials'], redirect_uris: [], response_types: [], scope: 'orders:read orders:write' })),
      { client_id: GATEWAY_CLIENT.id, client_secret: GATEWAY_CLIENT.secret, grant_types: [], redirect_uris: [], response_types: [] },
    ],
    jwks: { keys: keys as never },
    scopes: ['orders:read', 'orders:write'],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: async () => true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        getResourceServerInfo: async (_ctx: unknown, resource: string) => ({
          scope: 'orders:read orders:write',
          audience: resource,
          accessTokenTTL: 300,
          accessTokenFormat: resource === OPAQUE_RESOURCE ? 'opaque' : 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    ttl: { ClientCredentials: () => 300 },
    extraTokenClaims: async (_ctx: unknown, token: { clientId?: string }) => {
      const c = CLIENTS[token.clientId ?? ''];
      return c ? { tenant: c.tenant, roles: c.roles } : undefined;
    },
  });
}

/** A real OAuth 2.0 / OIDC authorization server (oidc-provider) on a loopback ephemeral port. */
export async function startOidcProvider(): Promise<OidcServer> {
  const counts: Counts = { jwks: 0, introspection: 0, token: 0 };
  let provider: Provider | undefined;
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_q, res) => res.end();
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/jwks') counts.jwks++;
    else if (path === '/token/introspection') counts.introspection++;
    else if (path === '/token') counts.token++;
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let keys = [await signingKey('key-1')];
  const use = (p: Provider) => {
    provider = p;
    handler = p.callback();
  };
  use(providerFor(issuer, keys));

  const form = async (path: string, client: string, secret: string, params: Record<string, string>) => {
    const res = await fetch(issuer + path, {
      method: 'POST',
      headers: { authorization: 'Basic ' + Buffer.from(`${client}:${secret}`).toString('base64'), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params),
    });
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
    return res.headers.get('content-type')?.includes('json') ? ((await res.json()) as Record<string, unknown>) : {};
  };

  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    introspectionEndpoint: `${issuer}/token/introspection`,
    counts,
    async token({ client = 'orders-app', resource = RESOURCE, scope = 'orders:read', opaque = false }) {
      const params = { grant_type: 'client_credentials', scope, resource: opaque ? OPAQUE_RESOURCE : resource };
      const body = await form('/token', client, CLIENTS[client].secret, params);
      return String(body.access_token);
    },
    async revoke(token, client = 'orders-app') {
      await form('/token/revocation', client, CLIENTS[client].secret, { token });
    },
    async rotateKey() {
      const kid = `key-${keys.length + 1}`;
      keys = [await signingKey(kid), ...keys];
      use(providerFor(issuer, keys));
      return kid;
    },
    close: () =>
      new Promise<void>((r) => {
        void provider;
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/**
 * A small issuer of our own: a JWKS endpoint on loopback and a key to sign crafted tokens
 * with (expired, future nbf, other audiences, unknown kids). `status` makes the JWKS
 * endpoint fail; `close()` takes it down.
 */
export interface KeyServer {
  issuer: string;
  jwksUri: string;
  counts: { jwks: number };
  status: number;
  publicKeyPem: string;
  sign(claims: JWTPayload, o?: { kid?: string; alg?: string; key?: CryptoKey | Uint8Array; typ?: string }): Promise<string>;
  /** A second RSA key, not in the JWKS (for "kid not in the set" and forged signatures). */
  strangerKey: CryptoKey;
  close(): Promise<void>;
}

export async function startKeyServer(): Promise<KeyServer> {
  const main = await generateKeyPair('RS256', { extractable: true });
  const stranger = await generateKeyPair('RS256', { extractable: true });
  const jwks = { keys: [{ ...(await exportJWK(main.publicKey)), kid: 'main-1', use: 'sig', alg: 'RS256' }] };
  const state = { status: 200 };
  const counts = { jwks: 0 };
  const server = createServer((req, res) => {
    if (req.url !== '/jwks') return void res.writeHead(404).end();
    counts.jwks++;
    if (state.status !== 200) return void res.writeHead(state.status).end('unavailable');
    res.setHeader('content-type', 'application/jwk-set+json');
    res.end(JSON.stringify(jwks));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer: `${base}/issuer`,
    jwksUri: `${base}/jwks`,
    counts,
    get status() {
      return state.status;
    },
    set status(s: number) {
      state.status = s;
    },
    publicKeyPem: await exportSPKI(main.publicKey),
    strangerKey: stranger.privateKey,
    async sign(claims, o = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iss: `${base}/issuer`, aud: RESOURCE, sub: 'orders-app', iat: now, exp: now + 300, ...claims })
        .setProtectedHeader({ alg: o.alg ?? 'RS256', kid: o.kid ?? 'main-1', typ: o.typ ?? 'at+jwt' })
        .sign(o.key ?? main.privateKey);
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** An unsigned token (`alg: none`), as an attacker would craft it. */
export function unsignedToken(claims: JWTPayload): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

/** The token with its payload replaced by `claims`, keeping the original header and signature. */
export function withPayload(token: string, claims: JWTPayload): string {
  const [header, , signature] = token.split('.');
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

/** The claims of a token, unverified (for building tampered copies in tests). */
export function claimsOf(token: string): JWTPayload {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as JWTPayload;
}
