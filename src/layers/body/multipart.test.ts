// Multipart bodies become form fields (and file descriptions) for later layers; UTF-8 checking.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfigText } from '../../config/load.ts';
import type { EvalContext } from '../../pipeline/types.ts';
import { compileRoutes } from '../route/compile.ts';
import { bodyLayer } from './index.ts';
import { firstInvalidUtf8 } from './json.ts';

const BODY = [
  '--XyZ',
  'Content-Disposition: form-data; name="title"',
  '',
  "O'Brien <b>",
  '--XyZ',
  'Content-Disposition: form-data; name="_csrf"',
  '',
  'tok.en',
  '--XyZ',
  'Content-Disposition: form-data; name="doc"; filename="../../etc/passwd"',
  'Content-Type: text/plain',
  '',
  'root:x:0:0',
  '--XyZ--',
  '',
].join('\r\n');

test('a multipart body read for a later layer is parsed into fields and files, in order', async () => {
  const { config } = loadConfigText('services: { s: { upstreams: [{ url: "http://127.0.0.1:9" }] } }\nroutes: [{ id: r, service: s, paths: [/r] }]\n');
  const routes = compileRoutes(config);
  const layer = bodyLayer(config, () => true, routes.all);
  const ctx: EvalContext = {
    req: { method: 'POST', httpVersion: '1.1', path: '/r', query: '', host: 'x', headers: { 'content-type': 'multipart/form-data; boundary=XyZ' }, clientIp: '127.0.0.1', rawBody: Buffer.from(BODY) },
    audience: 'anyone',
    route: routes.all[0],
  };
  assert.equal(await layer.evaluate(ctx), undefined);
  assert.deepEqual(ctx.body?.fields, [['title', "O'Brien <b>"], ['_csrf', 'tok.en']]);
  assert.deepEqual(ctx.body?.files, [{ field: 'doc', filename: '../../etc/passwd', mediaType: 'text/plain', bytes: 10 }]);
  // The same body with another boundary in its Content-Type does not parse: refused, not skipped.
  ctx.req.headers['content-type'] = 'multipart/form-data; boundary=other';
  ctx.body = undefined;
  const d = (await layer.evaluate(ctx)) as { code: string } | undefined;
  assert.equal(d?.code, 'body.multipart_invalid');
});

test('firstInvalidUtf8 finds overlong forms, surrogates, truncated and stray bytes', () => {
  assert.equal(firstInvalidUtf8(Buffer.from('héllo €𝄞')), Buffer.byteLength('héllo €𝄞'));
  assert.equal(firstInvalidUtf8(Buffer.from([0x61, 0xc0, 0xaf])), 1);
  assert.equal(firstInvalidUtf8(Buffer.from([0x61, 0x62, 0xed, 0xa0, 0x80])), 2);
  assert.equal(firstInvalidUtf8(Buffer.from([0xe2, 0x82])), 0);
  assert.equal(firstInvalidUtf8(Buffer.from([0x80])), 0);
  assert.equal(firstInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80])), 0);
});
