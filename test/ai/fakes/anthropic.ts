/**
 * A fake Anthropic Messages API (test/ai/fakes/types.ts contract) on 127.0.0.1: POST
 * /v1/messages whole and streamed (SSE message_start, content_block_start/delta/stop with
 * text_delta and input_json_delta, ping, message_delta with the stop reason and sequence and
 * usage, message_stop, error),
 * usage with cache reads and thinking tokens, Anthropic's error envelope with request-id and
 * Retry-After. The key comes in x-api-key or, as SDKs since API version 2026-10-21 send it,
 * Authorization: Bearer (x-api-key wins when both come); under 2026-10-21 and later,
 * temperature, top_p and top_k are refused as that version does. The official
 * `@anthropic-ai/sdk` pointed at `url` works against it.
 */
import type { ServerResponse } from 'node:http';
import { type FakeServer, playStream, retryAfterHeader, scriptedDelay, scriptedUsage, sendJson, startFakeServer, textPieces } from './server.ts';
import type { FakeScript, RecordedCall } from './types.ts';

export interface AnthropicFakeOptions {
  /** The only key accepted in x-api-key; unset: any key, or none, passes. */
  apiKey?: string;
}

const DEFAULT_TEXT = 'Hello from Anthropic.';

/** The error type Anthropic sends with each status. */
const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

export function anthropicErrorJson(status: number, message: string, type?: string) {
  return { type: 'error', error: { type: type ?? ERROR_TYPES[status] ?? 'api_error', message } };
}

/** Anthropic's usage: input_tokens leaves out the cached part, which is cache_read_input_tokens. */
function usageJson(u: ScriptedUsage, output = u.output) {
  const cached = u.cached ?? 0;
  return { input_tokens: u.input - cached, cache_creation_input_tokens: 0, cache_read_input_tokens: cached, output_tokens: output, ...thinking(u), service_tier: 'standard' };
}

function thinking(u: ScriptedUsage) {
  return u.reasoning ? { output_tokens_details: { thinking_tokens: u.reasoning } } : {};
}

export async function startAnthropicFake(opts: AnthropicFakeOptions = {}): Promise<FakeServer> {
  let n = 0;
  return startFakeServer({
    async handle({ call, script, res }) {
      n++;
      const headers = { 'request-id': `req_fake${String(n).padStart(6, '0')}` };
      const fail = (status: number, message: string, type?: string, extra: Record<string, string> = {}) => sendJson(res, status, anthropicErrorJson(status, message, type), { ...headers, ...extra });

      if (call.method !== 'POST' || call.path !== '/v1/messages') return fail(404, `Not found: ${call.method} ${call.path}`);
      const key = apiKeyOf(call);
      if (opts.apiKey !== undefined && !key) return fail(401, 'x-api-key header is required');
      if (opts.apiKey !== undefined && key !== opts.apiKey) return fail(401, 'invalid x-api-key');
      const version = call.headers['anthropic-version'];
      if (typeof version !== 'string') return fail(400, 'anthropic-version: header is required');
      const body = (call.body ?? {}) as Record<string, unknown>;
      const invalid = invalidBody(body, version);
      if (invalid) return fail(400, invalid);

      await scriptedDelay(script.firstByteDelayMs);
      if (script.status && script.status >= 400) return fail(script.status, script.error?.message ?? `scripted ${script.status}`, script.error?.type, retryAfterHeader(script));
      if (script.errorInside200) {
        const inside = anthropicErrorJson(500, script.errorInside200.message, script.errorInside200.type ?? 'api_error');
        if (body.stream !== true) return sendJson(res, 200, inside, headers);
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', ...headers });
        return void res.end(sse('error', inside));
      }
      const message = { id: `msg_fake${String(n).padStart(6, '0')}`, model: String(body.model) };
      if (body.stream === true) return stream(res, call, script, message, headers);
      const text = script.text ?? DEFAULT_TEXT;
      const usage = script.omitUsage ? undefined : scriptedUsage(script, call, text);
      sendJson(res, 200, messageJson(message, script, text, usage), headers);
    },
  });
}

function apiKeyOf(call: RecordedCall): string | undefined {
  const key = call.headers['x-api-key'];
  if (typeof key === 'string' && key) return key;
  const auth = call.headers.authorization;
  return typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : undefined;
}

function invalidBody(body: Record<string, unknown>, version: string): string | undefined {
  if (typeof body.model !== 'string') return 'model: Field required';
  if (version >= '2026-10-21') for (const removed of ['temperature', 'top_p', 'top_k']) if (removed in body) return `${removed}: Extra inputs are not permitted`;
  if (typeof body.max_tokens !== 'number') return 'max_tokens: Field required';
  if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: Field required';
  return undefined;
}

type ScriptedUsage = ReturnType<typeof scriptedUsage>;

function messageJson(m: { id: string; model: string }, script: FakeScript, text: string, usage: ScriptedUsage | undefined) {
  const tool = script.toolCall;
  return {
    id: m.id,
    type: 'message',
    role: 'assistant',
    model: m.model,
    content: tool ? [{ type: 'tool_use', id: tool.id, name: tool.name, input: JSON.parse(tool.arguments || '{}') }] : [{ type: 'text', text }],
    ...stopOf(script),
    ...(usage && { usage: usageJson(usage) }),
  };
}

function stopOf(script: FakeScript): { stop_reason: string; stop_sequence: string | null } {
  if (script.toolCall) return { stop_reason: 'tool_use', stop_sequence: null };
  return script.stopSequence !== undefined ? { stop_reason: 'stop_sequence', stop_sequence: script.stopSequence } : { stop_reason: 'end_turn', stop_sequence: null };
}

const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

async function stream(res: ServerResponse, call: RecordedCall, script: FakeScript, m: { id: string; model: string }, headers: Record<string, string>): Promise<void> {
  const tool = script.toolCall;
  const text = tool ? tool.arguments : (script.text ?? DEFAULT_TEXT);
  const usage = script.omitUsage ? undefined : scriptedUsage(script, call, text);
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...headers });
  const start = { id: m.id, type: 'message', role: 'assistant', model: m.model, content: [], stop_reason: null, stop_sequence: null, ...(usage && { usage: usageJson(usage, 1) }) };
  const block = tool ? { type: 'tool_use', id: tool.id, name: tool.name, input: {} } : { type: 'text', text: '' };
  res.write(sse('message_start', { type: 'message_start', message: start }) + sse('content_block_start', { type: 'content_block_start', index: 0, content_block: block }) + sse('ping', { type: 'ping' }));
  await playStream(res, script, textPieces(text, tool ? 8 : 4), {
    chunk: (piece) => sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: tool ? { type: 'input_json_delta', partial_json: piece } : { type: 'text_delta', text: piece } }),
    error: (message) => sse('error', anthropicErrorJson(529, message)),
    end: () =>
      sse('content_block_stop', { type: 'content_block_stop', index: 0 }) +
      sse('message_delta', { type: 'message_delta', delta: stopOf(script), ...(usage && { usage: { output_tokens: usage.output, ...thinking(usage) } }) }) +
      sse('message_stop', { type: 'message_stop' }),
  });
}
