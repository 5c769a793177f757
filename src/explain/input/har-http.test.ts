import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestInput, RequestInputError } from './index.ts';

// An entry as Chrome exports it for an HTTP/2 request: pseudo-headers first, cookies twice
// (as a header and as a list), postData with text.
const chromeEntry = {
  startedDateTime: '2024-05-02T10:11:12.345Z',
  time: 85.2,
  request: {
    method: 'POST',
    url: 'https://shop.example.com/api/orders',
    httpVersion: 'http/2.0',
    headers: [
      { name: ':authority', value: 'shop.example.com' },
      { name: ':method', value: 'POST' },
      { name: ':path', value: '/api/orders' },
      { name: ':scheme', value: 'https' },
      { name: 'accept', value: 'application/json' },
      { name: 'content-type', value: 'application/json' },
      { name: 'cookie', value: 'session=7f3a9c; theme=dark' },
      { name: 'origin', value: 'https://shop.example.com' },
    ],
    queryString: [],
    cookies: [{ name: 'session', value: '7f3a9c' }, { name: 'theme', value: 'dark' }],
    headersSize: -1,
    bodySize: 23,
    postData: { mimeType: 'application/json', text: '{"item":"book","qty":2}' },
  },
  response: { status: 403, statusText: '', headers: [], content: { size: 0, mimeType: 'application/problem+json' } },
};

const har = (entries: unknown[]) => JSON.stringify({ log: { version: '1.2', creator: { name: 'WebInspector', version: '537.36' }, entries } });
const getEntry = (url: string) => ({ request: { method: 'GET', url, headers: [{ name: 'Accept', value: '*/*' }] } });

test('har: a one-entry HAR file, pseudo-headers skipped, headers in order', () => {
  const parsed = parseRequestInput(har([chromeEntry]));
  assert.deepEqual(parsed, {
    method: 'POST',
    url: 'https://shop.example.com/api/orders',
    headers: [
      ['accept', 'application/json'],
      ['content-type', 'application/json'],
      ['cookie', 'session=7f3a9c; theme=dark'],
      ['origin', 'https://shop.example.com'],
    ],
    body: Buffer.from('{"item":"book","qty":2}'),
    source: 'har',
  });
});

test('har: a single entry (as copied from the network panel)', () => {
  const parsed = parseRequestInput(JSON.stringify(chromeEntry, null, 2));
  assert.equal(parsed.method, 'POST');
  assert.equal(parsed.body?.toString(), '{"item":"book","qty":2}');
});

test('har: several entries, picked by index', () => {
  const text = har([getEntry('https://a.test/1'), chromeEntry, getEntry('https://a.test/3')]);
  assert.equal(parseRequestInput(text, { harEntry: 1 }).method, 'POST');
  const third = parseRequestInput(text, { harEntry: 2 });
  assert.deepEqual([third.method, third.url, third.headers, third.body], ['GET', 'https://a.test/3', [['Accept', '*/*']], undefined]);
});

test('har: several entries without an index is an error that lists them', () => {
  const text = har([getEntry('https://a.test/1'), chromeEntry]);
  assert.throws(() => parseRequestInput(text), (err: unknown) => {
    assert.ok(err instanceof RequestInputError);
    assert.match(err.message, /2 entries/);
    assert.match(err.message, /0: GET https:\/\/a\.test\/1/);
    assert.match(err.message, /1: POST https:\/\/shop\.example\.com\/api\/orders/);
    return true;
  });
});

test('har: a urlencoded form given only as params is rebuilt', () => {
  const entry = { request: { method: 'POST', url: 'https://a.test/f', headers: [], postData: { mimeType: 'application/x-www-form-urlencoded', params: [{ name: 'a', value: '1 2' }, { name: 'b', value: 'x&y' }] } } };
  assert.equal(parseRequestInput(JSON.stringify(entry)).body?.toString(), 'a=1+2&b=x%26y');
});

