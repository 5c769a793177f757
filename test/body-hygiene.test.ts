// Request hygiene end to end on a real gateway: content types a route accepts (415), well-formed
// JSON (400 with the position), JSON Schema and OpenAPI validation (400 with JSON pointers),
// readable multipart, with the encoding tricks clients (or attackers) try.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { StoredCall } from '../src/calllog/types.ts';
import { ConfigError, loadConfigText } from '../src/config/load.ts';
import { startGateway, startUpstream, type TestGateway, type Upstream } from './helpers/servers.ts';

let upstream: Upstream;
let gw: TestGateway;
let dir: string;
let openapiFile: string;

const OPENAPI = `
openapi: 3.0.3
info: { title: orders, version: "1" }
paths:
  /api/orders:
    post:
      operationId: createOrder
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: "#/components/schemas/Order" }
components:
  schemas:
    Order:
      type: object
      required: [sku, qty]
      additionalProperties: false
      properties:
        sku: { type: string, pattern: "^[A-Z]{3}-[0-9]+$" }
        qty: { type: integer, minimum: 1 }
        note: { type: string, nullable: true, example: "leave at the door" }
`;

before(async () => {
  upstream = await startUpstream();
  dir = mkdtempSync(join(tmpdir(), 'pinpoint-hygiene-'));
  openapiFile = join(dir, 'openapi.yaml');
  writeFileSync(openapiFile, OPENAPI);
  gw = await startGateway(`
services:
  s: { upstreams: [{ url: "${upstream.url}" }] }
routes:
  - id: orders
    service: s
    paths: [/orders]
    methods: [POST, PATCH]
    body:
      accept: [application/json]
      schema:
        type: object
        required: [email, items]
        properties:
          email: { type: string, format: email }
          items:
            type: array
            minItems: 1
            items: { type: object, required: [qty], properties: { qty: { type: integer, minimum: 1 } } }
  - { id: text, service: s, paths: [/text], body: { accept: ["text/*", application/json] } }
  - { id: upload, service: s, paths: [/upload], body: { accept: [multipart/form-data], maxBytes: 4096 } }
  - { id: api, service: s, paths: [/api/orders], methods: [POST], body: { openapi: { file: "${openapiFile}", operation: createOrder } }, cors: { origins: ["https://app.example"], headers: [content-type] } }
  - { id: free, service: s, paths: [/free] }
`);
});
after(async () => {
  await gw.close();
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

async function logged(res: Response): Promise<StoredCall> {
  const id = res.headers.get('x-request-id')!;
  const reader = await gw.reader();
  for (let i = 0; i < 400; i++) {
    const call = reader.get(id);
    if (call) return call;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${id} is not in the call log`);
}

const send = (path: string, body: string | Buffer | undefined, contentType?: string, method = 'POST') =>
  fetch(gw.url + path, { method, headers: contentType === undefined ? {} : { 'content-type': contentType }, body: Buffer.isBuffer(body) ? new Uint8Array(body) : body });

const ORDER = JSON.stringify({ email: 'a@example.com', items: [{ qty: 2 }] });

test('a content type the route does not accept: 415 with Accept-Post (Accept-Patch for PATCH), before the body is read', async () => {
  const seen = upstream.seen.length;
  const res = await send('/orders', ORDER, 'text/plain');
  assert.equal(res.status, 415);
  assert.equal(res.headers.get('accept-post'), 'application/json');
  const body = await res.json();
  assert.equal(body.code, 'body.media_type_unsupported');
  assert.equal(body.hint, 'This route accepts bodies of type application/json.');
  const patch = await send('/orders', ORDER, 'application/xml', 'PATCH');
  assert.equal(patch.headers.get('accept-patch'), 'application/json');
  // Tricks: no type at all, a look-alike, a type hidden in parameters, JSON in another charset.
  for (const ct of [undefined, 'application/jsonx', 'text/plain; application/json', 'application/json; charset=utf-16', 'application/json;charset="UTF-7"']) {
    const r = await send('/orders', ORDER, ct);
    assert.equal(r.status, 415, String(ct));
  }
  const call = await logged(await send('/orders', ORDER, 'application/json; charset=iso-8859-1'));
  assert.match(call.decision.detail!, /JSON in charset iso-8859-1 \(JSON is UTF-8\)/);
  assert.equal(upstream.seen.length, seen, 'nothing was forwarded');
  // Case and parameters of an accepted type do not matter; a whole type (text/*) admits its subtypes.
  assert.equal((await send('/orders', ORDER, 'Application/JSON; charset=UTF-8')).status, 200);
  assert.equal((await send('/text', 'hello', 'text/csv')).status, 200);
  // A request without a body is not asked for a type.
  assert.equal((await fetch(gw.url + '/text')).status, 200);
});

test('malformed JSON: 400 body.json_invalid with line and column, without echoing the body', async () => {
  const res = await send('/orders', '{\n  "email": "a@example.com",\n  "items": [1,],\n}', 'application/json');
  assert.equal(res.status, 400);
  const body = await res.json();
  assert.equal(body.code, 'body.json_invalid');
  assert.deepEqual(body.position, { line: 3, column: 15, offset: 44, unit: 'character' });
  assert.match(body.hint, /a value is expected at line 3, column 15/);
  const cases: Array<[string | Buffer, RegExp]> = [
    ['{"email": "a@example.com"', /ends before the JSON value is complete/],
    ['{"a": 1} {"b": 2}', /unexpected content after the JSON value at line 1, column 10/],
    ['{"a": 1 /* comment */}', /comments are not allowed/],
    ["{'a': 1}", /at line 1, column 2/],
    ['\ufeff{"a": 1}', /byte order mark/],
    [Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d]), /not valid UTF-8 at line 1, column 7/],
    [Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]), /not valid UTF-8/],
    ['{"a": "tab\there"}', /control character/],
  ];
  for (const [text, reason] of cases) {
    const r = await send('/orders', text, 'application/json');
    const b = await r.json();
    assert.equal(b.code, 'body.json_invalid', String(text));
    assert.match(b.hint, reason, String(text));
  }
  const secret = await send('/orders', '{"password": "hunter2-secret", }', 'application/json');
  assert.doesNotMatch(JSON.stringify((await logged(secret)).decision), /hunter2/);
  // A JSON type under text/* is held to JSON too on a route that lists JSON.
  assert.equal((await send('/text', '{"a":', 'application/json')).status, 400);
});

test('a body that does not match the schema: 400 with the JSON pointer of every failing field', async () => {
  const res = await send('/orders', JSON.stringify({ email: 'not an email', items: [{ qty: 1 }, { qty: 0 }, {}] }), 'application/json');
  assert.equal(res.status, 400);
  const body = await res.json();
  assert.equal(body.code, 'body.schema_invalid');
  assert.deepEqual(body.errors, [
    { pointer: '/email', message: 'must match format "email"' },
    { pointer: '/items/1/qty', message: 'must be >= 1' },
    { pointer: '/items/2/qty', message: 'is required' },
  ]);
  const missing = await (await send('/orders', '{}', 'application/json')).json();
  assert.deepEqual(missing.errors.map((e: { pointer: string }) => e.pointer), ['/email', '/items']);
  // The operator's evidence describes failing values without quoting them.
  const call = await logged(await send('/orders', JSON.stringify({ email: 'secret-value-x', items: [] }), 'application/json'));
  assert.deepEqual(call.decision.evidence.map((e) => [e.where, e.observed]), [['body:/email', 'string (14 characters)'], ['body:/items', 'array (0 items)']]);
  assert.doesNotMatch(JSON.stringify(call.decision), /secret-value-x/);
  // Not an object at all.
  assert.deepEqual((await (await send('/orders', '[1]', 'application/json')).json()).errors, [{ pointer: '', message: 'must be object' }]);
  const ok = await send('/orders', ORDER, 'application/json');
  assert.equal(ok.status, 200);
  assert.equal((await ok.json()).body, ORDER, 'the upstream got exactly the bytes sent');
});

test('an OpenAPI operation: its request body schema with $refs, nullable, required body', async () => {
  assert.equal((await send('/api/orders', JSON.stringify({ sku: 'ABC-1', qty: 1, note: null }), 'application/json')).status, 200);
  const bad = await (await send('/api/orders', JSON.stringify({ sku: 'abc', qty: 1.5, gift: true }), 'application/json')).json();
  assert.equal(bad.code, 'body.schema_invalid');
  assert.deepEqual(bad.errors.map((e: { pointer: string }) => e.pointer).sort(), ['/gift', '/qty', '/sku']);
  const empty = await (await send('/api/orders', undefined, undefined)).json();
  assert.equal(empty.code, 'body.schema_invalid');
  assert.deepEqual(empty.errors, [{ pointer: '', message: 'a request body is required' }]);
  // The operation's content types are what the route accepts.
  assert.equal((await send('/api/orders', 'sku=ABC-1', 'application/x-www-form-urlencoded')).status, 415);
  // A CORS preflight has no body and is not the operation: the required body is not asked of it.
  const preflight = await fetch(gw.url + '/api/orders', { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
  assert.equal(preflight.status, 204);
});

test('multipart: a readable body passes; no boundary or a cut-off body is body.multipart_invalid; the limit holds', async () => {
  const form = new FormData();
  form.set('title', 'hello');
  form.set('doc', new Blob(['file content'], { type: 'text/plain' }), 'notes.txt');
  assert.equal((await fetch(gw.url + '/upload', { method: 'POST', body: form })).status, 200);
  const noBoundary = await send('/upload', '--x\r\n\r\n', 'multipart/form-data');
  assert.equal(noBoundary.status, 400);
  assert.equal((await noBoundary.json()).code, 'body.multipart_invalid');
  const cut = await send('/upload', '--b\r\ncontent-disposition: form-data; name="a"\r\n\r\nvalue', 'multipart/form-data; boundary=b');
  assert.equal((await cut.json()).code, 'body.multipart_invalid');
  const big = await send('/upload', `--b\r\ncontent-disposition: form-data; name="a"\r\n\r\n${'x'.repeat(5000)}\r\n--b--\r\n`, 'multipart/form-data; boundary=b');
  assert.equal(big.status, 413);
  // A route without body rules streams whatever it is sent.
  assert.equal((await send('/free', '{not json', 'application/json')).status, 200);
});

test('a schema that does not compile, or an operation that does not exist, is refused at load, at the route', () => {
  const base = `services: { s: { upstreams: [{ url: "http://127.0.0.1:9" }] } }\nroutes:\n`;
  assert.throws(
    () => loadConfigText(`${base}  - { id: r, service: s, paths: [/r], body: { schema: { type: object, minimun: 1 } } }\n`, 'c.yaml'),
    (err: ConfigError) => /c\.yaml:3:\d+ +routes\[0\]\.body\.schema +route r: body\.schema does not compile: strict mode: unknown keyword: "minimun"/.test(err.message),
  );
  assert.throws(
    () => loadConfigText(`${base}  - { id: r, service: s, paths: [/r], body: { openapi: { file: "${openapiFile}", operation: nope } } }\n`, 'c.yaml'),
    /routes\[0\]\.body\.openapi\.operation +route r: .*openapi\.yaml has no operation with operationId nope/,
  );
  assert.throws(() => loadConfigText(`${base}  - { id: r, service: s, paths: [/r], body: { openapi: { file: "${dir}/missing.yaml", operation: x } } }\n`, 'c.yaml'), /cannot read the OpenAPI document/);
});
