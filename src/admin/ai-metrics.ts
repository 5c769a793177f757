import { Histogram, type Registry } from 'prom-client';
import type { AiCallRecord } from '../ai/record.ts';
import type { CallRecord } from '../calllog/types.ts';
import { cellCounter, Children } from './metric-children.ts';

/** 50 ms to 60 s: a cached answer arrives at the bottom, a long reasoning model at the top. */
export const TTFT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];

/**
 * Prometheus figures of AI calls (routes with serve: ai), by model alias and provider: calls by
 * outcome, provider hops by outcome (ok or the failure class: provider failure rates), tokens
 * in and out, cost, calls that could not be costed, and time to first token. Aliases and
 * providers come from the config, so the label values are bounded (and Children caps them anyway).
 */
export function createAiMetrics(registers: Registry[]): (ai: AiCallRecord, outcome: CallRecord['outcome']) => void {
  const callsCells = cellCounter('pinpoint_ai_calls_total', 'AI calls served, by model alias, the provider that answered (or was tried last; "" when none) and outcome (allow, error).', ['alias', 'provider', 'outcome'], registers);
  const hopsCells = cellCounter('pinpoint_ai_provider_hops_total', 'Calls to providers (a fallback is one more), by outcome: ok, or the failure class (rate_limited, server_error, timeout, connect_error, refused, rejected, stream_error, client_aborted).', ['alias', 'provider', 'outcome'], registers);
  const tokensCells = cellCounter('pinpoint_ai_tokens_total', 'Tokens of AI calls by direction (input, cached ones included; output, reasoning included), as the provider reported them or as the gateway estimated when it sent none.', ['alias', 'provider', 'direction'], registers);
  const costCells = cellCounter('pinpoint_ai_cost_usd_total', 'Cost of AI calls in US dollars, from the price table and the operator overrides (unpriced calls are not in it: see pinpoint_ai_unpriced_calls_total).', ['alias', 'provider'], registers);
  const unpricedCells = cellCounter('pinpoint_ai_unpriced_calls_total', 'AI calls with usage whose model has no price: not costed (never counted as zero).', ['alias', 'provider'], registers);
  const ttft = new Histogram({
    name: 'pinpoint_ai_time_to_first_token_seconds',
    help: 'Time from receiving an AI call to sending the first content byte of its answer.',
    labelNames: ['alias', 'provider'] as const,
    buckets: TTFT_BUCKETS,
    registers,
  });
  const ttftChildren = new Children((...v) => ttft.labels(...v), 2);

  return (ai, outcome) => {
    const provider = ai.provider ?? '';
    callsCells.of(ai.alias, provider, outcome).pending++;
    for (const h of ai.hops) hopsCells.of(ai.alias, h.provider, h.outcome).pending++;
    const u = ai.usage;
    if (u) {
      if (u.inputTokens > 0) tokensCells.of(ai.alias, provider, 'input').pending += u.inputTokens;
      if (u.outputTokens > 0) tokensCells.of(ai.alias, provider, 'output').pending += u.outputTokens;
      if (ai.unpriced) unpricedCells.of(ai.alias, provider).pending++;
    }
    // prom-client throws on a non-finite or negative increment: a bad figure must not break the request.
    if (ai.costUsd !== undefined && Number.isFinite(ai.costUsd) && ai.costUsd > 0) costCells.of(ai.alias, provider).pending += ai.costUsd;
    if (ai.ttftMs !== undefined && Number.isFinite(ai.ttftMs)) ttftChildren.of(ai.alias, provider).observe(ai.ttftMs / 1000);
  };
}
