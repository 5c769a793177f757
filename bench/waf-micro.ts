// npx tsx bench/waf-micro.ts [--ref <git revision>] [--rounds 15] [--sizes 1,16,256]
//
// CPU time of the WAF layer alone, in process: the layer compiled from the config of the bench's
// gateway-waf-<n>k cases (one POST /orders route, paranoia 1, bodies inspected), evaluated over
// the same JSON order bodies (bench/bodies.ts) many times. Beside it, what the body layer pays for
// the same request (parsing the JSON), so the WAF's share means something: the WAF target (issue 5)
// is at most 25% of the 1 KiB request's throughput, about 35 us of CPU at ~100-150 us a request.
//
// Wall-clock load tests are meaningless on a small shared machine; CPU time of a tight loop is
// steadier. With --ref, the WAF of that git revision (its src/ extracted to a temporary folder)
// is measured in the same process, rounds interleaved, so before and after see the same machine.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { request } from './waf/harness.ts';
import { orderBody } from './bodies.ts';
import { PATH, REQUEST_HEADERS } from './workload.ts';
import type { EvalContext, Layer, ParsedBody, RequestDescription } from '../src/pipeline/types.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const CONFIG = `services: { orders: { upstreams: [{ url: "http://127.0.0.1:9" }] } }
routes:
  - id: orders-create
    service: orders
    paths: [${PATH}]
    methods: [POST]
    waf: { paranoia: 1 }
`;

/** One version of the WAF (and of what it needs to be built and fed): the working tree's or a revision's. */
interface Subject {
  label: string;
  layer: Layer;
  route: unknown;
  parse: (bytes: Buffer, contentType: string) => ParsedBody;
}

async function subject(label: string, src: string): Promise<Subject> {
  const load = await import(pathToFileURL(join(src, 'config/load.ts')).href);
  const routes = await import(pathToFileURL(join(src, 'layers/route/compile.ts')).href);
  const waf = await import(pathToFileURL(join(src, 'layers/waf/index.ts')).href);
  const body = await import(pathToFileURL(join(src, 'layers/body/parse.ts')).href);
  const { config } = load.loadConfigText(CONFIG, 'waf-micro.yaml');
  const layer = waf.wafLayer(config) as Layer;
  return { label, layer, route: routes.compileRoutes(config).all[0], parse: body.parseBody };
}

/** The src/ of a revision, extracted next to a node_modules link so its imports resolve. */
function extract(rev: string): { src: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'pinpoint-ref-'));
  execFileSync('sh', ['-c', `git -C "${ROOT}" archive "${rev}" src package.json | tar -x -C "${dir}"`]);
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return { src: join(dir, 'src'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** CPU microseconds (user + system) per call of fn, over a batch of n calls. */
function cpuPerCall(n: number, fn: () => void): number {
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) fn();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Case {
  label: string;
  /** Size class, for the batch size. */
  kib: number;
  /** One request, or (the benign corpus) several, timed together and reported per request. */
  requests: Array<{ req: RequestDescription; bytes: Buffer }>;
  /** The order bodies are clean: a refusal means the version under test is broken. */
  clean: boolean;
}

function evaluator(s: Subject, c: Case): () => void {
  const ctxs = c.requests.map(({ req, bytes }) => ({ req, body: s.parse(bytes, REQUEST_HEADERS['content-type']) }));
  return () => {
    for (const { req, body } of ctxs) {
      const ctx = { req, audience: 'anyone', route: s.route, body } as unknown as EvalContext;
      if (s.layer.evaluate(ctx) !== undefined && c.clean) throw new Error(`${s.label}: the WAF refused the clean ${c.label} body`);
    }
  };
}

/** The order bodies of the gateway-waf cases, and the benign JSON bodies of the WAF corpus (varied, realistic). */
function cases(sizes: string): Case[] {
  const order = sizes.split(',').map((k): Case => {
    const bytes = Buffer.from(orderBody(Number(k) * 1024), 'utf8');
    return { label: `${k} KiB order`, kib: Number(k), clean: true, requests: [{ bytes, req: request('POST', PATH, { ...REQUEST_HEADERS }, bytes) }] };
  });
  const benign = readFileSync(join(ROOT, 'bench', 'corpora', 'waf', 'benign', 'bodies.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => Buffer.from(l, 'utf8'));
  return [...order, { label: `benign corpus (${benign.length} bodies, per body)`, kib: 1, clean: false, requests: benign.map((bytes) => ({ bytes, req: request('POST', PATH, { ...REQUEST_HEADERS }, bytes) })) }];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { ref: { type: 'string' }, rounds: { type: 'string', default: '15' }, sizes: { type: 'string', default: '1,16,256' } } });
  const rounds = Number(values.rounds);
  const subjects = [await subject('now', join(ROOT, 'src'))];
  const ref = values.ref ? extract(values.ref) : undefined;
  try {
    if (ref) subjects.unshift(await subject(values.ref!, ref.src));
    console.log(`CPU us per request (median of ${rounds} rounds; body = JSON.parse of the body, what the body layer pays)\n`);
    console.log(`| body | JSON fields | body parse | ${subjects.map((s) => `WAF ${s.label}`).join(' | ')} |${subjects.length > 1 ? ' now / ref |' : ''}`);
    console.log(`|---|---|---|${subjects.map(() => '---').join('|')}|${subjects.length > 1 ? '---|' : ''}`);
    for (const c of cases(values.sizes!)) {
      // Enough calls per batch for about 50 ms of work, so timer granularity does not matter.
      const n = Math.max(20, Math.round(50_000 / (c.kib * 25 * c.requests.length)));
      const parse = () => {
        for (const r of c.requests) subjects[0].parse(r.bytes, REQUEST_HEADERS['content-type']);
      };
      const runs = subjects.map((s) => evaluator(s, c));
      for (const run of runs) cpuPerCall(n, run); // warm up (JIT)
      cpuPerCall(n, parse);
      const parseUs: number[] = [];
      const wafUs: number[][] = subjects.map(() => []);
      for (let r = 0; r < rounds; r++) {
        parseUs.push(cpuPerCall(n, parse));
        runs.forEach((run, i) => wafUs[i].push(cpuPerCall(n, run)));
      }
      const per = c.requests.length;
      const fields = c.requests.reduce((sum, r) => sum + countFields(JSON.parse(r.bytes.toString('utf8'))), 0) / per;
      const meds = wafUs.map((us) => median(us) / per);
      const ratio = meds.length > 1 ? ` ${(meds[1] / meds[0]).toFixed(2)}x |` : '';
      console.log(`| ${c.label} | ${Math.round(fields)} | ${(median(parseUs) / per).toFixed(1)} | ${meds.map((m) => m.toFixed(1)).join(' | ')} |${ratio}`);
    }
  } finally {
    ref?.cleanup();
  }
}

function countFields(v: unknown): number {
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + countFields(x), 0);
  if (v !== null && typeof v === 'object') return Object.values(v).reduce((n: number, x) => n + 1 + countFields(x), 0);
  return 1;
}

await main();
