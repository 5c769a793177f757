/**
 * A fake Gemini API (generativelanguage.googleapis.com, test/ai/fakes/types.ts contract) on
 * 127.0.0.1: v1beta models/{model}:generateContent, :streamGenerateContent?alt=sse (the
 * only streaming form the SDK and the adapter use), :batchEmbedContents and
 * :embedContent; the key in x-goog-api-key or ?key=; usageMetadata with cached and thinking
 * counts; function calls with a thought signature, as Gemini 3 sends them; Google's error
 * envelope, with a RetryInfo detail on a 429 (Gemini sends no Retry-After). The official
 * `@google/genai` pointed at `url` (httpOptions.baseUrl) works against it.
 */
import type { ServerResponse } from 'node:http';
import { type FakeServer, madeUpVector, playStream, scriptedDelay, scriptedUsage, sendJson, startFakeServer, textPieces } from './server.ts';
import type { FakeScript, RecordedCall } from './types.ts';

export interface GeminiFakeOptions {
  /** The only key accepted; unset: any key, or none, passes. */
  apiKey?: string;
}

const DEFAULT_TEXT = 'Hello from Gemini.';
const ROUTE = /^\/(v1beta|v1)\/((?:models|tunedModels)\/[^/:]+):(generateContent|streamGenerateContent|batchEmbedContents|embedContent)$/;
/** The signature the fake puts on function calls (Gemini 3 signs them; the text is opaque). */
export const FAKE_THOUGHT_SIGNATURE = 'CiQBVKhc7fakeSignature+/==';

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export function googleErrorJson(code: number, message: string, status?: string, details?: unknown[]) {
  return { error: { code, message, status: status ?? STATUS_NAMES[code] ?? 'UNKNOWN', ...(details && { details }) } };
}

type ScriptedUsage = ReturnType<typeof scriptedUsage>;
type Answer = { model: string; responseId: string };

/** usageMetadata: the prompt count includes the cached part; the thinking is counted apart from the candidates. */
function usageJson(u: ScriptedUsage) {
  const thoughts = u.reasoning ?? 0;
  return {
    promptTokenCount: u.input,
    candidatesTokenCount: u.output - thoughts,
    totalTokenCount: u.input + u.output,
    ...(u.cached ? { cachedContentTokenCount: u.cached } : {}),
    ...(thoughts ? { thoughtsTokenCount: thoughts } : {}),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: u.input }],
  };
}

function responseJson(a: Answer, parts: unknown[], finishReason: string | undefined, usage: Record<string, unknown> | undefined) {
  return {
    candidates: [{ content: { parts, role: 'model' }, ...(finishReason && { finishReason }), index: 0 }],
    ...(usage && { usageMetadata: usage }),
    modelVersion: a.model,
    responseId: a.responseId,
  };
}

function functionCallPart(script: FakeScript) {
  const call = script.toolCall!;
  return { functionCall: { name: call.name, args: JSON.parse(call.arguments || '{}') }, thoughtSignature: FAKE_THOUGHT_SIGNATURE };
}

