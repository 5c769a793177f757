import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { bisect, BisectError, type BisectOptions } from '../src/bisect/bisect.ts';
import { DEFAULT_CAUSE_HEADERS } from '../src/bisect/oracle.ts';
import { renderSummary } from '../src/bisect/render.ts';
import { Sender } from '../src/bisect/send.ts';
import { openCallLogReader } from '../src/calllog/index.ts';
import { createMetrics } from '../src/admin/metrics.ts';
import { startAdmin } from '../src/admin/server.ts';
import { runCli } from '../src/cli/run-cli.ts';
import { parseRequestInput } from '../src/explain/input/index.ts';
import { startGateway, startUpstream } from './helpers/servers.ts';

interface Seen { at: number; method: string; url: string; headers: IncomingMessage['headers']; body: string }

/** A real server on loopback whose answer `decide` chooses from the request it received. */
async function server(decide: (req: Seen, res: ServerResponse) => void) {
  const seen: Seen[] = [];
  const srv = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { at: Date.now(), method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(s);
      decide(s, res);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((r) => srv.close(() => r())) };
}

const problem = (res: ServerResponse, status: number, code: string) => {
  res.writeHead(status, { 'content-type': 'application/problem+json' });
  res.end(JSON.stringify({ type: 'about:blank', status, code }));
};

function jsonOf(s: Seen): Record<string, unknown> {
  try {
    return JSON.parse(s.body) as Record<string, unknown>;
  } catch {
    return {};
  }
}

// Refuses with 403 word.refused when any string in the JSON body contains "forbidden";
// refuses with 403 token.missing (same status, another cause) without an x-token header.
const wordServer = (s: Seen, res: ServerResponse) => {
  if (!s.headers['x-token']) return problem(res, 403, 'token.missing');
  if (JSON.stringify(jsonOf(s)).includes('forbidden')) return problem(res, 403, 'word.refused');
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
};

const curlFor = (url: string) => String.raw`curl '${url}/api/orders?lang=en&ref=mail&debug=0' \
  -H 'accept: application/json' \
  -H 'content-type: application/json' \
  -H 'x-token: t-1234567890' \
  -b 'session=abc123; theme=dark' \
  -H 'user-agent: Mozilla/5.0' \
  -H 'x-trace: 1' \
  --data-raw '{"customer":{"name":"Ann","city":"Oslo"},"items":[{"sku":"A1","qty":2},{"sku":"B2","qty":1}],"note":"this is forbidden here","gift":false}'`;

const options = (extra: Partial<BisectOptions> = {}): BisectOptions => ({
  maxRequests: 200,
  ratePerSecond: 1000,
  timeoutMs: 5000,
  cause: { headers: DEFAULT_CAUSE_HEADERS },
  ...extra,
});

let words: Awaited<ReturnType<typeof server>>;
before(async () => {
  words = await server(wordServer);
});
after(async () => {
  await words.close();
});

test('bisect finds the JSON field that triggers the 403, keeping the header the cause needs', async () => {
  words.seen.length = 0;
  const result = await bisect(parseRequestInput(curlFor(words.url)), options());
  assert.equal(result.reference.status, 403);
  assert.equal(result.reference.cause, 'code word.refused');
  const labels = result.minimal.map((i) => result.parts[i]!.label).sort();
  // Without x-token the server still answers 403, but token.missing: the strict oracle keeps it.
  assert.deepEqual(labels, ['body.note', 'header x-token']);
  assert.equal(result.budgetExhausted, false);
  assert.equal(result.sent, words.seen.length);
  // Every request went to the one path given.
  for (const s of words.seen) assert.match(s.url, /^\/api\/orders(\?|$)/);
  // The minimal request really fails that way; without body.note it passes, without x-token it fails otherwise.
  assert.deepEqual(JSON.parse(result.minimalRequest.body!.toString()), { note: 'this is forbidden here' });
  const without = Object.fromEntries(result.withoutEach.map((w) => [result.parts[w.part]!.label, w.got]));
  assert.equal(without['body.note']!.status, 200);
  assert.deepEqual([without['header x-token']!.status, without['header x-token']!.cause], [403, 'code token.missing']);
  const fromOriginal = Object.fromEntries(result.originalWithout.map((w) => [result.parts[w.part]!.label, w.got.status]));
  assert.deepEqual(fromOriginal, { 'body.note': 200, 'header x-token': 403 });

  const summary = renderSummary(result);
  assert.match(summary, /What makes it pass: removing body\.note\./);
  assert.match(summary, /without header x-token: 403 code token\.missing/);
  // The token and cookie values are not printed.
  assert.doesNotMatch(summary, /t-1234567890|abc123/);
});

