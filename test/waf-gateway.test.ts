import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ConfigError, loadConfigText } from '../src/config/load.ts';
import type { StoredCall } from '../src/calllog/types.ts';
import { startGateway, startUpstream, type TestGateway, type Upstream } from './helpers/servers.ts';

let upstream: Upstream;
let gw: TestGateway;

const yaml = (up: string) => `
services: { s: { upstreams: [{ url: "${up}" }] } }
body: { maxBytes: 4096 }
routes:
  - { id: guarded, service: s, paths: [/g, /g/*], waf: {} }
  - { id: detect, service: s, paths: [/detect], waf: { mode: detect } }
  - id: excl
    service: s
    paths: [/excl]
    waf:
      exclusions:
        - { rule: xss-100, field: "body.items[*].html" }
        - { rule: sqli, field: query.sql }
  - { id: pl2, service: s, paths: [/pl2], waf: { paranoia: 2 } }
  - { id: lenient, service: s, paths: [/lenient], waf: { threshold: 10 } }
  - { id: nobody, service: s, paths: [/nobody], waf: { inspectBody: false } }
  - { id: plain, service: s, paths: [/plain] }
`;

before(async () => {
  upstream = await startUpstream();
  gw = await startGateway(yaml(upstream.url));
});
after(async () => {
  await gw.close();
  await upstream.close();
});

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

async function call(path: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown>; id: string }> {
  const res = await fetch(`${gw.url}${path}`, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {}, id: res.headers.get('x-request-id')! };
}

async function stored(id: string): Promise<StoredCall> {
  return (await gw.reader()).get(id)!;
}

/** A block as the caller sees it: the code and the request id, nothing about rules or fields. */
function assertBlocked(r: { status: number; body: Record<string, unknown>; id: string }): void {
  assert.equal(r.status, 403, JSON.stringify(r.body));
  assert.equal(r.body.code, 'waf.blocked');
  assert.equal(r.body.request_id, r.id);
  assert.equal(r.body.retryable, false);
  assert.deepEqual(Object.keys(r.body).sort(), ['code', 'detail', 'instance', 'request_id', 'retryable', 'status', 'title', 'type']);
  assert.equal(r.body.detail, `The request was refused. Quote request id ${r.id} to the API owner.`);
}

test('each family is blocked, and the upstream never sees the request', async () => {
  const before = upstream.seen.length;
  const cases: Array<[string, string, RequestInit?]> = [
    ['sqli', `/g?id=${encodeURIComponent("1' or '1'='1")}`],
    ['xss', '/g', json({ comment: '<script>alert(1)</script>' })],
    ['lfi', `/g?file=${encodeURIComponent('../../etc/passwd')}`],
    ['rce', '/g', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'host=127.0.0.1%3B%20cat%20%2Fetc%2Fpasswd' }],
    ['protocol', '/g?name=a%00b'],
    ['size', '/g', { headers: { 'x-long': 'a'.repeat(9000) } }],
  ];
  for (const [family, path, init] of cases) {
    const r = await call(path, init);
    assertBlocked(r);
    const d = (await stored(r.id)).decision;
    assert.ok(d.evidence.some((e) => e.expected.includes(`(${family}, paranoia`)), `${family}: ${JSON.stringify(d.evidence)}`);
    assert.equal(d.layer, 'waf');
  }
  assert.equal(upstream.seen.length, before);
});