export async function startGeminiFake(opts: GeminiFakeOptions = {}): Promise<FakeServer> {
  let n = 0;
  return startFakeServer({
    async handle({ call, script, res }) {
      n++;
      const route = call.method === 'POST' ? ROUTE.exec(call.path) : null;
      if (!route) return sendJson(res, 404, googleErrorJson(404, `The requested URL ${call.path} was not found on this server.`));
      const query = new URL(call.url, 'http://fake').searchParams;
      const denied = authProblem(call, query, opts);
      if (denied) return sendJson(res, denied.code, googleErrorJson(denied.code, denied.message, undefined, denied.details));
      const body = (call.body ?? {}) as Record<string, unknown>;
      const [, , model, method] = route;
      const invalid = invalidBody(method, body);
      if (invalid) return sendJson(res, 400, googleErrorJson(400, invalid));

      await scriptedDelay(script.firstByteDelayMs);
      if (script.status && script.status >= 400) {
        const details = script.retryAfterS === undefined ? undefined : [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${script.retryAfterS}s` }];
        return sendJson(res, script.status, googleErrorJson(script.status, script.error?.message ?? `scripted ${script.status}`, script.error?.type, details));
      }
      if (method === 'streamGenerateContent' && query.get('alt') !== 'sse') return sendJson(res, 400, googleErrorJson(400, 'this fake streams only as SSE (alt=sse)'));
      if (script.errorInside200) {
        const inside = googleErrorJson(500, script.errorInside200.message, script.errorInside200.type);
        if (method !== 'streamGenerateContent') return sendJson(res, 200, inside);
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        return void res.end(sse(inside));
      }
      const answer = { model: model.split('/')[1], responseId: `fakeResp${String(n).padStart(6, '0')}` };
      if (method === 'batchEmbedContents' || method === 'embedContent') return embeddings(res, script, method, body);
      if (method === 'streamGenerateContent') return stream(res, call, script, answer);
      const text = script.text ?? DEFAULT_TEXT;
      const usage = script.omitUsage ? undefined : usageJson(scriptedUsage(script, call, text));
      sendJson(res, 200, responseJson(answer, script.toolCall ? [functionCallPart(script)] : [{ text }], 'STOP', usage));
    },
  });
}

function authProblem(call: RecordedCall, query: URLSearchParams, opts: GeminiFakeOptions): { code: number; message: string; details?: unknown[] } | undefined {
  if (opts.apiKey === undefined) return undefined;
  const key = call.headers['x-goog-api-key'] ?? query.get('key');
  if (!key) return { code: 403, message: "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API." };
  if (key !== opts.apiKey) {
    // Gemini answers a wrong key with 400, not 401.
    return { code: 400, message: 'API key not valid. Please pass a valid API key.', details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }] };
  }
  return undefined;
}

function invalidBody(method: string, body: Record<string, unknown>): string | undefined {
  if (method === 'batchEmbedContents') return Array.isArray(body.requests) && body.requests.length ? undefined : '* BatchEmbedContentsRequest.requests: requests is not specified';
  if (method === 'embedContent') return body.content ? undefined : '* EmbedContentRequest.content: content is not specified';
  return Array.isArray(body.contents) && body.contents.length ? undefined : '* GenerateContentRequest.contents: contents is not specified';
}

const sse = (json: unknown) => `data: ${JSON.stringify(json)}\r\n\r\n`;

/** Each SSE event is a whole GenerateContentResponse; the last one carries the finishReason and the final usage. */
async function stream(res: ServerResponse, call: RecordedCall, script: FakeScript, a: Answer): Promise<void> {
  const text = script.text ?? DEFAULT_TEXT;
  const usage = script.omitUsage ? undefined : scriptedUsage(script, call, text);
  const interim = usage && { promptTokenCount: usage.input, totalTokenCount: usage.input };
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  // Gemini sends a function call whole, in one piece.
  const pieces: unknown[] = script.toolCall ? [functionCallPart(script)] : textPieces(text).map((t) => ({ text: t }));
  await playStream(res, script, pieces, {
    chunk: (part) => sse(responseJson(a, [part], undefined, interim)),
    error: (message) => sse(googleErrorJson(500, message)),
    end: () => sse(responseJson(a, [{ text: '' }], 'STOP', usage && usageJson(usage))),
  });
}

function embeddings(res: ServerResponse, script: FakeScript, method: string, body: Record<string, unknown>): void {
  const one = (r: Record<string, unknown>) => {
    const content = (r.content ?? {}) as { parts?: { text?: string }[] };
    const text = (content.parts ?? []).map((p) => p.text ?? '').join('');
    const dimensions = typeof r.outputDimensionality === 'number' ? r.outputDimensionality : (script.dimensions ?? 8);
    return { values: madeUpVector(text, dimensions) };
  };
  if (method === 'embedContent') return sendJson(res, 200, { embedding: one(body) });
  sendJson(res, 200, { embeddings: (body.requests as Record<string, unknown>[]).map(one) });
}