test('a status-only oracle would drift; with causes named in a header the search stays on the first rule', async () => {
  // Rule 1001 fires on "alpha" anywhere, rule 1002 on "beta"; the first that matches answers.
  const waf = await server((s, res) => {
    const text = `${s.url} ${s.body}`;
    const rule = text.includes('alpha') ? '1001' : text.includes('beta') ? '1002' : undefined;
    if (rule) res.writeHead(403, { 'x-waf-rule': rule, 'content-type': 'text/html' }).end('<h1>Blocked</h1>');
    else res.writeHead(200).end('ok');
  });
  try {
    const input = `curl '${waf.url}/f' -H 'x-a: 1' --data-urlencode 'one=beta' --data-urlencode 'two=x' --data-urlencode 'three=alpha' -d four=y`;
    const result = await bisect(parseRequestInput(input), options());
    assert.equal(result.reference.cause, 'x-waf-rule 1001');
    assert.deepEqual(result.minimal.map((i) => result.parts[i]!.label), ['form three']);
    const removed = result.originalWithout[0]!.got;
    assert.deepEqual([removed.status, removed.cause], [403, 'x-waf-rule 1002']);
    assert.match(renderSummary(result), /No part found whose removal makes the original pass/);
  } finally {
    await waf.close();
  }
});

test('a cause named only in an HTML block page is read from the body', async () => {
  const page = await server((s, res) => {
    if (new URL(s.url, 'http://x').searchParams.get('q')?.includes('<')) {
      res.writeHead(403, { 'content-type': 'text/html' }).end('<html><body>Request blocked. Rule ID: 941100</body></html>');
    } else res.writeHead(204).end();
  });
  try {
    const result = await bisect(parseRequestInput(`curl '${page.url}/s?a=1&q=%3Cb%3E&c=2' -H 'x-y: z'`), options());
    assert.equal(result.reference.cause, 'rule 941100');
    assert.deepEqual(result.minimal.map((i) => result.parts[i]!.label), ['query q']);
  } finally {
    await page.close();
  }
});

test('the request budget is a hard bound', async () => {
  words.seen.length = 0;
  const result = await bisect(parseRequestInput(curlFor(words.url)), options({ maxRequests: 4 }));
  assert.equal(result.budgetExhausted, true);
  assert.equal(result.sent, 4);
  assert.equal(words.seen.length, 4);
  assert.match(renderSummary(result), /budget spent before the search finished/);
});

test('the rate is a bound: requests are at least 1/rate apart', async () => {
  words.seen.length = 0;
  await bisect(parseRequestInput(curlFor(words.url)), options({ maxRequests: 4, ratePerSecond: 5 }));
  assert.equal(words.seen.length, 4);
  for (let i = 1; i < words.seen.length; i++) {
    // Sent 200 ms apart at 5/s; arrival times also differ by the requests' own latencies.
    const gap = words.seen[i]!.at - words.seen[i - 1]!.at;
    assert.ok(gap >= 150, `requests ${i - 1} and ${i} arrived ${gap} ms apart`);
  }
});

test('a request that is refused without any part: the method and path alone', async () => {
  const closed = await server((s, res) => problem(res, 403, 'path.closed'));
  try {
    const result = await bisect(parseRequestInput(`curl '${closed.url}/admin?x=1' -H 'a: b'`), options());
    assert.equal(result.failsWithoutParts, true);
    assert.deepEqual(result.minimal, []);
    assert.equal(closed.seen.length, 2);
    assert.match(renderSummary(result), /the method and path alone are refused/);
  } finally {
    await closed.close();
  }
});

test('a request that does not fail, or gets another status than expected, is refused', async () => {
  const ok = `curl '${words.url}/x' -H 'x-token: t'`;
  await assert.rejects(bisect(parseRequestInput(ok), options()), (err: unknown) => err instanceof BisectError && /got 200.*nothing to bisect/.test(err.message));
  await assert.rejects(bisect(parseRequestInput(curlFor(words.url)), options({ expectStatus: 401 })), /got 403 \(code word\.refused\), not 401/);
});

