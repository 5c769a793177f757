import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runAudit, renderAudit, type AuditResult } from '../src/audit/audit.ts';
import { CallAggregates } from '../src/calllog/aggregate.ts';
import { openCallLog } from '../src/calllog/index.ts';
import { allowedRecord, deniedRecord } from '../src/calllog/sample-record.ts';
import type { CallRecord } from '../src/calllog/types.ts';
import { loadConfigText } from '../src/config/load.ts';
import { runCli } from '../src/cli/run-cli.ts';
import { keyLabel } from '../src/layers/authn/api-key/format.ts';
import { openStore } from '../src/store/index.ts';
import type { CredentialStore, StoredKey } from '../src/store/types.ts';

const DAY = 86_400_000;
const YAML = `
log: { file: calls.db, retentionDays: 3650 }
store: { file: keys.db }
tenants: { acme: { roles: { clerk: { permissions: [invoices:read] } } } }
roles:
  viewer: { permissions: [orders:read] }
  writer: { permissions: [orders:read, orders:write] }
  auditor: { permissions: [reports:read] }
  support: { permissions: [] }
consumers:
  ada: { tenant: acme, roles: [viewer] }
  wes: { tenant: acme, roles: [writer] }
services: { orders: { upstreams: [{ url: "http://127.0.0.1:9" }] } }
routes:
  - id: orders-read
    service: orders
    paths: [/orders]
    methods: [GET]
    authn: [apiKey]
    authz: { require: [orders:read] }
  - id: orders-write
    service: orders
    paths: [/orders]
    methods: [POST]
    authn: [apiKey]
    authz:
      require: [orders:write]
      roles: [writer, support]
      deny:
        - { id: freeze, tenants: [acme], reason: "audit in progress" }
        - { id: legacy-block, consumers: [wes], reason: "old client" }
  - { id: status, service: orders, paths: [/status], methods: [GET] }
  - { id: webhook-in, service: orders, paths: [/hooks], methods: [POST] }
`;

let dir: string;
let store: CredentialStore;
let result: AuditResult;
const NOW = Date.now();
/** The audit looks at the store as it will be in 200 days: every key is then 200 days old. */
const AUDIT_AT = NOW + 200 * DAY;
const ids: Record<string, string> = {};
let logFile: string;

async function key(name: string, consumer: string, scopes: string[], expiresAt?: number): Promise<StoredKey> {
  const issued = await store.createKey({ consumer, scopes, name, actor: 'test', ...(expiresAt ? { expiresAt } : {}) });
  ids[name] = issued.record.id;
  return issued.record;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pinpoint-audit-'));
  writeFileSync(join(dir, 'pinpoint.yaml'), YAML);
  store = openStore(join(dir, 'keys.db'));
  await key('never', 'ada', ['orders:read']);
  await key('stale', 'ada', ['orders:read']);
  await key('busy', 'wes', ['orders:read', 'orders:write', 'reports:*']);
  await key('expiring', 'wes', ['orders:write'], AUDIT_AT + 2 * DAY);
  await key('later', 'wes', ['orders:write'], AUDIT_AT + 60 * DAY);
  const revoked = await key('revoked', 'ada', ['orders:read']);
  await store.revokeKey(revoked.id, 'test', 'test');
  store.touch(ids.stale!, AUDIT_AT - 120 * DAY);
  for (const name of ['busy', 'expiring', 'later']) store.touch(ids[name]!, AUDIT_AT - DAY);
  await store.flush();

  logFile = join(dir, 'calls.db');
  const log = openCallLog({ ...loadConfigText(YAML, 'x.yaml').config.log, file: logFile, flushIntervalMs: 5 });
  const at = AUDIT_AT - 2 * DAY;
  const used = (name: string, route: string, method: string): CallRecord => {
    const r = allowedRecord({ at, route, method, consumer: 'wes' });
    r.decision = { ...r.decision, credential: keyLabel(ids[name]!), route, method };
    return r;
  };
  const records = [
    used('busy', 'orders-read', 'GET'), used('busy', 'orders-write', 'POST'), used('busy', 'orders-read', 'HEAD'),
    used('later', 'orders-write', 'POST'),
    // Long before the usage window: does not count.
    { ...used('expiring', 'orders-read', 'GET'), at: AUDIT_AT - 90 * DAY },
    deniedRecord({ at, code: 'authz.explicit_deny', layer: 'authz', status: 403, decision: { rule: { id: 'route:orders-write:authz.deny.freeze' } } as CallRecord['decision'] }),
  ];
  for (const r of records) log.record(r);
  for (let i = 0; i < 500 && log.stats().written < records.length; i++) await new Promise((r) => setTimeout(r, 10));
  await log.close();

  const q = new CallAggregates(logFile);
  try {
    result = runAudit(loadConfigText(YAML, 'x.yaml').config, await store.listKeys(), q, { now: AUDIT_AT, unusedDays: 90, expiringDays: 14, usageDays: 30 });
  } finally {
    q.close();
  }
});

after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const find = (check: string, subject: string) => result.findings.find((f) => f.check === check && f.subject === subject);
const label = (name: string) => keyLabel(ids[name]!);

