import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestInput, RequestInputError, type ParsedRequest } from './index.ts';

// Copies of a POST with a JSON body and cookies, in the forms the browsers' "Copy as cURL" write.
const CHROME_BASH = String.raw`curl 'https://shop.example.com/api/orders?ref=summer%20sale' \
  -H 'accept: application/json, text/plain, */*' \
  -H 'accept-language: en-US,en;q=0.9' \
  -H 'content-type: application/json' \
  -b 'session=7f3a9c; theme=dark' \
  -H 'origin: https://shop.example.com' \
  -H 'priority: u=1, i' \
  -H 'referer: https://shop.example.com/cart' \
  -H 'sec-ch-ua: "Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"' \
  -H 'sec-ch-ua-mobile: ?0' \
  -H 'sec-fetch-mode: cors' \
  -H 'user-agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36' \
  --data-raw '{"item":"book","qty":2}'`;

// Chrome writes $'...' when a value holds a quote or a non-printable character.
const CHROME_BASH_ANSI = String.raw`curl 'https://shop.example.com/api/orders' \
  -H 'content-type: application/json' \
  -b 'session=7f3a9c' \
  --data-raw $'{"item":"O\'Reilly book","note":"line1\nline2","price":"\u20ac12","city":"K\xf6ln"}'`;

const FIREFOX_BASH = String.raw`curl 'https://shop.example.com/api/orders' -X POST -H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0' -H 'Accept: application/json, text/plain, */*' -H 'Accept-Language: en-US,en;q=0.5' -H 'Accept-Encoding: gzip, deflate, br' -H 'Content-Type: application/json' -H 'Origin: https://shop.example.com' -H 'Connection: keep-alive' -H 'Referer: https://shop.example.com/cart' -H 'Cookie: session=7f3a9c; theme=dark' -H 'Sec-Fetch-Dest: empty' -H 'Sec-Fetch-Mode: cors' -H 'Sec-Fetch-Site: same-origin' --data-raw '{"item":"book","qty":2}'`;

// Chrome's "Copy as cURL (cmd)": ^" quotes, carets before every special character, ^ + two
// line breaks for a line break inside a value.
const CHROME_CMD = [
  'curl ^"https://shop.example.com/api/orders?ref=summer^%^20sale^" ^',
  '  -H ^"accept: application/json, text/plain, */*^" ^',
  '  -H ^"content-type: application/json^" ^',
  '  -b ^"session=7f3a9c; theme=dark^" ^',
  '  -H ^"origin: https://shop.example.com^" ^',
  '  -H ^"sec-ch-ua: ^\\^"Chromium^\\^";v=^\\^"124^\\^", ^\\^"Google Chrome^\\^";v=^\\^"124^\\^"^" ^',
  '  --data-raw ^"^{^\\^"item^\\^":^\\^"book^\\^",^\\^"qty^\\^":2,^\\^"note^\\^":^\\^"50^% off^',
  '',
  'thanks^\\^"^}^"',
].join('\r\n');

// A plain cmd.exe line with "" for a quote inside a quoted value (Windows curl users write this).
const PLAIN_CMD = 'curl.exe "https://api.example.com/v1/items" ^\r\n  -H "Content-Type: application/json" ^\r\n  --data-raw "{""name"":""a b""}"';

interface Case {
  name: string;
  input: string;
  method: string;
  url: string;
  headers?: Array<[string, string]>;
  header?: Record<string, string>;
  body?: string | undefined;
}

