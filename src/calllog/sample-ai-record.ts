// Realistic AI call records for tests of why, metrics, reports and alerts: a chat call on an
// AI route whose first provider failed and whose fallback answered.
import type { AiCallRecord } from '../ai/record.ts';
import { allowedRecord } from './sample-record.ts';
import type { CallRecord } from './types.ts';

export function aiCallRecord(ai: Partial<AiCallRecord> = {}): AiCallRecord {
  return {
    api: 'openai-chat',
    alias: 'gpt',
    stream: true,
    provider: 'backup',
    model: 'gpt-4o-mini',
    usage: { inputTokens: 1200, outputTokens: 300, cachedInputTokens: 1000, reasoningTokens: 50 },
    costUsd: 0.00036,
    ttftMs: 180.5,
    finishReason: 'stop',
    hops: [
      { provider: 'openai', model: 'gpt-4o-mini', status: 500, ms: 20.25, outcome: 'server_error', providerRequestId: 'req_up_1', message: 'The server had an error' },
      { provider: 'backup', model: 'gpt-4o-mini', status: 200, ms: 170, outcome: 'ok', providerRequestId: 'req_up_2' },
    ],
    stopped: 'answered',
    ...ai,
  };
}

/** An allowed call on route "llm" (POST /v1/chat/completions) with its AI record. */
export function aiRecord(ai: Partial<AiCallRecord> = {}, over: Partial<CallRecord> = {}): CallRecord {
  const base = allowedRecord({ route: 'llm', method: 'POST', path: '/v1/chat/completions', query: '', consumer: 'acme-app', tenant: 'acme', upstreamStatus: undefined, upstreamMs: undefined, ...over });
  const record = aiCallRecord(ai);
  return { ...base, upstream: record.provider, ai: record, decision: { ...base.decision, route: base.route, method: base.method, path: base.path } };
}
