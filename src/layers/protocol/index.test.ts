import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RequestDescription } from '../../pipeline/types.ts';
import { checkRequest, type ProtocolOptions } from './index.ts';
import { parserDecisionCode, parserDenial } from './parser-errors.ts';

const opts: ProtocolOptions = { maxUrlLength: 100 };

function req(over: Partial<RequestDescription> & { target?: string; raw?: string[] } = {}): RequestDescription {
  const target = over.target ?? '/orders/1';
  const q = target.indexOf('?');
  const raw = over.raw ?? ['Host', 'api.example.com'];
  const headers: RequestDescription['headers'] = {};
  for (let i = 0; i < raw.length; i += 2) headers[raw[i].toLowerCase()] ??= raw[i + 1];
  return {
    method: 'GET',
    httpVersion: '1.1',
    path: q === -1 ? target : target.slice(0, q),
    query: q === -1 ? '' : target.slice(q + 1),
    host: 'api.example.com',
    headers,
    rawHeaders: raw,
    clientIp: '127.0.0.1',
    ...over,
  };
}

// [name, request, expected code (undefined = passes), expected rule id]
const rows: Array<[string, RequestDescription, string | undefined, string?]> = [
  ['plain origin-form', req(), undefined],
  ['query with brackets and pipes', req({ target: '/orders?filter[name]=a|b&x={1}' }), undefined],
  ['encoded slash and utf-8 escapes', req({ target: '/files/a%2Fb/caf%C3%A9' }), undefined],
  ['dots inside a segment', req({ target: '/v1.2/file.tar.gz/...x' }), undefined],
  ['HTTP/1.0 without Host', req({ httpVersion: '1.0', raw: [] }), undefined],
  ['HTTP/1.1 without Host', req({ raw: [] }), 'protocol.host_missing', 'protocol:host-required'],
  ['two Host lines', req({ raw: ['Host', 'a.example', 'host', 'b.example'] }), 'protocol.host_invalid', 'protocol:host-single'],
  ['empty Host', req({ raw: ['Host', ''] }), 'protocol.host_invalid', 'protocol:host-syntax'],
  ['Host with a space', req({ raw: ['Host', 'a b'] }), 'protocol.host_invalid'],
  ['Host with userinfo', req({ raw: ['Host', 'user@a.example'] }), 'protocol.host_invalid'],
  ['Host with a comma', req({ raw: ['Host', 'a.example,b.example'] }), 'protocol.host_invalid'],
  ['Host port above 65535', req({ raw: ['Host', 'a.example:70000'] }), 'protocol.host_invalid'],
  ['Host with empty port', req({ raw: ['Host', 'a.example:'] }), 'protocol.host_invalid'],
  ['Host IPv6 literal with port', req({ raw: ['Host', '[::1]:8080'] }), undefined],
  ['Host not-IPv6 in brackets', req({ raw: ['Host', '[1.2.3]'] }), 'protocol.host_invalid'],
  ['Host IPv4 with port', req({ raw: ['Host', '127.0.0.1:8080'] }), undefined],
  ['HTTP/2.0 on an HTTP/1 connection', req({ httpVersion: '2.0' }), 'protocol.version_unsupported'],
  ['HTTP/0.9', req({ httpVersion: '0.9' }), 'protocol.version_unsupported'],
  ['target over the limit', req({ target: '/' + 'a'.repeat(100) }), 'protocol.url_too_long', 'protocol:max-url-length'],
  ['target one over the limit, query counted', req({ target: '/' + 'a'.repeat(96) + '?x=1' }), 'protocol.url_too_long'],
  ['target exactly at the limit', req({ target: '/' + 'a'.repeat(95) + '?x=1' }), undefined],
  ['%zz in the path', req({ target: '/orders/%zz' }), 'protocol.url_invalid', 'protocol:percent-encoding'],
  ['truncated escape at the end', req({ target: '/orders/%4' }), 'protocol.url_invalid', 'protocol:percent-encoding'],
  ['%00 in the path', req({ target: '/orders/1%00.json' }), 'protocol.url_invalid', 'protocol:encoded-control'],
  ['%0d%0a in the path', req({ target: '/orders/%0d%0aX-Injected:%201' }), 'protocol.url_invalid', 'protocol:encoded-control'],
  ['backslash in the path', req({ target: '/public\\..\\admin' }), 'protocol.url_invalid', 'protocol:path-character'],
  ['quote in the path', req({ target: '/a"b' }), 'protocol.url_invalid', 'protocol:path-character'],
  ['fragment', req({ target: '/orders#top' }), 'protocol.url_invalid', 'protocol:fragment'],
  ['fragment after the query', req({ target: '/orders?a=1#top' }), 'protocol.url_invalid', 'protocol:fragment'],
  ['%zz in the query', req({ target: '/orders?q=100%' }), 'protocol.url_invalid', 'protocol:percent-encoding'],
  ['dot-dot segment', req({ target: '/public/../admin' }), 'protocol.url_invalid', 'protocol:dot-segment'],
  ['dot segment', req({ target: '/public/./admin' }), 'protocol.url_invalid', 'protocol:dot-segment'],
  ['encoded dot-dot', req({ target: '/public/%2e%2E/admin' }), 'protocol.url_invalid', 'protocol:dot-segment'],
  ['dot-dot behind an encoded slash', req({ target: '/public/..%2Fadmin' }), 'protocol.url_invalid', 'protocol:dot-segment'],
  ['trailing dot-dot', req({ target: '/public/..' }), 'protocol.url_invalid', 'protocol:dot-segment'],
  ['asterisk-form with OPTIONS', req({ method: 'OPTIONS', target: '*' }), undefined],
  ['asterisk-form with GET', req({ target: '*' }), 'protocol.url_invalid', 'protocol:target-form'],
  ['authority-form', req({ target: 'api.example.com:443' }), 'protocol.url_invalid', 'protocol:target-form'],
  ['absolute-form, other host', req({ target: 'http://evil.example/orders' }), 'protocol.url_invalid', 'protocol:target-form'],
  ['absolute-form with userinfo', req({ target: 'http://u:p@api.example.com/orders' }), 'protocol.url_invalid', 'protocol:target-form'],
  ['absolute-form, same host', req({ target: 'http://API.example.com/orders/1?x=1' }), undefined],
  ['TE chunked', req({ method: 'POST', raw: ['Host', 'a', 'Transfer-Encoding', 'chunked'] }), undefined],
  ['TE gzip, chunked', req({ method: 'POST', raw: ['Host', 'a', 'Transfer-Encoding', 'gzip, chunked'] }), 'protocol.transfer_coding_unsupported'],
  ['TE on HTTP/1.0', req({ method: 'POST', httpVersion: '1.0', raw: ['Transfer-Encoding', 'chunked'] }), 'protocol.ambiguous_length', 'protocol:te-http10'],
];

