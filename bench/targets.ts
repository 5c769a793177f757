// How each target is started. All of them proxy to the same upstream process.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startNodeServer, type Child } from './children.ts';
import { orderBody } from './bodies.ts';
import { BENCH_AUDIENCE, BENCH_CONSUMER, BENCH_ISSUER_NAME, BENCH_TENANT, createBenchKey, createBenchPassword, startBenchIssuer } from './identity.ts';
import { findNginx, startNginx } from './nginx.ts';
import type { TargetName } from './options.ts';
import { PATH } from './workload.ts';

export interface Target {
  name: TargetName;
  child: Child;
  /** A header only this target adds; the preflight requires it. */
  mustHaveHeader?: string;
  /** Headers sent with every request to this target (its credential), besides the workload's. */
  headers?: Record<string, string>;
  /** The request body for this target, when not the workload's (the WAF cases by body size). */
  body?: string;
  /** A fact for the report, read after the measurement. */
  note?: () => string;
}

export interface TargetContext {
  dir: string;
  upstream: Child;
  /** When profiling: node targets write their CPU profiles to <profileDir>/<target>/. */
  profileDir?: string;
  /** What the harness must stop at the end besides the children (the JWKS server). */
  cleanups: Array<() => Promise<void>>;
}

/** Why a target cannot run on this machine, or undefined. */
export function unavailable(name: TargetName): string | undefined {
  if (name === 'nginx' && !findNginx()) return 'nginx skipped: no `nginx` on PATH (install it to add nginx as a peer)';
  return undefined;
}

export async function startTarget(name: TargetName, ctx: TargetContext): Promise<Target> {
  switch (name) {
    case 'gateway': {
      const config = writeGatewayConfig(caseDir(ctx, name), ctx.upstream.url, {});
      return { name, child: await startGateway(ctx, name, config), mustHaveHeader: 'x-request-id' };
    }
    case 'gateway-apikey': {
      const dir = caseDir(ctx, name);
      const config = writeGatewayConfig(dir, ctx.upstream.url, { authn: 'apiKey' });
      // The key exists before the gateway starts, as an operator would have created it.
      const key = await createBenchKey(join(dir, STORE_FILE));
      return { name, child: await startGateway(ctx, name, config), mustHaveHeader: 'x-request-id', headers: { 'x-api-key': key } };
    }
    case 'gateway-jwt': {
      const issuer = await startBenchIssuer();
      ctx.cleanups.push(() => issuer.close());
      const config = writeGatewayConfig(caseDir(ctx, name), ctx.upstream.url, { authn: `jwt:${BENCH_ISSUER_NAME}`, issuer });
      return {
        name,
        child: await startGateway(ctx, name, config),
        mustHaveHeader: 'x-request-id',
        headers: { authorization: `Bearer ${issuer.token}` },
        note: () => `key set fetched ${issuer.jwksFetches()} time(s) from the loopback JWKS server`,
      };
    }
    case 'gateway-ratelimit':
    case 'gateway-ratelimit-redis': {
      // A limit no load here reaches: what is measured is the check, never a refusal.
      const backend = name === 'gateway-ratelimit' ? 'memory' : 'redis';
      const config = writeGatewayConfig(caseDir(ctx, name), ctx.upstream.url, { limits: { backend, keyPrefix: `pinpoint-bench:${process.pid}:` } });
      return { name, child: await startGateway(ctx, name, config), mustHaveHeader: 'ratelimit' };
    }
    case 'gateway-authz': {
      const dir = caseDir(ctx, name);
      const config = writeGatewayConfig(dir, ctx.upstream.url, { authn: 'apiKey', authz: true });
      const key = await createBenchKey(join(dir, STORE_FILE), AUTHZ_CONSUMER);
      return { name, child: await startGateway(ctx, name, config), mustHaveHeader: 'x-request-id', headers: { 'x-api-key': key } };
    }
    case 'gateway-edge': {
      const config = writeGatewayConfig(caseDir(ctx, name), ctx.upstream.url, { edge: true });
      // Vary: Origin is added by the cors layer: the request went through the edge layers.
      return { name, child: await startGateway(ctx, name, config), mustHaveHeader: 'vary' };
    }
    case 'gateway-basic': {
      const dir = caseDir(ctx, name);
      const config = writeGatewayConfig(dir, ctx.upstream.url, { authn: 'basic' });
      const auth = await createBenchPassword(join(dir, STORE_FILE));
      return { name, child: await startGateway(ctx, name, config), mustHaveHeader: 'x-request-id', headers: { authorization: auth } };
    }
    case 'gateway-body-1k':
    case 'gateway-body-16k':
    case 'gateway-body-256k':
    case 'gateway-waf-1k':
    case 'gateway-waf-16k':
    case 'gateway-waf-256k': {
      const waf = name.startsWith('gateway-waf-');
      const config = writeGatewayConfig(caseDir(ctx, name), ctx.upstream.url, { waf });
      return { name, child: await startGateway(ctx, name, config), mustHaveHeader: 'x-request-id', body: orderBody(Number(/(\d+)k$/.exec(name)![1]) * 1024) };
    }
    case 'fastify':
      return { name, child: await startNodeServer('fastify', 'fastify-proxy.ts', [ctx.upstream.url], profiling(ctx, name)) };
    case 'nginx':
      return { name, child: await startNginx(join(ctx.dir, 'nginx'), ctx.upstream.url) };
    case 'direct':
      return { name, child: ctx.upstream };
  }
}