const cases: Case[] = [
  {
    name: 'Chrome bash, POST JSON with cookies',
    input: CHROME_BASH,
    method: 'POST',
    url: 'https://shop.example.com/api/orders?ref=summer%20sale',
    header: {
      Cookie: 'session=7f3a9c; theme=dark',
      'content-type': 'application/json',
      'sec-ch-ua': '"Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"',
    },
    body: '{"item":"book","qty":2}',
  },
  {
    name: "Chrome bash with $'...' (quote, newline, \\u and \\x escapes)",
    input: CHROME_BASH_ANSI,
    method: 'POST',
    url: 'https://shop.example.com/api/orders',
    headers: [['content-type', 'application/json'], ['Cookie', 'session=7f3a9c']],
    body: '{"item":"O\'Reilly book","note":"line1\nline2","price":"€12","city":"Köln"}',
  },
  {
    name: 'Firefox bash, POST JSON with cookies',
    input: FIREFOX_BASH,
    method: 'POST',
    url: 'https://shop.example.com/api/orders',
    header: { Cookie: 'session=7f3a9c; theme=dark', 'Content-Type': 'application/json', Connection: 'keep-alive' },
    body: '{"item":"book","qty":2}',
  },
  {
    name: 'Chrome cmd, POST JSON with cookies and a line break in the body',
    input: CHROME_CMD,
    method: 'POST',
    url: 'https://shop.example.com/api/orders?ref=summer%20sale',
    headers: [
      ['accept', 'application/json, text/plain, */*'],
      ['content-type', 'application/json'],
      ['Cookie', 'session=7f3a9c; theme=dark'],
      ['origin', 'https://shop.example.com'],
      ['sec-ch-ua', '"Chromium";v="124", "Google Chrome";v="124"'],
    ],
    body: '{"item":"book","qty":2,"note":"50% off\nthanks"}',
  },
  {
    name: 'plain cmd with "" inside quotes',
    input: PLAIN_CMD,
    method: 'POST',
    url: 'https://api.example.com/v1/items',
    headers: [['Content-Type', 'application/json']],
    body: '{"name":"a b"}',
  },
  {
    name: 'several -d joined with & and a form content type',
    input: `curl https://x.test/login -d user=ann -d 'pass=a b' --data 'x=1'`,
    method: 'POST',
    url: 'https://x.test/login',
    headers: [['Content-Type', 'application/x-www-form-urlencoded']],
    body: 'user=ann&pass=a b&x=1',
  },
  {
    name: '--data-urlencode forms and --data-binary',
    input: `curl https://x.test/f --data-urlencode 'q=a&b c' --data-urlencode '=x/y' --data-urlencode 'plain!' --data-binary 'raw=1'`,
    method: 'POST',
    url: 'https://x.test/f',
    headers: [['Content-Type', 'application/x-www-form-urlencoded']],
    body: 'q=a%26b%20c&x%2Fy&plain%21&raw=1',
  },
  {
    name: '-G puts the data in the query string',
    input: `curl -G https://x.test/search?lang=en -d q=shoes --data-urlencode 'size=4 1/2'`,
    method: 'GET',
    url: 'https://x.test/search?lang=en&q=shoes&size=4%201%2F2',
    headers: [],
    body: undefined,
  },
  {
    name: '--json sets both content type and accept, pieces concatenated',
    input: `curl --json '{"a":' --json '1}' https://x.test/j`,
    method: 'POST',
    url: 'https://x.test/j',
    headers: [['Content-Type', 'application/json'], ['Accept', 'application/json']],
    body: '{"a":1}',
  },
  {
    name: '-u, -A, -e, -X bundled, --url, harmless flags, default scheme',
    input: `curl -sSLk --compressed -XPUT -u 'ann:s3cr:et' -A 'tool/1' -e 'https://ref.test/;auto' --url x.test:8080/p -i -v --max-time 5`,
    method: 'PUT',
    url: 'http://x.test:8080/p',
    headers: [
      ['Authorization', `Basic ${Buffer.from('ann:s3cr:et').toString('base64')}`],
      ['User-Agent', 'tool/1'],
      ['Referer', 'https://ref.test/'],
    ],
    body: undefined,
  },
  {
    name: 'a header given with -H replaces the one -u would make; -H "Name:" removes one',
    input: `curl https://x.test/ -u a:b -H 'Authorization: Bearer t' -d a=1 -H 'Content-Type:' -H 'X-Empty;'`,
    method: 'POST',
    url: 'https://x.test/',
    headers: [['Authorization', 'Bearer t'], ['X-Empty', '']],
    body: 'a=1',
  },
  {
    name: '-I and --head make HEAD; the fragment is not sent; --url-query',
    input: `curl -I 'https://x.test/a?b=1#frag' --url-query 'c=d e'`,
    method: 'HEAD',
    url: 'https://x.test/a?b=1&c=d%20e',
    headers: [],
    body: undefined,
  },
  {
    name: 'two -b join into one Cookie header; --oauth2-bearer',
    input: `curl https://x.test/ -b a=1 --oauth2-bearer tok -b 'b=2'`,
    method: 'GET',
    url: 'https://x.test/',
    headers: [['Cookie', 'a=1; b=2'], ['Authorization', 'Bearer tok']],
    body: undefined,
  },
];