test('the sender refuses any URL but the one given', async () => {
  const sender = new Sender({ maxRequests: 5, ratePerSecond: 100, timeoutMs: 1000, cause: { headers: [] }, target: `${words.url}/a` });
  try {
    await assert.rejects(sender.send({ method: 'GET', url: `${words.url}/b`, headers: [] }), /only sends to/);
    await assert.rejects(sender.send({ method: 'GET', url: `${words.url}/a/../b`, headers: [] }), /only sends to/);
    assert.equal(sender.sent, 0);
  } finally {
    await sender.close();
  }
});

test('Pinpoint gateway: the WAF blocks a body field; with the admin API the oracle is the decision code and rule', async () => {
  const upstream = await startUpstream();
  const gw = await startGateway(`
services: { s: { upstreams: [{ url: "${upstream.url}" }] } }
routes:
  - { id: guarded, service: s, paths: [/comments], methods: [POST], waf: {} }
`);
  const reader = openCallLogReader(gw.logFile);
  const token = 'bisect-admin-token-0123456789abcdef';
  const admin = await startAdmin({
    host: '127.0.0.1', port: 0, token, loaded: () => gw.gateway.loaded, reader, callLogStats: () => gw.callLog.stats(),
    upstreamHealth: () => [], metrics: createMetrics(), ready: () => true,
  });
  try {
    const input = String.raw`curl '${gw.url}/comments?page=2' -H 'content-type: application/json' -H 'x-client: web' --data-raw '{"author":"ann","text":"nice post","html":"<script>alert(1)</script>","tags":["a","b"]}'`;
    const plain = await bisect(parseRequestInput(input), options());
    assert.deepEqual([plain.reference.status, plain.reference.cause], [403, 'code waf.blocked']);
    assert.deepEqual(plain.minimal.map((i) => plain.parts[i]!.label), ['body.html']);
    assert.equal(plain.originalWithout[0]!.got.status, 200);

    const adminUrl = `http://127.0.0.1:${admin.address.port}`;
    const precise = await bisect(parseRequestInput(input), options({ admin: { url: adminUrl, token } }));
    assert.match(precise.reference.cause!, /^code waf\.blocked, rule \S+$/);
    assert.doesNotMatch(precise.reference.cause!, /rule \(none\)/);
    assert.deepEqual(precise.minimal.map((i) => precise.parts[i]!.label), ['body.html']);
  } finally {
    await admin.close();
    reader.close();
    await gw.close();
    await upstream.close();
  }
});

test('pinpoint bisect --dry-run prints the plan and sends nothing; the CLI prints the summary', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinpoint-bisect-'));
  try {
    const file = join(dir, 'request.sh');
    writeFileSync(file, curlFor(words.url));
    words.seen.length = 0;
    const dry = await runCli(['bisect', file, '--dry-run', '--max-requests', '50', '--rate', '5'], { timeoutMs: 30_000 });
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(words.seen.length, 0);
    assert.match(dry.stdout, /dry run, nothing is sent/);
    assert.match(dry.stdout, new RegExp(`target: POST ${words.url}/api/orders`));
    assert.match(dry.stdout, /parts \(18: 5 headers, 2 cookies, 3 query parameters, 8 JSON body fields\)/);
    assert.match(dry.stdout, /at most 50 requests, at most 5 per second/);
    assert.match(dry.stdout, /cookie session=\[redacted\]/);
    assert.doesNotMatch(dry.stdout, /abc123/);

    const run = await runCli(['bisect', file, '--rate', '200'], { timeoutMs: 30_000 });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /original: 403 code word\.refused/);
    assert.match(run.stdout, /What makes it pass: removing body\.note\./);
    assert.ok(words.seen.length > 2);

    const bad = await runCli(['bisect', file, '--max-requests', '0'], { timeoutMs: 30_000 });
    assert.notEqual(bad.code, 0);
    const unparsable = join(dir, 'bad.sh');
    writeFileSync(unparsable, `curl '${words.url}/' --form a=b`);
    const refused = await runCli(['bisect', unparsable], { timeoutMs: 30_000 });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /cannot read the request: curl option --form is not supported/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