test('keys never used and unused for N days are reported, revoked ones are not', () => {
  assert.equal(find('key.never_used', label('never'))?.severity, 'medium');
  assert.match(find('key.never_used', label('never'))!.suggestion, new RegExp(`pinpoint keys revoke ${ids.never}`));
  assert.match(find('key.unused', label('stale'))!.message, /last used 120 days ago/);
  for (const name of ['busy', 'later', 'revoked']) {
    assert.equal(result.findings.filter((f) => f.subject === label(name) && f.check.startsWith('key.')).length, 0, name);
  }
});

test('a key expiring soon is high severity with a rotation to do; one expiring later is not reported', () => {
  const f = find('key.expiring', label('expiring'));
  assert.equal(f?.severity, 'high');
  assert.match(f!.message, /expires in 2 days/);
  assert.match(f!.suggestion, new RegExp(`pinpoint keys rotate ${ids.expiring} --overlap 72h`));
  assert.equal(find('key.expiring', label('later')), undefined);
});

test('routes without authentication: writes medium, reads low', () => {
  assert.equal(find('route.no_authn', 'route webhook-in')?.severity, 'medium');
  assert.equal(find('route.no_authn', 'route status')?.severity, 'low');
  assert.equal(find('route.no_authn', 'route orders-read'), undefined);
});

test('scopes granted and never exercised, with the narrower set to issue', () => {
  const f = find('authz.scope_unexercised', label('busy'));
  assert.equal(f?.severity, 'medium'); // reports:* is a wildcard
  assert.match(f!.message, /\[reports:\*\]/);
  assert.match(f!.suggestion, /--scopes orders:read,orders:write/);
  // A key that used what it holds, and a key whose only use is older than the window, are not reported here.
  assert.equal(find('authz.scope_unexercised', label('later')), undefined);
  assert.equal(find('authz.scope_unexercised', label('expiring')), undefined);
});

test('roles that grant nothing any route requires; a role a route names is kept', () => {
  assert.ok(find('authz.role_grants_nothing', 'role auditor'));
  assert.ok(find('authz.role_grants_nothing', "tenant acme's role clerk"));
  assert.equal(find('authz.role_grants_nothing', 'role viewer'), undefined);
  assert.equal(find('authz.role_grants_nothing', 'role support'), undefined);
});

test('deny rules that never fired; one that fired is not reported', () => {
  assert.equal(find('authz.deny_never_fired', 'route orders-write deny legacy-block')?.severity, 'info');
  assert.equal(find('authz.deny_never_fired', 'route orders-write deny freeze'), undefined);
});

test('findings are sorted by severity and rendered with their fix', () => {
  const order = result.findings.map((f) => ['high', 'medium', 'low', 'info'].indexOf(f.severity));
  assert.deepEqual(order, [...order].sort((a, b) => a - b));
  const text = renderAudit(result);
  assert.match(text, /^\d+ findings \(1 high, \d+ medium, \d+ low, 1 info\)/);
  assert.match(text, /\[high\] key\.expiring {2}pk_\S+\n {2}pk_\S+ \(consumer wes, "expiring"\) expires in 2 days/);
});

test('without a call log the usage checks say they were skipped', () => {
  const r = runAudit(loadConfigText(YAML, 'x.yaml').config, [], undefined, { now: AUDIT_AT, unusedDays: 90, expiringDays: 14, usageDays: 30 });
  assert.equal(r.findings.filter((f) => f.check === 'authz.scope_unexercised' || f.check === 'authz.deny_never_fired').length, 0);
  assert.match(r.skipped[0]!, /need the call log/);
  assert.match(renderAudit(r), /not checked: /);
});

test('pinpoint audit -c runs every check on the config, store and call log', async () => {
  const run = await runCli(['audit', '-c', join(dir, 'pinpoint.yaml'), '--json'], { timeoutMs: 30_000 });
  assert.equal(run.code, 0, run.stderr); // nothing is high today: the keys are new
  const r = JSON.parse(run.stdout) as AuditResult;
  assert.ok(r.findings.some((f) => f.check === 'route.no_authn' && f.subject === 'route webhook-in'));
  assert.ok(r.findings.some((f) => f.check === 'authz.role_grants_nothing'));
  assert.deepEqual(r.skipped, []);
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  writeFileSync(join(empty, 'pinpoint.yaml'), YAML);
  const noLog = await runCli(['audit', '-c', join(empty, 'pinpoint.yaml')], { timeoutMs: 30_000 });
  assert.equal(noLog.code, 0, noLog.stderr);
  assert.match(noLog.stdout, /not checked: scopes never exercised/);
  // A high finding (a key expiring tomorrow) makes the command exit 2, for scripts and CI.
  await store.createKey({ consumer: 'ada', scopes: ['orders:read'], actor: 'test', expiresAt: Date.now() + DAY });
  await store.flush();
  const high = await runCli(['audit', '-c', join(dir, 'pinpoint.yaml')], { timeoutMs: 30_000 });
  assert.equal(high.code, 2, high.stderr);
  assert.match(high.stdout, /\[high\] key\.expiring/);
});
