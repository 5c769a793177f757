// Command-line flags, with environment variables as defaults (BENCH_DURATION, ...).
import { parseArgs } from 'node:util';

export const TARGETS = ['gateway', 'gateway-apikey', 'gateway-jwt', 'gateway-authz', 'gateway-ratelimit', 'gateway-ratelimit-redis', 'gateway-edge', 'gateway-basic', 'gateway-body-1k', 'gateway-waf-1k', 'gateway-body-16k', 'gateway-waf-16k', 'gateway-body-256k', 'gateway-waf-256k', 'fastify', 'nginx', 'direct'] as const;
export type TargetName = (typeof TARGETS)[number];

export interface BenchOptions {
  /** Measured seconds per target. */
  duration: number;
  /** Warm-up seconds per target (same load, not measured). */
  warmup: number;
  connections: number;
  pipelining: number;
  /** Each round measures every target once; the table shows the median round, ratios are paired by round. */
  rounds: number;
  only: TargetName[];
  json: boolean;
  /** Write a CPU profile of the gateway process and print its hottest functions. */
  profile: boolean;
}

export const USAGE = `usage: npm run bench -- [options]

  --duration <s>      measured seconds per target and round  (BENCH_DURATION, default 10)
  --warmup <s>        warm-up seconds per target and round   (BENCH_WARMUP, default 2)
  --connections <n>   concurrent keep-alive connections      (BENCH_CONNECTIONS, default 50)
  --pipelining <n>    requests in flight per connection      (BENCH_PIPELINING, default 1)
  --rounds <n>        measure every target n times, interleaved; the table shows each target's median round, and
                      each ratio is the median (and min..max) of per-round ratios, from 8 rounds on with the
                      90% confidence interval of the median (BENCH_ROUNDS, default 1, at most 100);
                      on a noisy machine: --rounds 8 --duration 4 with a few targets, 30 rounds for a few percent
  --only <list>       comma-separated subset of: ${TARGETS.join(', ')}  (BENCH_ONLY)
  --json              print the results as JSON instead of a table
  --profile           CPU-profile the gateway process and print its hottest functions
  -h, --help          this text

targets: gateway = Pinpoint (route + method layers, call log on); gateway-apikey = the same route with
authn: [apiKey] (X-API-Key); gateway-jwt = the same route with authn: [jwt:bench] (one bearer JWT, cached
verification); gateway-authz = the API key route with authorization (role, scope and ownership
from a path parameter: the route is /:account, the consumer is named orders); gateway-ratelimit / gateway-ratelimit-redis = the same route with a rate limit on the memory
backend / the local Redis (127.0.0.1:6379), set so high that nothing is refused; gateway-edge = the plain route with
edge protection: an IP deny list, CORS, and the body read, checked as well-formed JSON and validated against a JSON Schema;
gateway-basic = the plain route with authn: [basic] (HTTP Basic, the scrypt check cached); gateway-body-<n>k / gateway-waf-<n>k = the plain route
without / with the WAF at paranoia 1, each with a JSON order body of about n KiB (1, 16, 256); fastify = @fastify/http-proxy; nginx = nginx proxy_pass (only when nginx is on PATH);
direct = the upstream itself (reference).
`;

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      pipelining: { type: 'string' },
      rounds: { type: 'string' },
      only: { type: 'string' },
      json: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const only = (values.only ?? env.BENCH_ONLY ?? TARGETS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of only) {
    if (!(TARGETS as readonly string[]).includes(name)) throw new Error(`--only: unknown target "${name}" (known: ${TARGETS.join(', ')})`);
  }
  return {
    duration: number('duration', values.duration ?? env.BENCH_DURATION, 10, 1, 600),
    warmup: number('warmup', values.warmup ?? env.BENCH_WARMUP, 2, 0, 60),
    connections: number('connections', values.connections ?? env.BENCH_CONNECTIONS, 50, 1, 10_000),
    pipelining: number('pipelining', values.pipelining ?? env.BENCH_PIPELINING, 1, 1, 100),
    rounds: number('rounds', values.rounds ?? env.BENCH_ROUNDS, 1, 1, 100),
    only: TARGETS.filter((t) => only.includes(t)),
    json: values.json ?? false,
    profile: values.profile ?? false,
  };
}

function number(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name}: expected an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}