for (const c of cases) {
  test(`curl: ${c.name}`, () => {
    const parsed: ParsedRequest = parseRequestInput(c.input);
    assert.equal(parsed.source, 'curl');
    assert.equal(parsed.method, c.method);
    assert.equal(parsed.url, c.url);
    if (c.headers) assert.deepEqual(parsed.headers, c.headers);
    for (const [name, value] of Object.entries(c.header ?? {})) {
      assert.deepEqual(parsed.headers.filter(([n]) => n === name), [[name, value]], name);
    }
    assert.equal(parsed.body?.toString('utf8'), c.body);
  });
}

test('curl: headers keep their order as written', () => {
  const parsed = parseRequestInput(CHROME_BASH);
  assert.deepEqual(parsed.headers.map(([n]) => n), [
    'accept', 'accept-language', 'content-type', 'Cookie', 'origin', 'priority', 'referer', 'sec-ch-ua',
    'sec-ch-ua-mobile', 'sec-fetch-mode', 'user-agent',
  ]);
});

const malformed: Array<[string, string, RegExp]> = [
  ['refuses an unknown option, naming it', `curl https://x.test/ --frobnicate 3`, /--frobnicate/],
  ['refuses -F (multipart)', `curl https://x.test/ -F a=@photo.jpg`, /-F .*multipart/],
  ['refuses a proxy', `curl -x http://proxy:3128 https://x.test/`, /-x .*proxy/],
  ['refuses data read from a file', `curl https://x.test/ -d @body.json`, /@body\.json reads a file/],
  ['refuses a cookie file', `curl https://x.test/ -b cookies.txt`, /cookies\.txt reads a file/],
  ['refuses -u without a password', `curl -u ann https://x.test/`, /no password/],
  ['refuses a header without a colon', `curl https://x.test/ -H 'X-Broken'`, /no ':'/],
  ['refuses a missing option value', `curl https://x.test/ -H`, /-H needs a value/],
  ['refuses two URLs', `curl https://x.test/a https://x.test/b`, /2 URLs/],
  ['refuses a command without URL', `curl -H 'a: b'`, /no URL/],
  ['refuses a non-HTTP scheme', `curl ftp://x.test/file`, /not HTTP/],
  ['refuses a pipe', `curl https://x.test/ | jq .`, /operator '\|'/],
  ['refuses two commands', `curl https://x.test/ ; rm -rf /`, /operator ';'/],
  ['refuses an unclosed cmd quote', 'curl ^"https://x.test/^" ^\r\n  -H "a: b', /not closed/],
  ['refuses a bad method', `curl -X 'GET /' https://x.test/`, /not a valid HTTP method/],
  ['refuses an invalid URL', `curl 'http://exa mple.com/'`, /not a valid URL/],
];

for (const [name, input, message] of malformed) {
  test(`curl: ${name}`, () => {
    assert.throws(() => parseRequestInput(input), (err: unknown) => {
      assert.ok(err instanceof RequestInputError, String(err));
      assert.match(err.message, message);
      return true;
    });
  });
}