test('encoding tricks are decoded before matching, and the evidence names the transformations', async () => {
  const tricks: Array<[string, string, RequestInit | undefined, string]> = [
    ['double URL encoding', '/g?q=1%2527%2520or%2520%25271%2527%253D%25271', undefined, 'urlDecode'],
    ['HTML entities', '/g', json({ note: '&lt;script&gt;alert(1)&lt;/script&gt;' }), 'htmlEntityDecode'],
    ['fullwidth Unicode', '/g', json({ q: '1 ＵＮＩＯＮ ＳＥＬＥＣＴ password FROM users' }), 'normalize'],
    ['mixed case', '/g', json({ q: '<ScRiPt>alert(1)</sCrIpT>' }), 'lowercase'],
    ['SQL comments', '/g', json({ q: '1/**/UNION/**/SELECT/**/1' }), 'replaceComments'],
    ['whitespace', '/g', json({ link: 'java\tscript:alert(1)' }), 'removeWhitespace'],
    ['JavaScript escapes', '/g', json({ x: '\\u003cscript\\u003e' }), 'jsDecode'],
  ];
  for (const [what, path, init, transform] of tricks) {
    const r = await call(path, init);
    assertBlocked(r);
    const d = (await stored(r.id)).decision;
    assert.ok(
      d.evidence.some((e) => e.observed.includes(transform)),
      `${what}: expected ${transform} among ${JSON.stringify(d.evidence.map((e) => e.observed))}`,
    );
  }
});

test('the operator view lists every rule that scored, with field, fragment, transformations and score', async () => {
  const body = { items: [{ note: 'fine' }, { note: 'also fine' }, { note: "x' UNION SELECT password FROM users--" }], bio: '<script>alert(1)</script>' };
  const r = await call('/g', json(body));
  assertBlocked(r);
  const d = (await stored(r.id)).decision;
  assert.equal(d.code, 'waf.blocked');
  assert.equal(d.denyKind, 'threshold');
  const where = d.evidence.map((e) => e.where);
  assert.ok(where.includes('body.items[2].note (/items/2/note)'), JSON.stringify(where));
  assert.ok(where.includes('body.bio (/bio)'));
  // Several SQL rules and the script rule all added to the score; each is its own item.
  const ids = d.evidence.map((e) => /no match of (\S+)/.exec(e.expected)![1]);
  assert.ok(ids.includes('sqli-100') && ids.includes('sqli-110') && ids.includes('xss-100'), ids.join());
  const score = d.evidence.reduce((n, e) => n + Number(/\+(\d+)\)$/.exec(e.expected)![1]), 0);
  assert.match(d.detail!, new RegExp(`^anomaly score ${score} reached the threshold 5 of route guarded \\(paranoia 1\\); ${ids.length} rules matched: `));
  const union = d.evidence.find((e) => e.expected.startsWith('no match of sqli-110'))!;
  assert.match(union.observed, /^"union select" after replaceComments|^"union select"/);
  assert.match(union.observed, /lowercase/);
  const operatorFix = d.fixes.find((f) => f.who === 'operator')!;
  assert.match(operatorFix.action, /routes\[0\] \(guarded\): waf: \{ exclusions: \[\{ rule: \S+, field: "body\.(items\[\*\]\.note|bio)" \}\] \}/);
  assert.ok(d.fixes.some((f) => f.who === 'client'));
});

test('fragments from secret fields are redacted in the operator view', async () => {
  const r = await call('/g', { ...json({ password: "' or 1=1--" }), headers: { 'content-type': 'application/json', cookie: "sid=1' union select 1--" } });
  assertBlocked(r);
  const d = (await stored(r.id)).decision;
  const secret = d.evidence.filter((e) => e.where.startsWith('body.password') || e.where.startsWith('cookie.sid'));
  assert.ok(secret.length >= 2, JSON.stringify(d.evidence));
  for (const e of secret) assert.match(e.observed, /^\[redacted: \d+ characters\]/);
  assert.ok(!JSON.stringify(d).includes('union select 1'));
});

test('benign values pass at paranoia 1 and reach the upstream byte for byte', async () => {
  const text = `{ "name": "Siobhán O'Brien",\n  "note": "Please select a size from the list; we'll update the order or refund it.",\n  "code": "if (a < b && c) { return x; }", "mail": "o.brien+shop@example.com", "emoji": "\\u2764 🚀" }`;
  const r = await fetch(`${gw.url}/g`, json(text));
  assert.equal(r.status, 200);
  assert.equal((await r.json()).body, text);
});

