/**
 * A fake Ollama server (test/ai/fakes/types.ts contract) on 127.0.0.1: POST /api/chat (a
 * whole object, or NDJSON lines when `stream` is true or absent, Ollama's default; the last
 * line done:true with done_reason and the counts), POST /api/embed, GET /api/tags and GET /
 * ("Ollama is running"). Failures are `{"error":"..."}`, as a non-2xx body, a 200 body or an
 * NDJSON line. Ollama's wire has no cached or reasoning counts, and no request id.
 */
import type { ServerResponse } from 'node:http';
import { type FakeServer, madeUpVector, playStream, retryAfterHeader, scriptedDelay, scriptedUsage, sendJson, startFakeServer, textPieces } from './server.ts';
import type { FakeScript, RecordedCall } from './types.ts';

export interface OllamaFakeOptions {
  /** A Bearer key required (Ollama behind an authenticating proxy); unset: no auth, like a local Ollama. */
  apiKey?: string;
}

const DEFAULT_TEXT = 'Hello from Ollama.';
const CREATED_AT = '2026-01-01T00:00:00.000000Z';

export async function startOllamaFake(opts: OllamaFakeOptions = {}): Promise<FakeServer> {
  return startFakeServer({
    async handle({ call, script, res }) {
      if (call.method === 'GET' && call.path === '/') return void res.end('Ollama is running');
      if (call.method === 'GET' && call.path === '/api/tags') return sendJson(res, 200, { models: [] });
      const isChat = call.method === 'POST' && call.path === '/api/chat';
      if (!isChat && !(call.method === 'POST' && call.path === '/api/embed')) return sendJson(res, 404, { error: '404 page not found' });
      if (opts.apiKey !== undefined && call.headers.authorization !== `Bearer ${opts.apiKey}`) return sendJson(res, 401, { error: 'unauthorized' });
      const body = (call.body ?? {}) as Record<string, unknown>;
      if (typeof body.model !== 'string' || !body.model) return sendJson(res, 400, { error: 'model is required' });

      await scriptedDelay(script.firstByteDelayMs);
      if (script.status && script.status >= 400) return sendJson(res, script.status, { error: script.error?.message ?? `scripted ${script.status}` }, retryAfterHeader(script));
      // Ollama streams unless told not to.
      const streamed = isChat && body.stream !== false;
      if (script.errorInside200) {
        if (!streamed) return sendJson(res, 200, { error: script.errorInside200.message });
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        return void res.end(`${JSON.stringify({ error: script.errorInside200.message })}\n`);
      }
      if (!isChat) return embed(res, call, script, body);
      const text = script.toolCall ? '' : (script.text ?? DEFAULT_TEXT);
      if (streamed) return streamChat(res, call, script, body.model, text);
      const message = { role: 'assistant', content: text, ...(script.toolCall && { tool_calls: [toolCallJson(script.toolCall)] }) };
      sendJson(res, 200, { model: body.model, created_at: CREATED_AT, message, done_reason: 'stop', done: true, ...metrics(script, call, text) });
    },
  });
}

function toolCallJson(call: NonNullable<FakeScript['toolCall']>) {
  return { function: { name: call.name, arguments: JSON.parse(call.arguments || '{}') as unknown } };
}

/** Durations (in ns) and, unless omitted, the counts Ollama reports on its last object. */
function metrics(script: FakeScript, call: RecordedCall, text: string) {
  const timing = { total_duration: 1_200_000, load_duration: 100_000, prompt_eval_duration: 300_000, eval_duration: 800_000 };
  if (script.omitUsage) return timing;
  const u = scriptedUsage(script, call, text);
  return { ...timing, prompt_eval_count: u.input, eval_count: u.output };
}

async function streamChat(res: ServerResponse, call: RecordedCall, script: FakeScript, model: string, text: string): Promise<void> {
  const line = (v: unknown) => `${JSON.stringify(v)}\n`;
  const piece = (message: Record<string, unknown>) => line({ model, created_at: CREATED_AT, message: { role: 'assistant', ...message }, done: false });
  // A tool call comes whole, in one line.
  const pieces = script.toolCall ? [''] : textPieces(text);
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  await playStream(res, script, pieces, {
    chunk: (content) => piece(script.toolCall ? { content: '', tool_calls: [toolCallJson(script.toolCall)] } : { content }),
    error: (message) => line({ error: message }),
    end: () => line({ model, created_at: CREATED_AT, message: { role: 'assistant', content: '' }, done_reason: 'stop', done: true, ...metrics(script, call, text) }),
  });
}

function embed(res: ServerResponse, call: RecordedCall, script: FakeScript, body: Record<string, unknown>): void {
  const inputs = Array.isArray(body.input) ? body.input.map(String) : [String(body.input ?? '')];
  const dimensions = typeof body.dimensions === 'number' ? body.dimensions : (script.dimensions ?? 8);
  const tokens = script.omitUsage ? {} : { prompt_eval_count: script.usage?.input ?? scriptedUsage(script, call, '').input };
  sendJson(res, 200, { model: body.model, embeddings: inputs.map((t) => madeUpVector(t, dimensions)), total_duration: 500_000, load_duration: 100_000, ...tokens });
}