for (const [name, r, code, rule] of rows) {
  test(`protocol layer: ${name}`, () => {
    const d = checkRequest(r, opts);
    assert.equal(d?.code, code);
    if (rule) assert.equal(d?.ruleId, rule);
    if (d) {
      assert.ok(d.hint && d.hint.length > 10, 'a denial carries a hint a client developer can act on');
      assert.equal(d.fixes[0].who, 'client');
      assert.ok(d.evidence.length > 0);
    }
  });
}

test('an absolute-form target that matches Host is served as its origin-form path', () => {
  const r = req({ target: 'http://api.example.com/orders/1?x=1' });
  assert.equal(checkRequest(r, opts), undefined);
  assert.equal(r.path, '/orders/1');
  assert.equal(r.query, 'x=1');
  const bare = req({ target: 'https://api.example.com' });
  assert.equal(checkRequest(bare, opts), undefined);
  assert.equal(bare.path, '/');
});

test('evidence never shows the query, which may carry keys', () => {
  const d = checkRequest(req({ target: '/orders?api_key=SECRET123&bad=%zz' }), opts)!;
  assert.equal(d.code, 'protocol.url_invalid');
  assert.doesNotMatch(JSON.stringify(d), /SECRET123/);
});

// [llhttp code, reason, in body, expected decision code]
const parserRows: Array<[string, string | undefined, boolean, string]> = [
  ['HPE_UNEXPECTED_CONTENT_LENGTH', 'Duplicate Content-Length', false, 'protocol.ambiguous_length'],
  ['HPE_INVALID_TRANSFER_ENCODING', "Transfer-Encoding can't be present with Content-Length", false, 'protocol.ambiguous_length'],
  ['HPE_INVALID_TRANSFER_ENCODING', 'Request has invalid `Transfer-Encoding`', true, 'protocol.ambiguous_length'],
  ['HPE_INVALID_CONTENT_LENGTH', 'Invalid character in Content-Length', false, 'protocol.ambiguous_length'],
  ['HPE_INVALID_CHUNK_SIZE', 'Invalid character in chunk size', true, 'protocol.bad_chunking'],
  ['HPE_STRICT', 'Expected LF after chunk data', true, 'protocol.bad_chunking'],
  ['HPE_CR_EXPECTED', 'Missing expected CR after chunk size', true, 'protocol.bad_chunking'],
  ['HPE_LF_EXPECTED', 'Missing expected LF after header value', false, 'protocol.header_invalid'],
  ['HPE_INVALID_HEADER_TOKEN', 'Invalid header value char', false, 'protocol.header_invalid'],
  ['HPE_INVALID_METHOD', 'Invalid method encountered', false, 'protocol.request_line_invalid'],
  ['HPE_INVALID_URL', 'Invalid char in url path', false, 'protocol.request_line_invalid'],
  ['HPE_INVALID_CONSTANT', 'Expected HTTP/', false, 'protocol.request_line_invalid'],
  ['HPE_INVALID_VERSION', 'Invalid HTTP version', false, 'protocol.version_unsupported'],
  ['HPE_INVALID_VERSION', 'Expected CRLF after version', false, 'protocol.request_line_invalid'],
  ['HPE_HEADER_OVERFLOW', 'Header overflow', false, 'protocol.headers_too_large'],
  ['ERR_HTTP_REQUEST_TIMEOUT', undefined, true, 'protocol.request_timeout'],
  ['HPE_INVALID_EOF_STATE', 'Invalid EOF state', true, 'protocol.incomplete_request'],
  ['HPE_CLOSED_CONNECTION', 'Data after `Connection: close`', false, 'protocol.malformed'],
  ['HPE_SOMETHING_NEW', 'a future parser error', false, 'protocol.malformed'],
];

for (const [code, reason, inBody, expected] of parserRows) {
  test(`parser error ${code}${inBody ? ' in the body' : ''} (${reason ?? '-'}) is ${expected}`, () => {
    assert.equal(parserDecisionCode({ code, reason, inBody }), expected);
  });
}

test('a parser denial tells the client what the parser saw, and the operator which limit to raise', () => {
  const d = parserDenial({ code: 'HPE_HEADER_OVERFLOW', reason: 'Header overflow', inBody: false, bytesParsed: 16400 });
  assert.equal(d.code, 'protocol.headers_too_large');
  assert.match(d.hint!, /The parser reported: Header overflow\./);
  assert.match(d.detail, /HPE_HEADER_OVERFLOW/);
  assert.match(d.detail, /16400/);
  assert.deepEqual(
    d.fixes.map((f) => f.who),
    ['client', 'operator'],
  );
  assert.match(d.fixes[1].action, /gateway\.maxHeaderBytes/);
});