const badHar: Array<[string, string, RegExp]> = [
  ['not JSON', '{"log": ', /not valid JSON/],
  ['no entries', har([]), /no entries/],
  ['index out of range', har([chromeEntry]), /no entry 4/],
  ['no request', JSON.stringify({ foo: 1 }), /neither a HAR file/],
  ['request without url', JSON.stringify({ request: { method: 'GET' } }), /method and a url/],
  ['headers not a list', JSON.stringify({ request: { method: 'GET', url: 'https://a.test/', headers: { a: 'b' } } }), /headers must be a list/],
  ['multipart params without text', JSON.stringify({ request: { method: 'POST', url: 'https://a.test/', postData: { mimeType: 'multipart/form-data', params: [{ name: 'f', fileName: 'x.png' }] } } }), /only urlencoded/],
];
for (const [name, text, message] of badHar) {
  test(`har: refuses ${name}`, () => {
    assert.throws(() => parseRequestInput(text, name === 'index out of range' ? { harEntry: 4 } : {}), (err: unknown) => {
      assert.ok(err instanceof RequestInputError);
      assert.match(err.message, message);
      return true;
    });
  });
}

test('http: a raw message with CRLF and Content-Length', () => {
  const body = '{"item":"café"}';
  const text = `POST /api/orders?x=1 HTTP/1.1\r\nHost: shop.example.com\r\nContent-Type: application/json\r\nX-Api-Key: pk_1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  assert.deepEqual(parseRequestInput(text), {
    method: 'POST',
    url: 'http://shop.example.com/api/orders?x=1',
    headers: [['Host', 'shop.example.com'], ['Content-Type', 'application/json'], ['X-Api-Key', 'pk_1'], ['Content-Length', '16']],
    body: Buffer.from(body),
    source: 'http',
  });
});

test('http: LF line ends, no Host: the url stays origin-form; no body', () => {
  const parsed = parseRequestInput('GET /health HTTP/1.1\nAccept: */*\n\n');
  assert.deepEqual([parsed.method, parsed.url, parsed.headers, parsed.body], ['GET', '/health', [['Accept', '*/*']], undefined]);
});

test('http: chunked body with extensions and a trailer', () => {
  const text = 'POST http://a.test/up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nWiki\r\n6\r\npedia \r\n0\r\nX-Trailer: 1\r\n\r\n';
  const parsed = parseRequestInput(text);
  assert.equal(parsed.url, 'http://a.test/up');
  assert.equal(parsed.body?.toString(), 'Wikipedia ');
});

test('http: Content-Length 0 gives an empty body', () => {
  const parsed = parseRequestInput('POST /a HTTP/1.1\r\nContent-Length: 0\r\n\r\n');
  assert.equal(parsed.body?.length, 0);
});

const badHttp: Array<[string, string, RegExp]> = [
  ['a short body', 'POST /a HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc', /says 10 bytes but the body has 3/],
  ['a body without framing', 'POST /a HTTP/1.1\r\nHost: a\r\n\r\n{"a":1}', /no Content-Length or Transfer-Encoding/],
  ['text after the framed body', 'POST /a HTTP/1.1\r\nContent-Length: 2\r\n\r\nabGET / HTTP/1.1', /text follows the body/],
  ['both framings', 'POST /a HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', /both Transfer-Encoding and Content-Length/],
  ['two different lengths', 'POST /a HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc', /not one number/],
  ['a bad chunk size', 'POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /not hexadecimal/],
  ['a missing last chunk', 'POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n', /last chunk/],
  ['a header line without colon', 'GET /a HTTP/1.1\r\nHost a\r\n\r\n', /line 2 is not a header line/],
  ['obsolete line folding', 'GET /a HTTP/1.1\r\nX-A: 1\r\n  2\r\n\r\n', /line 3 continues a header line/],
  ['HTTP/2', 'GET /a HTTP/2.0\r\n\r\n', /HTTP\/2 messages are not text/],
  ['a bad target', 'GET a.test HTTP/1.1\r\n\r\n', /neither a path nor an absolute URL/],
];
for (const [name, text, message] of badHttp) {
  test(`http: refuses ${name}`, () => {
    assert.throws(() => parseRequestInput(text), (err: unknown) => {
      assert.ok(err instanceof RequestInputError, String(err));
      assert.match(err.message, message);
      return true;
    });
  });
}

test('detection: text in none of the forms is refused with the forms listed', () => {
  for (const text of ['', '   ', 'wget https://a.test/', 'hello world']) {
    assert.throws(() => parseRequestInput(text), RequestInputError);
  }
  assert.throws(() => parseRequestInput('wget https://a.test/'), /give a curl command, a HAR file or entry \(JSON\), or a raw HTTP\/1\.1 message/);
});
