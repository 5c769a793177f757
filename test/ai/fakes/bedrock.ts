/**
 * A fake AWS Bedrock runtime (Converse API, test/ai/fakes/types.ts contract) on 127.0.0.1:
 * POST /model/{modelId}/converse and /converse-stream, the stream in real AWS event stream
 * frames (application/vnd.amazon.eventstream, encoded with @smithy/eventstream-codec):
 * messageStart, contentBlockStart/Delta/Stop, messageStop, metadata with usage, exception
 * frames. Every call must carry a SigV4 Authorization header for service bedrock (with
 * `credentials`, the signature is checked by signing the received request again); refusals
 * are `{message}` with x-amzn-errortype and x-amzn-requestid, as Bedrock sends them.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { eventFrame, exceptionFrame } from '../../../src/ai/providers/bedrock/frames.ts';
import { type AwsCredentials, parseAuthorization, signatureProblem } from './bedrock-sigv4.ts';
import { type FakeServer, playStream, retryAfterHeader, scriptedDelay, scriptedUsage, sendJson, startFakeServer, textPieces } from './server.ts';
import type { FakeScript, RecordedCall } from './types.ts';

export interface BedrockFakeOptions {
  /** Verify each call's signature with these; unset: only the header's SigV4 form is checked. */
  credentials?: AwsCredentials;
  /** The region calls must be signed for; unset: any. */
  region?: string;
}

const DEFAULT_TEXT = 'Hello from Bedrock.';
const ROUTE = /^\/model\/([^/]+)\/(converse|converse-stream)$/;

const ERROR_TYPES: Record<number, string> = {
  400: 'ValidationException',
  403: 'AccessDeniedException',
  404: 'ResourceNotFoundException',
  408: 'ModelTimeoutException',
  424: 'ModelErrorException',
  429: 'ThrottlingException',
  500: 'InternalServerException',
  503: 'ServiceUnavailableException',
};

type ScriptedUsage = ReturnType<typeof scriptedUsage>;

/** Converse's usage: inputTokens leaves out the cached part, which is cacheReadInputTokens. */
function usageJson(u: ScriptedUsage) {
  const cached = u.cached ?? 0;
  return { inputTokens: u.input - cached, outputTokens: u.output, totalTokens: u.input + u.output, ...(cached ? { cacheReadInputTokens: cached, cacheWriteInputTokens: 0 } : {}) };
}

/** Bedrock pads stream events with a "p" member of random length, so sizes do not give the text away. */
function padded(payload: Record<string, unknown>): Record<string, unknown> {
  return { ...payload, p: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ'.slice(0, 1 + Math.floor(Math.random() * 30)) };
}

export async function startBedrockFake(opts: BedrockFakeOptions = {}): Promise<FakeServer> {
  return startFakeServer({
    async handle({ call, script, res }) {
      const requestId = randomUUID();
      const fail = (status: number, message: string, type = ERROR_TYPES[status] ?? 'InternalServerException', extra: Record<string, string> = {}) =>
        sendJson(res, status, { message }, { 'x-amzn-requestid': requestId, 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`, ...extra });

      const route = call.method === 'POST' ? ROUTE.exec(call.path) : null;
      if (!route) return fail(404, 'Not Found', 'UnknownOperationException');
      const denied = await authProblem(call, opts);
      if (denied) return fail(403, denied.message, denied.type);
      const body = (call.body ?? {}) as Record<string, unknown>;
      if (!Array.isArray(body.messages)) return fail(400, "1 validation error detected: Value null at 'messages' failed to satisfy constraint: Member must not be null");

      await scriptedDelay(script.firstByteDelayMs);
      if (script.status && script.status >= 400) return fail(script.status, script.error?.message ?? `scripted ${script.status}`, script.error?.type, retryAfterHeader(script));
      const streamed = route[2] === 'converse-stream';
      if (script.errorInside200) {
        const { message, type = 'modelStreamErrorException' } = script.errorInside200;
        if (!streamed) return sendJson(res, 200, { message }, { 'x-amzn-requestid': requestId });
        res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': requestId });
        return void res.end(exceptionFrame(type, message));
      }
      if (streamed) return stream(res, call, script, requestId);
      const text = script.text ?? DEFAULT_TEXT;
      const usage = script.omitUsage ? undefined : scriptedUsage(script, call, text);
      const tool = script.toolCall;
      const content = tool ? [{ toolUse: { toolUseId: tool.id, name: tool.name, input: JSON.parse(tool.arguments || '{}') } }] : [{ text }];
      sendJson(res, 200, { output: { message: { role: 'assistant', content } }, stopReason: tool ? 'tool_use' : 'end_turn', ...(usage && { usage: usageJson(usage) }), metrics: { latencyMs: 42 } }, { 'x-amzn-requestid': requestId });
    },
  });
}

/** What AWS answers to a call without a valid SigV4 signature. */
async function authProblem(call: RecordedCall, opts: BedrockFakeOptions): Promise<{ type: string; message: string } | undefined> {
  const header = call.headers.authorization;
  if (!header) return { type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  const auth = parseAuthorization(String(header));
  if (!auth || !call.headers['x-amz-date']) {
    return { type: 'IncompleteSignatureException', message: "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters, and an X-Amz-Date header." };
  }
  if (auth.service !== 'bedrock') return { type: 'InvalidSignatureException', message: "Credential should be scoped to correct service: 'bedrock'." };
  if (opts.region && auth.region !== opts.region) return { type: 'InvalidSignatureException', message: 'Credential should be scoped to a valid region.' };
  if (!opts.credentials) return undefined;
  const problem = await signatureProblem({ method: call.method, path: call.path, headers: call.headers, body: call.rawBody }, opts.credentials);
  if (!problem) return undefined;
  if (problem === 'unknown access key id') return { type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  return { type: 'InvalidSignatureException', message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.' };
}

async function stream(res: ServerResponse, call: RecordedCall, script: FakeScript, requestId: string): Promise<void> {
  const tool = script.toolCall;
  const text = tool ? tool.arguments : (script.text ?? DEFAULT_TEXT);
  const usage = script.omitUsage ? undefined : scriptedUsage(script, call, text);
  res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': requestId });
  res.write(eventFrame('messageStart', padded({ role: 'assistant' })));
  if (tool) res.write(eventFrame('contentBlockStart', padded({ contentBlockIndex: 0, start: { toolUse: { toolUseId: tool.id, name: tool.name } } })));
  await playStream(res, script, textPieces(text, tool ? 8 : 4), {
    chunk: (piece) => eventFrame('contentBlockDelta', padded({ contentBlockIndex: 0, delta: tool ? { toolUse: { input: piece } } : { text: piece } })),
    error: (message) => exceptionFrame('modelStreamErrorException', message),
    end: () =>
      Buffer.concat([
        eventFrame('contentBlockStop', padded({ contentBlockIndex: 0 })),
        eventFrame('messageStop', padded({ stopReason: tool ? 'tool_use' : 'end_turn' })),
        eventFrame('metadata', padded({ ...(usage && { usage: usageJson(usage) }), metrics: { latencyMs: 42 } })),
      ]),
  });
}
