/** A canonical ChatResponse → a `chat.completion` object, as the openai SDK reads it. */
import type { ChatResponse, FinishReason, Part, Usage } from '../../types.ts';
import type { RenderContext } from '../types.ts';

export function renderChatCompletion(resp: ChatResponse, ctx: RenderContext): unknown {
  const text = resp.parts.filter((p): p is Extract<Part, { type: 'text' }> => p.type === 'text').map((p) => p.text).join('');
  const calls = resp.parts.filter((p): p is Extract<Part, { type: 'tool_call' }> => p.type === 'tool_call');
  return {
    id: resp.id || ctx.requestId,
    object: 'chat.completion',
    created: ctx.created,
    model: ctx.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text === '' && calls.length ? null : text,
          refusal: null,
          ...(calls.length ? { tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) } : {}),
          annotations: [],
        },
        logprobs: null,
        finish_reason: chatFinishReason(resp.finishReason),
      },
    ],
    ...(resp.usage ? { usage: chatUsage(resp.usage) } : {}),
    // The tier the provider served at is not carried through; null, as the type allows. (system_fingerprint is left out: the type has no null for it.)
    service_tier: null,
  };
}

/** 'error' has no Chat Completions form; the server sends an error instead of an answer that ended so. */
export function chatFinishReason(r: FinishReason): string {
  return r === 'error' ? 'stop' : r;
}

/** The usage object, with every detail OpenAI sends: the gateway has no audio and no predicted outputs, so those are 0. */
export function chatUsage(u: Usage): Record<string, unknown> {
  return {
    prompt_tokens: u.inputTokens,
    completion_tokens: u.outputTokens,
    total_tokens: u.inputTokens + u.outputTokens,
    prompt_tokens_details: { cached_tokens: u.cachedInputTokens ?? 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: u.reasoningTokens ?? 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}
