// The credentials of the protected gateway cases: an API key issued by the credential store,
// and a JWT signed with a key pair made for this run, whose public half a loopback JWKS server
// publishes. One key and one token for the whole run, so the API key index and the
// verified-token cache are what is measured, not key issuance or signature checks.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { openStore } from '../src/store/index.ts';

/** Tenant and consumer declared in the protected cases' configs; both credentials name this consumer. */
export const BENCH_TENANT = 'bench';
export const BENCH_CONSUMER = 'bench-app';
export const BENCH_AUDIENCE = 'pinpoint-bench';
export const BENCH_ISSUER_NAME = 'bench';

/** Issues an API key in the store file the gateway will open, before the gateway starts. */
export async function createBenchKey(storeFile: string, consumer = BENCH_CONSUMER): Promise<string> {
  const store = openStore(storeFile, { report: (m) => process.stderr.write(`store: ${m}\n`) });
  try {
    const issued = await store.createKey({ consumer, scopes: ['orders:write'], name: 'bench', actor: 'bench' });
    return issued.key;
  } finally {
    await store.close();
  }
}

/** Sets the bench consumer's password in the store file; returns the Authorization header value (HTTP Basic). */
export async function createBenchPassword(storeFile: string): Promise<string> {
  const password = 'bench password 0123456789';
  const store = openStore(storeFile, { report: (m) => process.stderr.write(`store: ${m}\n`) });
  try {
    await store.setPassword(BENCH_CONSUMER, password, 'bench');
  } finally {
    await store.close();
  }
  return `Basic ${Buffer.from(`${BENCH_CONSUMER}:${password}`).toString('base64')}`;
}

export interface BenchIssuer {
  issuer: string;
  jwksUri: string;
  /** RS256, aud BENCH_AUDIENCE, sub BENCH_CONSUMER, valid for an hour (longer than any run). */
  token: string;
  /** How many times the gateway fetched the key set (expected: once). */
  jwksFetches(): number;
  close(): Promise<void>;
}

/**
 * Runs in the bench process: the gateway fetches the key set once and then verifies from its
 * caches, so this server costs the measurement nothing.
 */
export async function startBenchIssuer(): Promise<BenchIssuer> {
  const kid = 'bench-1';
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' }] });
  let fetches = 0;
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/jwks') {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const token = await new SignJWT({ scope: 'orders:write' })
    .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
    .setIssuer(base)
    .setAudience(BENCH_AUDIENCE)
    .setSubject(BENCH_CONSUMER)
    .setJti('bench-token')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);
  return {
    issuer: base,
    jwksUri: `${base}/jwks`,
    token,
    jwksFetches: () => fetches,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
