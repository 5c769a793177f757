import { Counter, Histogram, type Registry } from 'prom-client';
import type { AiCallRecord } from '../ai/record.ts';
import type { CallRecord } from '../calllog/types.ts';
import { Children } from './metric-children.ts';

/** 50 ms to 60 s: a cached answer arrives at the bottom, a long reasoning model at the top. */
export const TTFT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];

/**
 * Prometheus figures of AI calls (routes with serve: ai), by model alias and provider: calls by
 * outcome, provider hops by outcome (ok or the failure class: provider failure rates), tokens
 * in and out, cost, calls that could not be costed, and time to first token. Aliases and
 * providers come from the config, so the label values are bounded (and Children caps them anyway).
 */
export function createAiMetrics(registers: Registry[]): (ai: AiCallRecord, outcome: CallRecord['outcome']) => void {
  const calls = new Counter({
    name: 'pinpoint_ai_calls_total',
    help: 'AI calls served, by model alias, the provider that answered (or was tried last; "" when none) and outcome (allow, error).',
    labelNames: ['alias', 'provider', 'outcome'] as const,
    registers,
  });
  const hops = new Counter({
    name: 'pinpoint_ai_provider_hops_total',
    help: 'Calls to providers (a fallback is one more), by outcome: ok, or the failure class (rate_limited, server_error, timeout, connect_error, refused, rejected, stream_error, client_aborted).',
    labelNames: ['alias', 'provider', 'outcome'] as const,
    registers,
  });
  const tokens = new Counter({
    name: 'pinpoint_ai_tokens_total',
    help: 'Tokens of AI calls by direction (input, cached ones included; output, reasoning included), as the provider reported them or as the gateway estimated when it sent none.',
    labelNames: ['alias', 'provider', 'direction'] as const,
    registers,
  });
  const cost = new Counter({
    name: 'pinpoint_ai_cost_usd_total',
    help: 'Cost of AI calls in US dollars, from the price table and the operator overrides (unpriced calls are not in it: see pinpoint_ai_unpriced_calls_total).',
    labelNames: ['alias', 'provider'] as const,
    registers,
  });
  const unpriced = new Counter({
    name: 'pinpoint_ai_unpriced_calls_total',
    help: 'AI calls with usage whose model has no price: not costed (never counted as zero).',
    labelNames: ['alias', 'provider'] as const,
    registers,
  });
  const ttft = new Histogram({
    name: 'pinpoint_ai_time_to_first_token_seconds',
    help: 'Time from receiving an AI call to sending the first content byte of its answer.',
    labelNames: ['alias', 'provider'] as const,
    buckets: TTFT_BUCKETS,
    registers,
  });
  const callChildren = new Children((...v) => calls.labels(...v), 3);
  const hopChildren = new Children((...v) => hops.labels(...v), 3);
  const tokenChildren = new Children((...v) => tokens.labels(...v), 3);
  const costChildren = new Children((...v) => cost.labels(...v), 2);
  const unpricedChildren = new Children((...v) => unpriced.labels(...v), 2);
  const ttftChildren = new Children((...v) => ttft.labels(...v), 2);

  return (ai, outcome) => {
    const provider = ai.provider ?? '';
    callChildren.of(ai.alias, provider, outcome).inc();
    for (const h of ai.hops) hopChildren.of(ai.alias, h.provider, h.outcome).inc();
    const u = ai.usage;
    if (u) {
      if (u.inputTokens > 0) tokenChildren.of(ai.alias, provider, 'input').inc(u.inputTokens);
      if (u.outputTokens > 0) tokenChildren.of(ai.alias, provider, 'output').inc(u.outputTokens);
      if (ai.unpriced) unpricedChildren.of(ai.alias, provider).inc();
    }
    // prom-client throws on a non-finite or negative increment: a bad figure must not break the request.
    if (ai.costUsd !== undefined && Number.isFinite(ai.costUsd) && ai.costUsd > 0) costChildren.of(ai.alias, provider).inc(ai.costUsd);
    if (ai.ttftMs !== undefined && Number.isFinite(ai.ttftMs)) ttftChildren.of(ai.alias, provider).observe(ai.ttftMs / 1000);
  };
}
