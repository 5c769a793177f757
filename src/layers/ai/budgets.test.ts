// The budget cells of a call and the settling of its reservation, on the memory backend and
// on the real Redis (127.0.0.1:6379, a key prefix of its own per test).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bothBackends } from '../../../test/helpers/limit-backends.ts';
import type { AiCallState } from '../../ai/call-state.ts';
import { loadConfigText } from '../../config/load.ts';
import type { Identity } from '../authn/types.ts';
import type { LimitBackend } from '../limits/backend.ts';
import { budgetCells, micros, overWholeLimit, settler, usd } from './budgets.ts';
import { compileAiLayer } from './compile.ts';

// 2031-01-31 23:59:50 UTC: ten seconds before the month ends.
const T0 = Date.UTC(2031, 0, 31, 23, 59, 50);

const both = bothBackends(() => T0);
before(() => both.ready());
after(() => both.close());

const YAML = `
tenants: { acme: {} }
consumers: { acme-app: { tenant: acme } }
ai:
  budgets:
    per-key: { key: key, requestsPerMinute: 3, tokensPerMinute: 1000 }
    team: { key: tenant, spend: { limitUsd: 1, period: month, softAt: 0.5 } }
    person: { key: consumer, tokensPerMinute: 500, spend: { limitUsd: 2, period: day } }
routes:
  - { id: chat, serve: ai, paths: [/v1/chat/completions], methods: [POST], authn: [apiKey], ai: { budgets: [per-key, team, person] } }
`;

function plan(prefix: string) {
  const { config } = loadConfigText(YAML);
  return compileAiLayer(config, prefix).routes.get('chat')!;
}

const alice: Identity = { consumer: 'acme-app', tenant: 'acme', credential: 'pk_alice', via: 'apiKey', scopes: [], roles: [] };
// A token's subject: a consumer with no tenant.
const loner: Identity = { consumer: 'jwt:main:loner', credential: 'jti-1', via: 'jwt:main', scopes: [], roles: [] };

function state(): AiCallState {
  return { warnings: [] } as unknown as AiCallState;
}

test('cells: one per limit of each budget that applies, keyed by the caller; a tenant budget skips a consumer without tenant', () => {
  const r = plan('p:');
  const b = budgetCells(r, alice, T0, 700, 0.05);
  assert.deepEqual(
    b.infos.map((i) => [i.budget.name, i.kind, i.who, i.cost, i.limit]),
    [
      ['per-key', 'requests', 'pk_alice', 1, 3],
      ['per-key', 'tokens', 'pk_alice', 700, 1000],
      ['team', 'spend', 'acme', 50_000, 1_000_000],
      ['person', 'tokens', 'acme-app', 700, 500],
      ['person', 'spend', 'acme-app', 50_000, 2_000_000],
    ],
  );
  assert.deepEqual(b.cells.map((c) => c.key), ['p:ai:per-key:rpm:pk_alice', 'p:ai:per-key:tpm:pk_alice', 'p:ai:team:spend:2031-01:acme', 'p:ai:person:tpm:acme-app', 'p:ai:person:spend:2031-01-31:acme-app']);
  // 700 tokens is more than person's whole minute (500): no wait could admit it.
  assert.equal(b.infos[overWholeLimit(b.infos)].budget.name, 'person');
  assert.deepEqual(budgetCells(r, loner, T0, 10, 0.01).infos.map((i) => i.budget.name), ['per-key', 'per-key', 'person', 'person']);
  assert.deepEqual(budgetCells(r, undefined, T0, 10, 0.01).cells, []);
});

test('an unpriced call (no cost) is not charged to spend budgets, which are reported as uncosted', () => {
  const b = budgetCells(plan('p:'), alice, T0, 100, undefined);
  assert.deepEqual(b.uncosted.map((u) => u.name), ['team', 'person']);
  assert.ok(b.infos.every((i) => i.kind !== 'spend'));
});

test('micro-dollars round up (a call is never free by rounding); dollars read back', () => {
  assert.equal(micros(0.0000001), 1);
  assert.equal(micros(0.05), 50_000);
  assert.equal(micros(1.1), 1_100_000);
  assert.equal(usd(1_234_567), '$1.23');
  assert.equal(usd(120_000), '$0.12');
  assert.equal(usd(1_230), '$0.00123');
});

