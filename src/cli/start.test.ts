import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startUpstream } from '../../test/helpers/servers.ts';
import { exited, runCli, spawnCli, waitForOutput } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'pinpoint-start-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const TOKEN = 'test-admin-token-1234567890abcdef';

test('start serves from a config, why and logs read what it logged, SIGINT stops it cleanly', async () => {
  const upstream = await startUpstream();
  const config = join(dir, 'gateway.yaml');
  writeFileSync(
    config,
    [
      'log:',
      '  file: data/calls.db',
      'services:',
      '  orders:',
      `    upstreams: [{ url: "${upstream.url}" }]`,
      'routes:',
      '  - { id: orders, service: orders, paths: ["/orders/:id"], methods: [GET] }',
      '',
    ].join('\n'),
  );
  const child = spawnCli(['start', '-c', config, '--port', '0', '--admin-port', '0'], { env: { PINPOINT_ADMIN_TOKEN: TOKEN } });
  try {
    const { match, output } = await waitForOutput(child, /gateway listening on (http:\/\/127\.0\.0\.1:\d+)[^\n]*\n.*admin API on (http:\/\/127\.0\.0\.1:\d+)\n.*call log (.+)\n/);
    const [, gatewayUrl, adminUrl, logFile] = match;
    assert.equal(logFile, join(dir, 'data', 'calls.db'));

    const okRes = await fetch(`${gatewayUrl}/orders/7`, { headers: { authorization: 'Bearer NEVER-STORED-xyz987' } });
    assert.equal(okRes.status, 200);
    await okRes.arrayBuffer();
    const okId = okRes.headers.get('x-request-id')!;
    const deniedRes = await fetch(`${gatewayUrl}/orders/7`, { method: 'DELETE' });
    assert.equal(deniedRes.status, 405);
    await deniedRes.arrayBuffer();
    const deniedId = deniedRes.headers.get('x-request-id')!;

    // Through the admin API of the running gateway, with the token from the environment.
    let viaAdmin = await runCli(['why', deniedId, '--admin', adminUrl], { env: { PINPOINT_ADMIN_TOKEN: TOKEN } });
    for (let i = 0; i < 20 && viaAdmin.code !== 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      viaAdmin = await runCli(['why', deniedId, '--admin', adminUrl], { env: { PINPOINT_ADMIN_TOKEN: TOKEN } });
    }
    assert.equal(viaAdmin.code, 0, viaAdmin.stderr);
    assert.match(viaAdmin.stdout, new RegExp(`^Request ${deniedId}: DENIED 405 method\\.not_allowed`));
    assert.match(viaAdmin.stdout, /method +deny +route:orders +method\.not_allowed/);

    const noToken = await runCli(['why', deniedId, '--admin', adminUrl], { env: { PINPOINT_ADMIN_TOKEN: '' } });
    assert.equal(noToken.code, 1);
    assert.match(noToken.stderr, /refused the request \(401\).*PINPOINT_ADMIN_TOKEN/);
    const unknown = await runCli(['why', 'req_unknown', '--admin', adminUrl], { env: { PINPOINT_ADMIN_TOKEN: TOKEN } });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No request "req_unknown"/);

    // Straight from the SQLite file named by the config, while the gateway writes it.
    const fromFile = await runCli(['why', okId, '-c', config]);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.match(fromFile.stdout, new RegExp(`^Request ${okId}: ALLOWED 200`));
    assert.match(fromFile.stdout, new RegExp(`upstream +${upstream.url.replace(/[.]/g, '\\.')}, status 200, in \\d+\\.\\d ms`));
    assert.match(fromFile.stdout, /authorization: Bearer \[redacted\]/);
    assert.doesNotMatch(fromFile.stdout, /NEVER-STORED/);

    child.kill('SIGINT');
    assert.equal(await exited(child), 0);
    assert.match(output(), /stopping.*\n.*stopped\n$/);

    const logs = await runCli(['logs', '-c', config]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, new RegExp(`${okId} +GET +/orders/7 +200 +orders`));
    assert.match(logs.stdout, new RegExp(`${deniedId} +DELETE +/orders/7 +405 +method\\.not_allowed`));
  } finally {
    child.kill('SIGKILL');
    await upstream.close();
  }
});

test('start exits 1 and names the problem when the config is invalid', async () => {
  const config = join(dir, 'bad.yaml');
  writeFileSync(config, 'gateway:\n  lisen: {}\n');
  const r = await runCli(['start', '-c', config, '--port', '0', '--admin-port', '0']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /bad\.yaml/);
  assert.match(r.stderr, /lisen/);
});
