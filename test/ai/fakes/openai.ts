/**
 * A fake OpenAI API (test/ai/fakes/types.ts contract) on 127.0.0.1: Chat Completions
 * (whole and streamed as SSE, with stream_options.include_usage, tool calls as deltas,
 * [DONE]) and Embeddings (float or base64), OpenAI's error envelope with x-request-id and
 * Retry-After. The official `openai` SDK pointed at `url` works against it.
 *
 * With `azure: true` it is an Azure OpenAI resource instead: /openai/deployments/{d}/...
 * with a required api-version query, the key in `api-key`, Azure's error envelope, its
 * apim-request-id and its nameless first stream chunk. With `compatible` it is an
 * OpenAI-compatible server (vLLM and the like) with their known differences.
 */
import type { ServerResponse } from 'node:http';
import {
  AZURE_PROMPT_FILTER_CHUNK,
  type AnswerIds,
  azureErrorJson,
  chunkJson,
  completionJson,
  deltaFor,
  embeddingsJson,
  openaiErrorJson,
  usageChunkJson,
} from './openai-answers.ts';
import { type FakeServer, playStream, retryAfterHeader, scriptedDelay, scriptedUsage, sendJson, startFakeServer, textPieces } from './server.ts';
import type { FakeScript, RecordedCall } from './types.ts';

export interface OpenAIFakeOptions {
  /** Serve Azure OpenAI's paths and `api-key` header instead of OpenAI's. */
  azure?: boolean;
  /** The only key accepted (Bearer, or api-key for Azure); unset: any key, or none, passes. */
  apiKey?: string;
  /** Path prefix of the base URL (default '/v1'; Azure has none). */
  prefix?: string;
  /** An OpenAI-compatible server's known differences. */
  compatible?: {
    /** Refuse stream_options with 400 (in vLLM's envelope), as some servers do. */
    rejectStreamOptions?: boolean;
    /** End streams without `data: [DONE]`. */
    noDone?: boolean;
  };
}

const DEFAULT_TEXT = 'Hello from OpenAI.';
const AZURE_PATH = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/;

export async function startOpenAIFake(opts: OpenAIFakeOptions = {}): Promise<FakeServer> {
  const prefix = opts.azure ? '' : (opts.prefix ?? '/v1');
  let n = 0;
  return startFakeServer({
    prefix,
    async handle({ call, script, res }) {
      n++;
      const ids = { requestId: `req_fake${String(n).padStart(6, '0')}`, n };
      const fail = (status: number, message: string, type?: string, extra: Record<string, string> = {}) =>
        sendJson(res, status, opts.azure ? azureErrorJson(status, message, type) : openaiErrorJson(status, message, type), { ...requestIdHeaders(opts, ids.requestId), ...extra });

      const route = routeOf(call, prefix, opts);
      if (!route) return fail(404, opts.azure ? 'Resource not found' : `Invalid URL (${call.method} ${call.path})`);
      const denied = authProblem(call, opts);
      if (denied) return fail(401, denied, opts.azure ? undefined : 'invalid_api_key');
      const body = (call.body ?? {}) as Record<string, unknown>;
      const invalid = invalidBody(route.operation, body, opts);
      if (invalid) return opts.compatible && invalid.vllm ? sendJson(res, 400, invalid.vllm) : fail(400, invalid.message);

      await scriptedDelay(script.firstByteDelayMs);
      if (script.status && script.status >= 400) {
        const message = script.error?.message ?? `scripted ${script.status}`;
        return fail(script.status, message, script.error?.type, retryHeaders(script, opts));
      }
      const headers = requestIdHeaders(opts, ids.requestId);
      if (script.errorInside200) {
        const inside = openaiErrorJson(500, script.errorInside200.message, script.errorInside200.type ?? 'server_error');
        if (body.stream !== true) return sendJson(res, 200, inside, headers);
        res.writeHead(200, { 'content-type': 'text/event-stream', ...headers });
        return void res.end(`data: ${JSON.stringify(inside)}\n\n`);
      }
      const model = String(body.model ?? route.deployment ?? 'gpt-fake');
      const answer = { id: `chatcmpl-fake${ids.n}`, model, created: 1_760_000_000 + ids.n };
      if (route.operation === 'embeddings') return embeddings(res, call, script, body, model, headers);
      if (body.stream === true) return streamChat(res, call, script, body, answer, headers, opts);
      const text = script.text ?? DEFAULT_TEXT;
      const usage = script.omitUsage ? undefined : scriptedUsage(script, call, text);
      sendJson(res, 200, completionJson(answer, script, text, usage), headers);
    },
  });
}

