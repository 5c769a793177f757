import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openCallLog, openCallLogReader } from '../src/calllog/index.ts';
import { loadConfigText } from '../src/config/load.ts';
import { Pipeline } from '../src/pipeline/pipeline.ts';
import { Gateway } from '../src/server/gateway.ts';
import { startUpstream } from './helpers/servers.ts';

for (const kind of ['sync', 'async'] as const) {
  test(`a layer that throws (${kind}) fails closed with a 500 problem, forwards nothing, and is logged`, async () => {
    const upstream = await startUpstream();
    const dir = mkdtempSync(join(tmpdir(), 'pinpoint-fail-'));
    const loaded = loadConfigText(`
services: { s: { upstreams: [{ url: "${upstream.url}" }] } }
routes: [{ id: r, service: s, paths: [/x] }]
`);
    const boom = {
      name: 'broken',
      evaluate: () => {
        if (kind === 'sync') throw new Error('layer exploded');
        return Promise.reject(new Error('layer exploded'));
      },
    };
    const pipeline = new Pipeline([...loaded.pipeline.layers, boom]);
    const callLog = openCallLog({ ...loaded.config.log, file: join(dir, 'c.db'), flushIntervalMs: 5 });
    const gateway = new Gateway({ loaded: { ...loaded, pipeline }, callLog });
    const { port } = await gateway.listen(0, '127.0.0.1');
    try {
      const res = await fetch(`http://127.0.0.1:${port}/x`, { method: 'POST', body: 'data' });
      assert.equal(res.status, 500);
      const body = await res.json();
      assert.equal(body.code, 'gateway.internal');
      assert.doesNotMatch(JSON.stringify(body), /exploded/);
      assert.equal(upstream.seen.length, 0);
      await gateway.close();
      await callLog.close();
      const reader = openCallLogReader(join(dir, 'c.db'));
      const stored = reader.get(body.request_id)!;
      reader.close();
      assert.equal(stored.code, 'gateway.internal');
      assert.match(stored.error!, /layer exploded/);
    } finally {
      await gateway.close().catch(() => {});
      await upstream.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
