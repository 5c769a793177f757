// Flags of the AI bench (npx tsx bench/ai/run.ts), with environment variables as defaults.
import { parseArgs } from 'node:util';

export const AI_CASES = ['ai-ttft', 'ai-chat', 'ai-proxy', 'ai-chat-apikey'] as const;
export type AiCase = (typeof AI_CASES)[number];

export interface AiBenchOptions {
  only: AiCase[];
  /** Time to first token: measured streams per target and phase (sequential, then concurrent). */
  calls: number;
  /** Streams in flight at once in the concurrent phase. */
  concurrency: number;
  /** The fake's streamed answer: content chunks, delay before the first (ms), delay between chunks (ms). */
  chunks: number;
  firstTokenMs: number;
  chunkMs: number;
  /** Throughput: measured and warm-up seconds per case (each round), keep-alive connections, interleaved rounds (ratios paired by round). */
  duration: number;
  warmup: number;
  connections: number;
  rounds: number;
  json: boolean;
  profile: boolean;
}

export const USAGE = `usage: npx tsx bench/ai/run.ts [options]

time to first token (ai-ttft): streamed chat through the gateway vs straight to the fake provider
  --calls <n>          measured streams per target, in each phase (BENCH_AI_CALLS, default 300)
  --concurrency <n>    streams in flight in the concurrent phase (BENCH_AI_CONCURRENCY, default 4)
  --chunks <n>         content chunks of the fake's answer        (BENCH_AI_CHUNKS, default 50)
  --first-token-ms <n> the fake's delay before its answer          (BENCH_AI_FIRST_TOKEN_MS, default 5)
  --chunk-ms <n>       the fake's delay between chunks             (BENCH_AI_CHUNK_MS, default 0)

non-streamed chat throughput (ai-chat, ai-proxy, ai-chat-apikey), with autocannon
  --duration <s>       measured seconds per case and round         (BENCH_DURATION, default 10)
  --warmup <s>         warm-up seconds per case and round          (BENCH_WARMUP, default 2)
  --connections <n>    keep-alive connections                      (BENCH_CONNECTIONS, default 50)
  --rounds <n>         measure every case n times, interleaved; the table shows each case's median round, and
                       each ratio is the median (and min..max) of per-round ratios (BENCH_ROUNDS, default 1);
                       on a noisy machine: --rounds 8 --duration 4

  --only <list>        comma-separated subset of: ${AI_CASES.join(', ')}  (BENCH_AI_ONLY)
  --json               print the results as JSON instead of tables
  --profile            CPU-profile the gateway processes and print their hottest functions
  -h, --help           this text

cases: ai-ttft = a public serve: ai route, streamed, against the fake directly; ai-chat = a public
serve: ai route (no authn, no budget); ai-proxy = an ordinary route whose service is the same fake
(the plain proxying of the same bytes); ai-chat-apikey = the AI route with authn: [apiKey] and a
token budget per key (compared with ai-chat).
`;

export function parseAiOptions(argv: string[], env: NodeJS.ProcessEnv): AiBenchOptions | 'help' {
  const flag = { type: 'string' } as const;
  const { values: v } = parseArgs({
    args: argv,
    options: {
      only: flag,
      calls: flag,
      concurrency: flag,
      chunks: flag,
      'first-token-ms': flag,
      'chunk-ms': flag,
      duration: flag,
      warmup: flag,
      connections: flag,
      rounds: flag,
      json: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (v.help) return 'help';
  const only = (v.only ?? env.BENCH_AI_ONLY ?? AI_CASES.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of only) {
    if (!(AI_CASES as readonly string[]).includes(name)) throw new Error(`--only: unknown case "${name}" (known: ${AI_CASES.join(', ')})`);
  }
  return {
    only: AI_CASES.filter((c) => only.includes(c)),
    calls: int('calls', v.calls ?? env.BENCH_AI_CALLS, 300, 10, 100_000),
    concurrency: int('concurrency', v.concurrency ?? env.BENCH_AI_CONCURRENCY, 4, 1, 256),
    chunks: int('chunks', v.chunks ?? env.BENCH_AI_CHUNKS, 50, 1, 10_000),
    firstTokenMs: int('first-token-ms', v['first-token-ms'] ?? env.BENCH_AI_FIRST_TOKEN_MS, 5, 0, 10_000),
    chunkMs: int('chunk-ms', v['chunk-ms'] ?? env.BENCH_AI_CHUNK_MS, 0, 0, 1_000),
    duration: int('duration', v.duration ?? env.BENCH_DURATION, 10, 1, 600),
    warmup: int('warmup', v.warmup ?? env.BENCH_WARMUP, 2, 0, 60),
    connections: int('connections', v.connections ?? env.BENCH_CONNECTIONS, 50, 1, 10_000),
    rounds: int('rounds', v.rounds ?? env.BENCH_ROUNDS, 1, 1, 20),
    json: v.json ?? false,
    profile: v.profile ?? false,
  };
}

/** An integer flag within [min, max], or its default when neither flag nor variable is set. */
function int(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (Number.isInteger(n) && n >= min && n <= max) return n;
  throw new Error(`--${flag}: expected an integer from ${min} to ${max}, got "${raw}"`);
}