test('an exclusion exempts exactly its field from its rule', async () => {
  const html = { items: [{ html: 'x' }, { html: '<script src="/widget.js"></script>' }] };
  assert.equal((await call('/excl', json(html))).status, 200);
  assertBlocked(await call('/excl', json({ items: [{ note: '<script src="/widget.js"></script>' }] })));
  // a family exclusion on one query parameter
  assert.equal((await call(`/excl?sql=${encodeURIComponent("1' or '1'='1")}`)).status, 200);
  assertBlocked(await call(`/excl?q=${encodeURIComponent("1' or '1'='1")}`));
  // the excluded field is still inspected by the other families
  assertBlocked(await call(`/excl?sql=${encodeURIComponent('<script>x</script>')}`));
});

test('detection-only mode lets the request pass and records the would-be block', async () => {
  const before = upstream.seen.length;
  const r = await call('/detect', json({ q: "1' or '1'='1" }));
  assert.equal(r.status, 200);
  assert.equal(upstream.seen.length, before + 1);
  const s = await stored(r.id);
  assert.equal(s.decision.outcome, 'allow');
  assert.equal(s.decision.shadow?.length, 1);
  assert.equal(s.decision.shadow![0].code, 'waf.blocked');
  assert.equal(s.decision.shadow![0].layer, 'waf');
  assert.ok(s.decision.shadow![0].evidence.some((e) => e.where === 'body.q (/q)'));
  // and a clean request records nothing
  const clean = await call('/detect', json({ q: 'hello' }));
  assert.equal((await stored(clean.id)).decision.shadow, undefined);
});

test('paranoia levels: a rule of level 2 runs only on the level-2 route', async () => {
  const probe = json({ q: 'alert(document.cookie)' });
  assert.equal((await call('/g', probe)).status, 200);
  const r = await call('/pl2', probe);
  assertBlocked(r);
  assert.ok((await stored(r.id)).decision.evidence.some((e) => e.expected.includes('xss-150')));
});

test('thresholds: one critical rule is not enough where the threshold is 10, two are', async () => {
  assert.equal((await call(`/lenient?q=${encodeURIComponent('<iframe src=//x>')}`)).status, 200);
  const r = await call(`/lenient?q=${encodeURIComponent('<iframe src=//x>')}&id=${encodeURIComponent("1' or '1'='1")}`);
  assertBlocked(r);
  assert.match((await stored(r.id)).decision.detail!, /^anomaly score 10 reached the threshold 10 of route lenient/);
});

test('a route with inspectBody: false does not inspect bodies, but still inspects the query', async () => {
  assert.equal((await call('/nobody', json({ q: '<script>alert(1)</script>' }))).status, 200);
  assertBlocked(await call(`/nobody?q=${encodeURIComponent('<script>alert(1)</script>')}`));
  assert.equal((await call('/plain', json({ q: '<script>alert(1)</script>' }))).status, 200);
});

test('a body exactly at the limit is inspected and forwarded; one byte more is refused before inspection', async () => {
  const at = JSON.stringify({ text: 'a'.repeat(4096 - 11) });
  assert.equal(Buffer.byteLength(at), 4096);
  const ok = await fetch(`${gw.url}/g`, json(at));
  assert.equal(ok.status, 200);
  assert.equal((await ok.json()).body, at);
  const over = JSON.stringify({ text: 'a'.repeat(4096 - 10) });
  const r = await call('/g', json(over));
  assert.equal(r.status, 413);
  assert.equal(r.body.code, 'body.too_large');
});

test('an exclusion naming a rule that does not exist fails the config load at its line', () => {
  const bad = `services: { s: { upstreams: [{ url: "http://127.0.0.1:9" }] } }
routes:
  - id: r
    service: s
    paths: [/r]
    waf:
      exclusions:
        - { rule: sqli-999, field: query.q }
`;
  assert.throws(
    () => loadConfigText(bad, 'bad.yaml'),
    (e: Error) => e instanceof ConfigError && e.issues.some((i) => i.line === 8 && /waf exclusion names rule "sqli-999", which does not exist/.test(i.message)),
  );
});