/** True for the Pinpoint cases (they have a call log to report on). */
export function isGateway(name: TargetName): boolean {
  return name === 'gateway' || name.startsWith('gateway-');
}

const STORE_FILE = 'store.db';

/**
 * The consumer of the authz case. The workload POSTs to /orders; the case's route is /:account
 * with the owner read from that parameter, so /orders is the account `orders`: the consumer
 * carries that name and acts on its own resource.
 */
const AUTHZ_CONSUMER = 'orders';

function startGateway(ctx: TargetContext, name: TargetName, config: string): Promise<Child> {
  return startNodeServer(name, 'gateway.ts', [config], profiling(ctx, name));
}

/** Each gateway case has its own folder: config, call log and credential store. */
function caseDir(ctx: TargetContext, name: TargetName): string {
  const dir = join(ctx.dir, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** One .cpuprofile per thread (main thread, call log writer, ...), written when the process exits. */
function profiling(ctx: TargetContext, name: TargetName): string[] {
  return ctx.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(ctx.profileDir, name)}`] : [];
}

interface Protection {
  /** The route's one authn entry; absent: the plain (public) route. */
  authn?: string;
  issuer?: { issuer: string; jwksUri: string };
  /** Authorization on the route: a role and a key scope granting orders:write, the owner from a path parameter. */
  authz?: boolean;
  /** A rate limit per client address on the route, on this backend (Redis: the local one on 6379). */
  limits?: { backend: 'memory' | 'redis'; keyPrefix: string };
  /** Edge protection: an IP deny list, CORS, and the body read, checked as JSON and validated against a schema. */
  edge?: boolean;
  /** The WAF at paranoia 1 on the route (bodies inspected). */
  waf?: boolean;
}

/**
 * The gateway as the issue asks to measure it: one service, one route with the route and
 * method layers, the call log on (the default SQLite file, next to the config), no admin listener.
 * The protected cases add a tenant and a consumer, the credential store, an issuer (JWT case)
 * and `authn:` on the same route; everything else is identical to the plain case.
 */
function writeGatewayConfig(dir: string, upstreamUrl: string, p: Protection): string {
  const file = join(dir, 'pinpoint.yaml');
  const identity = p.authn
    ? `tenants:
  ${BENCH_TENANT}: {}
${p.authz ? 'roles:\n  writer: { permissions: [orders:write] }\n' : ''}consumers:
  ${p.authz ? AUTHZ_CONSUMER : BENCH_CONSUMER}:
    tenant: ${BENCH_TENANT}
${p.authz ? '    roles: [writer]\n' : ''}store:
  file: ${STORE_FILE}
`
    : '';
  const issuer = p.issuer
    ? `authn:
  jwt:
    ${BENCH_ISSUER_NAME}:
      issuer: ${p.issuer.issuer}
      jwksUri: ${p.issuer.jwksUri}
      audiences: [${BENCH_AUDIENCE}]
      algorithms: [RS256]
`
    : '';
  writeFileSync(
    file,
    `gateway:
  listen: { host: 127.0.0.1, port: 0 }
admin:
  enabled: false
log:
  file: calls.db
${identity}${issuer}${p.limits ? limitsSection(p.limits) : ''}${p.edge ? EDGE_TOP : ''}services:
  orders:
    upstreams:
      - url: ${upstreamUrl}
routes:
  - id: orders-create
    service: orders
    paths: [${p.authz ? '/:account' : PATH}]
    methods: [POST]
${p.authn ? `    authn: [${JSON.stringify(p.authn)}]\n` : ''}${p.authz ? '    authz: { require: [orders:write], owner: { param: account } }\n' : ''}${p.limits ? '    limits: [bench]\n' : ''}${p.edge ? EDGE_ROUTE : ''}${p.waf ? '    waf: { paranoia: 1 }\n' : ''}`,
  );
  return file;
}

const EDGE_TOP = `ip:
  deny: [192.0.2.0/24, 198.51.100.0/24, "2001:db8:bad::/48"]
cors:
  origins: ["https://app.example.com"]
  headers: [content-type]
`;

/** The workload's order body (bench/workload.ts), described as a JSON Schema. */
const EDGE_ROUTE = `    body:
      accept: [application/json]
      schema:
        type: object
        required: [customer, currency, items]
        properties:
          customer: { type: string, pattern: "^cus_" }
          currency: { type: string, enum: [EUR, USD] }
          items: { type: array, minItems: 1, items: { type: object, required: [sku, qty], properties: { sku: { type: string }, qty: { type: integer, minimum: 1 }, price: { type: integer } } } }
          shipping: { type: object }
`;

function limitsSection(l: { backend: 'memory' | 'redis'; keyPrefix: string }): string {
  return `limits:
  backend: ${l.backend}
  redis: { url: "redis://127.0.0.1:6379", keyPrefix: "${l.keyPrefix}" }
  policies:
    bench: { key: [ip], rate: [{ limit: 1000000000, windowS: 1 }, { limit: 1000000000, windowS: 60 }] }
`;
}
