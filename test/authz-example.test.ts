// examples/authz: the config loads as it is, and every request of the README's table gets the
// answer the README claims, from a real gateway running that config (its upstream URL swapped
// for a loopback echo server). The operator views quoted in the README are checked too.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { loadConfigFile } from '../src/config/load.ts';
import { startAuthzWorld, type AuthzWorld } from './helpers/authz-gateway.ts';

const DIR = new URL('../examples/authz/', import.meta.url);
const CONFIG = new URL('pinpoint.yaml', DIR);
const README = readFileSync(new URL('README.md', DIR), 'utf8');

interface Row {
  consumer: string;
  scopes: string[];
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  status: number;
  code?: string;
}

/** The rows of the README's "What happens" table. */
function rows(): Row[] {
  const section = README.split('## What happens')[1].split('\n## ')[0];
  return section
    .split('\n')
    .filter((l) => /^\| [a-z]+ \|/.test(l) && !l.startsWith('| consumer '))
    .map((line) => {
      const [consumer, scopes, req, body, answer] = line.split('|').slice(1, -1).map((c) => c.trim());
      const m = /^([A-Z]+) (\S+)(?: \(([^:]+): ([^)]+)\))?$/.exec(req)!;
      const [status, code] = answer.split(' ');
      return {
        consumer,
        scopes: scopes.split(','),
        method: m[1],
        path: m[2],
        headers: m[3] ? { [m[3]]: m[4] } : {},
        body: body === '-' ? undefined : body,
        status: Number(status),
        code,
      };
    });
}

let w: AuthzWorld;
before(async () => {
  const text = readFileSync(CONFIG, 'utf8');
  assert.ok(text.includes('http://127.0.0.1:9090'));
  w = await startAuthzWorld((upstream) => text.replace('http://127.0.0.1:9090', upstream));
});
after(() => w.close());

function send(r: Row, key: string): Promise<{ status: number; body: Record<string, unknown>; id: string }> {
  const { port } = new URL(w.url);
  const headers: Record<string, string> = { 'x-api-key': key, ...r.headers };
  if (r.body) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    // node:http sends the path exactly as written (fetch would normalise it).
    const req = request({ host: '127.0.0.1', port, path: r.path, method: r.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const json = res.headers['content-type']?.includes('json') ? JSON.parse(text) : {};
        resolve({ status: res.statusCode!, body: json, id: String(res.headers['x-request-id']) });
      });
    });
    req.on('error', reject);
    req.end(r.body);
  });
}

async function decision(id: string) {
  return (await w.logged(new Response(null, { headers: { 'x-request-id': id } }))).decision;
}

test('the example config loads from its file', () => {
  const loaded = loadConfigFile(CONFIG.pathname);
  assert.deepEqual(Object.keys(loaded.config.roles), ['viewer', 'writer', 'admin']);
});

test('every request of the README table gets the answer it claims', async () => {
  const table = rows();
  assert.ok(table.length >= 15, `the table has ${table.length} rows`);
  for (const r of table) {
    const key = await w.key(r.consumer, r.scopes);
    const res = await send(r, key);
    const what = `${r.consumer} ${r.method} ${r.path} ${r.body ?? ''}`;
    assert.equal(res.status, r.status, `${what}: ${JSON.stringify(res.body)}`);
    if (r.code) assert.equal(res.body.code, r.code, what);
  }
});

test('the operator views quoted in the README', async () => {
  const ada = await w.key('ada', ['orders:read', 'orders:write']);
  const refused = await send({ consumer: 'ada', scopes: [], method: 'POST', path: '/accounts/ada/orders', headers: {}, body: '{"currency":"EUR"}', status: 403 }, ada);
  assert.deepEqual([refused.body.required, refused.body.missing], [['orders:write'], ['orders:write']]);
  const d = await decision(refused.id);
  assert.equal(d.detail, 'consumer ada (roles viewer) lacks orders:write, which route orders-create (POST /accounts/:account/orders) requires: role viewer lacks orders:write; roles that grant it: writer, admin');
  assert.deepEqual(
    d.fixes.map((f) => [f.who, f.action]),
    [
      ['tenant_admin', 'Give ada one of the roles writer, admin (consumers.ada.roles).'],
      ['operator', 'Or add orders:write to roles.viewer.permissions, if every holder of viewer should have it.'],
      ['client', 'Ask the API owner for a role that grants orders:write.'],
    ],
  );
  for (const [who, action] of d.fixes.map((f) => [f.who, f.action])) assert.ok(README.includes(`${who.padEnd(13)} ${action}`), `the README quotes: ${who} ${action}`);

  const amy = await w.key('amy', ['orders:read']);
  const scoped = await send({ consumer: 'amy', scopes: [], method: 'POST', path: '/accounts/amy/orders', headers: {}, body: '{"currency":"EUR"}', status: 403 }, amy);
  assert.deepEqual([scoped.body.required, scoped.body.granted], [['orders:write'], ['orders:read']]);
  assert.match((await decision(scoped.id)).detail!, /^key pk_\S+ has scopes \[orders:read\]; route orders-create \(POST \/accounts\/:account\/orders\) requires orders:write: add scope orders:write to the key, or use a key that has it$/);

  const wes = await w.key('wes', ['orders:read']);
  const other = await send({ consumer: 'wes', scopes: [], method: 'GET', path: '/accounts/ada/orders', headers: {}, status: 403 }, wes);
  assert.equal(other.body.hint, 'This resource is not available to your account.');
  const od = await decision(other.id);
  assert.match(od.detail!, /belongs to "ada" \(param:account\), not to the caller wes/);
  assert.ok(od.fixes.some((f) => f.who === 'tenant_admin' && /roles admin \(actFor: tenant\)/.test(f.action)));
});
