import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectFor, dialects, errorDialect } from './index.ts';
import { DIALECTS, type AiError } from './types.ts';

test('every dialect is registered under its own name', () => {
  assert.deepEqual(Object.keys(dialects).sort(), [...DIALECTS].sort());
  for (const [name, d] of Object.entries(dialects)) assert.equal(d.name, name);
});

const routes: [api: 'openai' | 'anthropic', path: string, want: string | undefined][] = [
  ['openai', '/v1/chat/completions', 'openai-chat'],
  ['openai', '/ai/openai/v1/chat/completions/', 'openai-chat'],
  ['openai', '/v1/chat/completions?api-version=1', 'openai-chat'],
  ['openai', '/v1/embeddings', 'openai-embeddings'],
  ['openai', '/v1/responses', 'openai-responses'],
  ['openai', '/v1/messages', undefined],
  ['openai', '/v1/completions', undefined],
  ['openai', '/v1/responses/resp_1', undefined],
  ['openai', '/v1/xchat/completions', undefined],
  ['anthropic', '/v1/messages', 'anthropic-messages'],
  ['anthropic', '/claude/v1/messages', 'anthropic-messages'],
  ['anthropic', '/v1/messages/count_tokens', undefined],
  ['anthropic', '/v1/chat/completions', undefined],
];

for (const [api, path, want] of routes) {
  test(`dialectFor(${api}, ${path}) is ${want ?? 'none'}`, () => assert.equal(dialectFor(api, path)?.name, want));
}

test('a path that fits no endpoint is answered in the API\'s main envelope', () => {
  assert.equal(errorDialect('openai').name, 'openai-chat');
  assert.equal(errorDialect('anthropic').name, 'anthropic-messages');
});

const statuses: [status: number, openai: string, anthropic: string][] = [
  [400, 'invalid_request_error', 'invalid_request_error'],
  [401, 'authentication_error', 'authentication_error'],
  [402, 'insufficient_quota', 'billing_error'],
  [403, 'permission_error', 'permission_error'],
  [404, 'not_found_error', 'not_found_error'],
  [413, 'invalid_request_error', 'request_too_large'],
  [422, 'invalid_request_error', 'invalid_request_error'],
  [429, 'rate_limit_error', 'rate_limit_error'],
  [500, 'api_error', 'api_error'],
  [502, 'api_error', 'api_error'],
  [503, 'api_error', 'overloaded_error'],
  [504, 'api_error', 'timeout_error'],
  [529, 'api_error', 'overloaded_error'],
];

const denial = (status: number): AiError => ({
  status,
  code: 'ai.budget_exhausted',
  message: 'The tenant\'s monthly spend budget is used up.',
  param: 'model',
  requestId: 'req_7',
  details: { budget: 'tenant', limit_usd: 100, used_usd: 100.2, resets_at: '2027-01-01T00:00:00Z' },
});

for (const [status, openaiType, anthropicType] of statuses) {
  test(`error envelopes for ${status}: OpenAI type ${openaiType}, Anthropic type ${anthropicType}`, () => {
    for (const name of ['openai-chat', 'openai-embeddings', 'openai-responses'] as const) {
      assert.deepEqual(dialects[name].error(denial(status)), {
        body: {
          error: {
            message: 'The tenant\'s monthly spend budget is used up.',
            type: openaiType,
            code: 'ai.budget_exhausted',
            param: 'model',
            pinpoint: { budget: 'tenant', limit_usd: 100, used_usd: 100.2, resets_at: '2027-01-01T00:00:00Z', request_id: 'req_7' },
          },
        },
        headers: { 'x-request-id': 'req_7' },
      });
    }
    assert.deepEqual(dialects['anthropic-messages'].error(denial(status)), {
      body: {
        type: 'error',
        error: {
          type: anthropicType,
          message: 'The tenant\'s monthly spend budget is used up.',
          details: { budget: 'tenant', limit_usd: 100, used_usd: 100.2, resets_at: '2027-01-01T00:00:00Z', param: 'model', error_code: 'ai.budget_exhausted' },
        },
        request_id: 'req_7',
      },
      headers: { 'request-id': 'req_7' },
    });
  });
}

test('error envelopes: no param is null for OpenAI and absent for Anthropic; details cannot overwrite the code or request id', () => {
  const e: AiError = { status: 403, code: 'ai.model_not_allowed', message: 'm', requestId: 'req_8', details: { request_id: 'spoof', error_code: 'spoof' } };
  const openai = dialects['openai-chat'].error(e).body as { error: { param: unknown; pinpoint: { request_id: string } } };
  assert.equal(openai.error.param, null);
  assert.equal(openai.error.pinpoint.request_id, 'req_8');
  const anthropic = dialects['anthropic-messages'].error(e).body as { error: { details: Record<string, unknown> } };
  assert.deepEqual(anthropic.error.details, { request_id: 'spoof', error_code: 'ai.model_not_allowed' });
});
