/**
 * A tiny HTTP server on 127.0.0.1 that speaks a client API through the dialects alone: it
 * parses each call with the dialect its path names (recording what it parsed, so a test can
 * check what the SDK sent) and answers what the test scripted, rendered by the same dialect.
 * The official SDKs pointed at it prove that both directions are the wire formats they know.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dialectFor, errorDialect, type ApiFamily } from '../../../src/ai/dialects/index.ts';
import { AiRequestError, type AiError, type Dialect, type ParsedCall, type RenderContext } from '../../../src/ai/dialects/types.ts';
import type { ChatResponse, EmbeddingsResponse, StreamEvent, Usage } from '../../../src/ai/types.ts';

export type Script =
  | { answer: ChatResponse }
  | { embeddings: EmbeddingsResponse }
  /** Streamed events; with failWith, the dialect's mid-stream error instead of the normal end. */
  | { stream: StreamEvent[]; failWith?: { error: AiError; usage?: Usage } }
  /** A refusal before any answer (requestId is filled in). */
  | { error: Omit<AiError, 'requestId'> };

export interface Call {
  path: string;
  headers: IncomingMessage['headers'];
  parsed?: ParsedCall;
  refused?: AiRequestError;
}

export interface DialectServer {
  /** http://127.0.0.1:<port> */
  url: string;
  calls: Call[];
  /** Answers for the next calls, in order. */
  script(...s: Script[]): void;
  close(): Promise<void>;
}

export const REQUEST_ID = 'req_0123456789abcdef0123456789abcdef';
export const CREATED = 1_700_000_000;

export async function startDialectServer(api: ApiFamily): Promise<DialectServer> {
  const calls: Call[] = [];
  const queue: Script[] = [];
  const idHeader = api === 'openai' ? 'x-request-id' : 'request-id';

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = req.url ?? '/';
    const call: Call = { path, headers: req.headers };
    calls.push(call);
    const dialect = dialectFor(api, path);
    if (!dialect) return sendError(res, errorDialect(api), { status: 404, code: 'ai.no_endpoint', message: `${path} is not an endpoint here`, requestId: REQUEST_ID });
    try {
      call.parsed = dialect.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    } catch (err) {
      if (!(err instanceof AiRequestError)) throw err;
      call.refused = err;
      return sendError(res, dialect, { status: 400, code: 'ai.bad_request', message: `${err.path}: ${err.message}`, param: err.path, requestId: REQUEST_ID });
    }
    const s = queue.shift();
    if (!s) throw new Error(`no answer scripted for ${path}`);
    const parsed = call.parsed;
    const ctx: RenderContext = {
      model: parsed.request.model,
      requestId: REQUEST_ID,
      created: CREATED,
      ...(parsed.operation === 'chat' && parsed.includeUsage ? { includeUsage: true } : {}),
      ...(parsed.operation === 'chat' && parsed.echo ? { echo: parsed.echo } : {}),
    };
    if ('error' in s) return sendError(res, dialect, { ...s.error, requestId: REQUEST_ID });
    if ('answer' in s) return sendJson(res, 200, dialect.renderChat!(s.answer, ctx));
    if ('embeddings' in s) return sendJson(res, 200, dialect.renderEmbeddings!(s.embeddings, ctx, parsed.operation === 'embeddings' ? parsed.encoding : undefined));
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', [idHeader]: REQUEST_ID });
    const enc = dialect.chatStream!(ctx);
    // Each event in its own write, as a relay sends them.
    for (const e of s.stream) {
      const text = enc.event(e);
      if (text) res.write(text);
    }
    res.end(s.failWith ? enc.error(s.failWith.error, s.failWith.usage) : enc.end());
  }

  function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', [idHeader]: REQUEST_ID, ...headers });
    res.end(JSON.stringify(body));
  }

  function sendError(res: ServerResponse, dialect: Dialect, e: AiError): void {
    const env = dialect.error(e);
    sendJson(res, e.status, env.body, env.headers);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(599).end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    script: (...s) => queue.push(...s),
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