function routeOf(call: RecordedCall, prefix: string, opts: OpenAIFakeOptions): { operation: 'chat' | 'embeddings'; deployment?: string } | undefined {
  if (call.method !== 'POST') return undefined;
  if (opts.azure) {
    const m = AZURE_PATH.exec(call.path);
    // Azure answers 404 'Resource not found' to a call without api-version, like to a wrong path.
    if (!m || !new URL(call.url, 'http://x').searchParams.get('api-version')) return undefined;
    return { operation: m[2] === 'embeddings' ? 'embeddings' : 'chat', deployment: decodeURIComponent(m[1]) };
  }
  if (call.path === `${prefix}/chat/completions`) return { operation: 'chat' };
  if (call.path === `${prefix}/embeddings`) return { operation: 'embeddings' };
  return undefined;
}

function authProblem(call: RecordedCall, opts: OpenAIFakeOptions): string | undefined {
  if (opts.apiKey === undefined) return undefined;
  if (opts.azure) {
    return call.headers['api-key'] === opts.apiKey ? undefined : 'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.';
  }
  const auth = String(call.headers.authorization ?? '');
  if (!auth.startsWith('Bearer ')) return "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
  const given = auth.slice('Bearer '.length);
  // OpenAI echoes the wrong key masked: its first 8 and last 4 characters.
  if (given !== opts.apiKey) return `Incorrect API key provided: ${given.slice(0, 8)}${'*'.repeat(Math.max(0, given.length - 12))}${given.slice(-4)}. You can find your API key at https://platform.openai.com/account/api-keys.`;
  return undefined;
}

function invalidBody(operation: 'chat' | 'embeddings', body: Record<string, unknown>, opts: OpenAIFakeOptions): { message: string; vllm?: unknown } | undefined {
  if (!opts.azure && typeof body.model !== 'string') return { message: 'you must provide a model parameter' };
  if (operation === 'embeddings') return body.input === undefined ? { message: "'input' is a required property" } : undefined;
  if (!Array.isArray(body.messages) || body.messages.length === 0) return { message: "'messages' is a required property" };
  if (opts.compatible?.rejectStreamOptions && body.stream_options !== undefined) {
    const message = 'stream_options: Extra inputs are not permitted';
    // vLLM's envelope: OpenAI's, with the status as a numeric code.
    return { message, vllm: { error: { message, type: 'BadRequestError', param: null, code: 400 } } };
  }
  return undefined;
}

function requestIdHeaders(opts: OpenAIFakeOptions, id: string): Record<string, string> {
  return opts.azure ? { 'x-request-id': id, 'apim-request-id': id } : { 'x-request-id': id, 'openai-processing-ms': '1' };
}

/** OpenAI and Azure send retry-after-ms beside Retry-After on a 429. */
function retryHeaders(script: FakeScript, opts: OpenAIFakeOptions): Record<string, string> {
  const h = retryAfterHeader(script);
  if (script.retryAfterS !== undefined && !opts.compatible) h['retry-after-ms'] = String(script.retryAfterS * 1000);
  return h;
}

async function streamChat(res: ServerResponse, call: RecordedCall, script: FakeScript, body: Record<string, unknown>, ids: AnswerIds, headers: Record<string, string>, opts: OpenAIFakeOptions): Promise<void> {
  const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
  const text = script.toolCall ? script.toolCall.arguments : (script.text ?? DEFAULT_TEXT);
  const data = (json: unknown) => `data: ${JSON.stringify(json)}\n\n`;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...headers });
  if (opts.azure) res.write(data(AZURE_PROMPT_FILTER_CHUNK));
  await playStream(res, script, textPieces(text, script.toolCall ? 8 : 4), {
    chunk: (piece, i) => data(chunkJson(ids, deltaFor(script, piece, i), null, includeUsage)),
    error: (message) => data(openaiErrorJson(500, message, 'server_error')),
    end: () => {
      let out = data(chunkJson(ids, {}, script.toolCall ? 'tool_calls' : 'stop', includeUsage));
      if (includeUsage && !script.omitUsage) out += data(usageChunkJson(ids, scriptedUsage(script, call, text)));
      return opts.compatible?.noDone ? out : `${out}data: [DONE]\n\n`;
    },
  });
}

function embeddings(res: ServerResponse, call: RecordedCall, script: FakeScript, body: Record<string, unknown>, model: string, headers: Record<string, string>): void {
  const inputs = Array.isArray(body.input) ? body.input.map(String) : [String(body.input)];
  const dimensions = typeof body.dimensions === 'number' ? body.dimensions : (script.dimensions ?? 8);
  const tokens = script.omitUsage ? undefined : (script.usage?.input ?? scriptedUsage(script, call, '').input);
  sendJson(res, 200, embeddingsJson(model, inputs, dimensions, body.encoding_format === 'base64', tokens), headers);
}