for (const [name, backend] of both.each) {
  describe(`settling a reservation: ${name}`, () => {
    const fresh = both.fresh;

    async function reserve(prefix: string, tokens: number, costUsd: number, id = loner) {
      const b = budgetCells(plan(prefix), id, T0, tokens, costUsd);
      const c = await backend.check(T0, b.cells, [], true);
      assert.equal(c.admitted, true);
      const s = state();
      const settle = settler({ backend, cells: b.cells, infos: b.infos, outcomes: c.cells, tokens, costMicros: micros(costUsd), clock: () => T0, report: (m) => assert.fail(m) }, s);
      return { b, s, settle };
    }

    const used = async (prefix: string, id = loner) => {
      // Cells of cost 0 read what is in use now.
      const b = budgetCells(plan(prefix), id, T0, 0, 0);
      return (await backend.check(T0, b.cells.map((c) => ({ ...c, cost: 0 })), [], false)).cells.map((o) => o.used);
    };

    test('real usage below the reservation gives the rest back (tokens and spend); the request stays counted', async () => {
      const p = fresh();
      const { settle } = await reserve(p, 400, 0.04);
      assert.deepEqual(await used(p), [1, 400, 400, 40_000]);
      await settle({ inputTokens: 100, outputTokens: 50 }, 0.015);
      assert.deepEqual(await used(p), [1, 150, 150, 15_000]);
    });

    test('real usage above the reservation is charged too (it happened)', async () => {
      const p = fresh();
      const { settle } = await reserve(p, 100, 0.01);
      await settle({ inputTokens: 300, outputTokens: 150 }, 0.02);
      assert.deepEqual(await used(p), [1, 450, 450, 20_000]);
    });

    test('no usage (the call reached no provider): the whole reservation goes back; settle runs once', async () => {
      const p = fresh();
      const { settle } = await reserve(p, 300, 0.03);
      await settle(undefined, undefined);
      await settle({ inputTokens: 1000, outputTokens: 1000 }, 1);
      assert.deepEqual(await used(p), [1, 0, 0, 0]);
    });

    test('usage from a target without a price: the spend reservation goes back and the call is flagged unpriced', async () => {
      const p = fresh();
      const { settle, s } = await reserve(p, 300, 0.03);
      await settle({ inputTokens: 200, outputTokens: 20 }, undefined);
      assert.deepEqual(await used(p), [1, 220, 220, 0]);
      assert.equal(s.unpriced, true);
      assert.match(s.warnings.join('\n'), /has no price: the spend reserved \(\$0\.03\) was given back and the call not charged to person \(per consumer jwt:main:loner\)/);
    });

    test('the call whose real cost takes a spend budget over its soft threshold is noted, once', async () => {
      const p = fresh();
      // team: $1 per month, soft at 50%. The first call ends at $0.40, the second crosses to $0.55, the third stays over.
      const first = await reserve(p, 10, 0.45, alice);
      await first.settle({ inputTokens: 5, outputTokens: 5 }, 0.4);
      assert.deepEqual(first.s.warnings, []);
      const second = await reserve(p, 10, 0.2, alice);
      await second.settle({ inputTokens: 5, outputTokens: 5 }, 0.15);
      assert.deepEqual(second.s.warnings, ['budget team (per tenant acme) passed its soft threshold of 50%: $0.55 of $1.00 per UTC month used']);
      const third = await reserve(p, 10, 0.01, alice);
      await third.settle({ inputTokens: 5, outputTokens: 5 }, 0.01);
      assert.deepEqual(third.s.warnings, []);
    });
  });
}

test('a backend that fails to settle is reported, and settle does not throw', async () => {
  const reports: string[] = [];
  const broken = { adjust: () => Promise.reject(new Error('connection lost')) } as unknown as LimitBackend;
  const b = budgetCells(plan('p:'), loner, T0, 100, 0.01);
  const settle = settler({ backend: broken, cells: b.cells, infos: b.infos, outcomes: [], tokens: 100, costMicros: 10_000, clock: () => T0, report: (m) => reports.push(m) }, state());
  await settle({ inputTokens: 1, outputTokens: 1 }, 0.001);
  assert.match(reports[0], /could not settle the budgets of a call \(connection lost\)/);
});
