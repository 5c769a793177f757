// Limits settings that cannot work are refused at load, pointing at their line; dry runs
// charge nothing; header settings; fail-open and fail-closed when Redis cannot be reached.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, test } from 'node:test';
import { ConfigError, loadConfigFile, loadConfigText } from '../src/config/load.ts';
import type { Decision } from '../src/decision/types.ts';
import { createLimitsDeps } from '../src/layers/limits/deps.ts';
import { compilePipeline, NO_DEPS } from '../src/pipeline/order.ts';
import type { EvalContext, RequestDescription } from '../src/pipeline/types.ts';

const deps = createLimitsDeps({ report: () => {} });
after(() => deps.close());

const BASE = `
tenants: { acme: {} }
consumers: { acme-app: { tenant: acme } }
services: { api: { upstreams: [{ url: "http://127.0.0.1:9" }] } }
`;

function refused(yaml: string, base = BASE): { message: string; line?: number } {
  try {
    loadConfigText(base + yaml, 'limits.yaml');
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    assert.equal(err.issues.length, 1, err.message);
    return { message: err.issues[0].message, line: err.issues[0].line };
  }
  assert.fail('the config was accepted');
}

test('the example config loads', () => {
  const { config } = loadConfigFile(new URL('../examples/limits/pinpoint.yaml', import.meta.url).pathname);
  assert.deepEqual(Object.keys(config.limits.policies), ['per-consumer', 'per-address', 'monthly']);
});

test('a route naming an undefined policy is refused at its line, with the policies that exist', () => {
  const r = refused(`
limits: { policies: { per-ip: { key: [ip], rate: [{ limit: 5, windowS: 1 }] } } }
routes:
  - { id: a, service: api, paths: [/a], limits: [per-ipp] }
`);
  assert.match(r.message, /limit policy "per-ipp" is not defined \(defined: per-ip\)/);
  assert.equal(r.line, 8);
});

test('a policy counted per consumer on a public route is refused (there is no consumer to count on)', () => {
  const r = refused(`
limits: { policies: { pc: { key: [consumer], rate: [{ limit: 5, windowS: 1 }] } } }
routes:
  - { id: a, service: api, paths: [/a], limits: [pc] }
`);
  assert.match(r.message, /policy pc counts per consumer, but the route is public/);
});

test('a cost larger than the limit is refused (no request could ever pass)', () => {
  const r = refused(`
limits: { policies: { pc: { key: [ip], rate: [{ limit: 5, windowS: 1 }] } } }
routes:
  - { id: a, service: api, paths: [/a], limits: [pc], limitCost: 6 }
`);
  assert.match(r.message, /limitCost 6 is more than policy pc ever allows at once \(5\)/);
});

test('a plan no policy defines is refused at the consumer', () => {
  const r = refused(`
limits: { policies: { pc: { key: [ip], rate: [{ limit: 5, windowS: 1 }], plans: { gold: { unlimited: true } } } } }
routes:
  - { id: a, service: api, paths: [/a], limits: [pc] }
`,
    BASE.replace('consumers: { acme-app: { tenant: acme } }', 'consumers: { acme-app: { tenant: acme, plan: silver } }'),
  );
  assert.match(r.message, /plan "silver" is not defined \(plans named by limits.policies: gold\)/);
});

test('a suspending quota must be keyed by exactly the consumer or the tenant', () => {
  const r = refused(`
limits: { policies: { q: { key: [ip], quota: { limit: 5, period: day, onExhausted: suspend } } } }
routes:
  - { id: a, service: api, paths: [/a], limits: [q] }
`);
  assert.match(r.message, /onExhausted: suspend needs key \[consumer\] or \[tenant\]/);
});

test('a policy with neither rate windows nor a quota is refused', () => {
  const r = refused(`
limits: { policies: { empty: { key: [ip] } } }
routes:
  - { id: a, service: api, paths: [/a], limits: [empty] }
`);
  assert.match(r.message, /a policy needs rate windows or a quota/);
});

const req = (path: string, clientIp = '192.0.2.7'): RequestDescription => ({ method: 'GET', httpVersion: '1.1', path, query: '', host: 'api.test', headers: { host: 'api.test' }, rawHeaders: ['Host', 'api.test'], clientIp });
const opts = { requestId: 'req_limits', disposition: 'enforce' as const, configRevision: 'r1' };

async function run(pipeline: ReturnType<typeof compilePipeline>, path: string, dryRun = false): Promise<{ d: Decision; ctx: EvalContext }> {
  const ctx: EvalContext = { req: req(path), audience: 'anyone', dryRun };
  const d = await pipeline.run(ctx.req, opts, ctx);
  return { d, ctx };
}

test('a dry run (explain) reads the counters and charges nothing, and says what a live request would get', async () => {
  const { config } = loadConfigText(
    BASE +
      `
limits: { policies: { per-ip: { key: [ip], rate: [{ limit: 2, windowS: 3600 }] } } }
routes:
  - { id: a, service: api, paths: [/a], limits: [per-ip] }
`,
    'limits.yaml',
  );
  const pipeline = compilePipeline(config, { authn: NO_DEPS.authn, limits: deps });
  for (let i = 0; i < 5; i++) assert.equal((await run(pipeline, '/a', true)).d.outcome, 'allow');
  assert.equal((await run(pipeline, '/a')).d.outcome, 'allow');
  assert.equal((await run(pipeline, '/a')).d.outcome, 'allow');
  const explained = await run(pipeline, '/a', true);
  assert.equal(explained.d.outcome, 'deny');
  assert.equal(explained.d.code, 'limits.rate_exceeded');
  assert.equal(explained.d.headers?.['retry-after'], '1800');
});

