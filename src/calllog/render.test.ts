// What `pinpoint why` prints of AI calls: the model chain, hops, usage, cost, first token,
// template and budget warnings; and the budgets an AI budget denial names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatUsd, usageText } from './render-ai.ts';
import { renderCall, renderDecision } from './render.ts';
import { aiRecord } from './sample-ai-record.ts';
import { deniedRecord } from './sample-record.ts';
import type { StoredCall } from './types.ts';

const stored = (r: ReturnType<typeof aiRecord>): StoredCall => ({ ...r, rowId: 1 });

test('an AI call: alias to provider model, every hop in order, why it stopped, usage, cost and first token', () => {
  const out = renderCall(stored(aiRecord({ template: { route: 'summarize', version: 'v3' } })));
  assert.match(out, /\nAI call\n/);
  assert.match(out, /api +openai-chat, streamed/);
  assert.match(out, /model +gpt → backup\/gpt-4o-mini/);
  assert.match(out, /template +route summarize, version v3/);
  assert.match(out, /usage +1200 in \(1000 cached\), 300 out \(50 reasoning\)\n/);
  assert.match(out, /cost +\$0\.00036\n/);
  assert.match(out, /first token +180\.5 ms/);
  assert.match(out, /finish +stop/);
  assert.match(out, /stopped +answered/);
  assert.match(out, /Provider hops \(in order\)\n +# +provider +model +status +ms +outcome +provider request id +message\n +1 +openai +gpt-4o-mini +500 +20\.3 +server_error +req_up_1 +The server had an error\n +2 +backup +gpt-4o-mini +200 +170\.0 +ok +req_up_2\n/);
  // The provider side is the AI section's; the proxy's upstream line is left out.
  assert.doesNotMatch(out, /upstream +/);
  assert.doesNotMatch(out, /Budget warnings/);
});

test('estimated usage is marked; an unpriced model is said to be unpriced, never $0', () => {
  const out = renderCall(stored(aiRecord({ usage: { inputTokens: 10, outputTokens: 4, estimated: true }, costUsd: undefined, unpriced: true })));
  assert.match(out, /usage +10 in, 4 out \[estimated: the provider sent no usage, the gateway counted\]/);
  assert.match(out, /cost +unpriced \(the model has no price/);
  assert.doesNotMatch(out, /\$0\b/);
  const priced = renderCall(stored(aiRecord({ usage: { inputTokens: 10, outputTokens: 4, estimated: true }, costUsd: 0.0000042 })));
  assert.match(priced, /cost +\$0\.0000042 \(from estimated usage\)/);
});

test('a chain that failed: no answer, the hops that failed, why it stopped, the budget warnings', () => {
  const r = aiRecord(
    {
      provider: 'openai',
      usage: undefined,
      costUsd: undefined,
      ttftMs: undefined,
      finishReason: undefined,
      hops: [{ provider: 'openai', model: 'gpt-4o-mini', status: 401, ms: 3, outcome: 'refused', message: 'Incorrect API key provided' }, { provider: 'x', model: 'm', ms: 5000, outcome: 'timeout' }],
      stopped: 'the provider refused (401); no fallback is configured for it',
      warnings: ['budget team-spend (per tenant acme) passed its soft threshold of 80%: $0.81 of $1.00 per UTC month used'],
    },
    { status: 502, outcome: 'error', code: 'ai.provider_refused' },
  );
  const out = renderCall(stored(r));
  assert.match(out, /^Request \S+: FAILED 502 ai\.provider_refused\n/);
  assert.match(out, /usage +\(none: no provider answered\)/);
  assert.match(out, /cost +\(no usage: nothing to cost\)/);
  assert.doesNotMatch(out, /first token/);
  assert.match(out, /1 +openai +gpt-4o-mini +401 +3\.0 +refused +- +Incorrect API key provided/);
  assert.match(out, /2 +x +m +- +5000\.0 +timeout/);
  assert.match(out, /stopped +the provider refused \(401\); no fallback is configured for it/);
  assert.match(out, /Budget warnings\n +- budget team-spend \(per tenant acme\) passed its soft threshold of 80%/);
});

test('a provider message cannot write control characters to the terminal', () => {
  const r = aiRecord({ hops: [{ provider: 'openai', model: 'gpt', status: 500, ms: 1, outcome: 'server_error', message: 'bad\u001b[2Jthing' }] });
  const out = renderCall(stored(r));
  assert.ok(!out.includes('\u001b'));
  assert.match(out, /bad\\x1b\[2Jthing/);
});

test('a budget denial lists the budgets that refused: limit, used, this call, reset and retry', () => {
  const base = deniedRecord().decision;
  const d = {
    ...base,
    status: 403,
    code: 'ai.budget_exhausted' as const,
    layer: 'ai',
    extensions: {
      violated_budgets: [
        { budget: 'team-spend', per: 'tenant', kind: 'spend_per_month', unit: 'usd', limit: 1, used: 0.999, this_call: 0.0024, resets_at: '2031-02-01T00:00:00.000Z', fix: 'Wait' },
        { budget: 'key-tokens', per: 'key', kind: 'tokens_per_minute', unit: 'tokens', limit: 3000, used: 2900, this_call: 1012, resets_at: '2031-01-10T12:00:21.000Z', retry_after_s: 21, fix: 'Wait 21 s' },
      ],
    },
  };
  const out = renderDecision(d);
  assert.match(out, /Budgets that refused\n +budget +per +kind +limit +used +this call +resets at +retry after\n/);
  assert.match(out, /team-spend +tenant +spend_per_month +\$1\.00 +\$0\.999 +\$0\.0024 +2031-02-01T00:00:00\.000Z +-\n/);
  assert.match(out, /key-tokens +key +tokens_per_minute +3000 tokens +2900 tokens +1012 tokens +2031-01-10T12:00:21\.000Z +21 s/);
  assert.doesNotMatch(renderDecision(base), /Budgets that refused/);
});

test('dollars keep their significant digits; token figures mark estimates', () => {
  assert.deepEqual([0, 1.5, 12.345, 0.25, 0.00036, 0.0000042, 3.6e-8].map(formatUsd), ['$0', '$1.50', '$12.35', '$0.25', '$0.00036', '$0.0000042', '$0.000000036']);
  assert.equal(usageText({ inputTokens: 3, outputTokens: 0 }), '3 in, 0 out');
});