test('header settings: IETF headers by default, legacy ones when asked, no IETF headers, or none on allowed responses', async () => {
  const yaml = (headers: string) =>
    BASE +
    `
limits:
  headers: ${headers}
  policies: { per-ip: { key: [ip], rate: [{ limit: 1, windowS: 60 }] } }
routes:
  - { id: h, service: api, paths: [/h], limits: [per-ip] }
`;
  const each = async (headers: string) => {
    const pipeline = compilePipeline(loadConfigText(yaml(headers), 'h.yaml').config, { authn: NO_DEPS.authn, limits: createLimitsDeps({ report: () => {} }) });
    const allowed = await run(pipeline, '/h');
    const denied = await run(pipeline, '/h');
    return { allow: allowed.ctx.responseHeaders ?? {}, deny: denied.d.headers ?? {} };
  };
  // The default: the IETF headers only; X-RateLimit-* when asked for.
  const byDefault = await each('{}');
  assert.deepEqual(Object.keys(byDefault.deny).sort(), ['ratelimit', 'ratelimit-policy', 'retry-after']);
  assert.deepEqual(Object.keys(byDefault.allow).sort(), ['ratelimit', 'ratelimit-policy']);
  const both = await each('{ legacy: true }');
  assert.deepEqual(Object.keys(both.allow).sort(), ['ratelimit', 'ratelimit-policy', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']);
  const noIetf = await each('{ ratelimit: false, legacy: true }');
  assert.deepEqual(Object.keys(noIetf.deny).sort(), ['retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']);
  const denyOnly = await each('{ onAllow: false }');
  assert.deepEqual(denyOnly.allow, {});
  assert.equal(denyOnly.deny['retry-after'], '60');
});

test('Redis unreachable: a fail-open policy lets requests through uncounted, a fail-closed one answers 503 limits.backend_unavailable', async () => {
  const port = await closedPort();
  const reports: string[] = [];
  const down = createLimitsDeps({ report: (m) => reports.push(m) });
  try {
    const { config } = loadConfigText(
      BASE +
        `
limits:
  backend: redis
  redis: { url: "redis://:s3cret-pass@127.0.0.1:${port}", connectTimeoutMs: 200 }
  policies:
    lenient: { key: [ip], rate: [{ limit: 1, windowS: 60 }], failMode: open }
    strict: { key: [ip], rate: [{ limit: 1, windowS: 60 }], failMode: closed }
routes:
  - { id: open, service: api, paths: [/open], limits: [lenient] }
  - { id: closed, service: api, paths: [/closed], limits: [strict] }
  - { id: both, service: api, paths: [/both], limits: [lenient, strict] }
`,
      'redis.yaml',
    );
    const pipeline = compilePipeline(config, { authn: NO_DEPS.authn, limits: down });
    await down.ready();
    for (let i = 0; i < 3; i++) assert.equal((await run(pipeline, '/open')).d.outcome, 'allow');
    for (const path of ['/closed', '/both']) {
      const { d } = await run(pipeline, path);
      assert.equal(d.outcome, 'deny');
      assert.equal(d.code, 'limits.backend_unavailable');
      assert.equal(d.status, 503);
      assert.equal(d.headers?.['retry-after'], '1');
      assert.match(d.detail!, /strict fails closed/);
    }
    assert.ok(reports.some((m) => /Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ is unreachable/.test(m)), reports.join('\n'));
    assert.ok(reports.every((m) => !m.includes('s3cret-pass')), 'the password never appears in a report');
  } finally {
    await down.close();
  }
});

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

test('a policy whose key needs a part the request lacks (a token without a tenant) does not apply; the others still count', async () => {
  const { config } = loadConfigText(
    `
tenants: { acme: {} }
consumers: { acme-app: { tenant: acme } }
services: { api: { upstreams: [{ url: "http://127.0.0.1:9" }] } }
limits:
  policies:
    per-tenant: { key: [tenant], rate: [{ limit: 1, windowS: 60 }] }
    per-consumer: { key: [consumer], rate: [{ limit: 2, windowS: 60 }] }
routes:
  - { id: t, service: api, paths: [/t], authn: [apiKey], limits: [per-tenant, per-consumer] }
`,
    't.yaml',
  );
  const own = createLimitsDeps({ report: () => {} });
  try {
    const layer = (await import('../src/layers/limits/index.ts')).limitsLayer(config, own)!;
    const ctx = (): EvalContext => ({
      req: req('/t'),
      audience: 'caller',
      route: { id: 't' } as EvalContext['route'],
      identity: { consumer: 'jwt:someone', credential: 'sub:someone', via: 'jwt:main', scopes: [], roles: [] },
    });
    const first = ctx();
    assert.equal(layer.evaluate(first), undefined);
    assert.equal(first.responseHeaders?.['ratelimit-policy'], '"per-consumer:60s";q=2;w=60');
    assert.equal(layer.evaluate(ctx()), undefined);
    const third = layer.evaluate(ctx()) as { code: string };
    assert.equal(third.code, 'limits.rate_exceeded');
  } finally {
    await own.close();
  }
});
