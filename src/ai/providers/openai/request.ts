/**
 * Chat Completions and Embeddings request bodies from the canonical request. The URL and
 * auth header differ between OpenAI, Azure and OpenAI-compatible servers; the body does not
 * (but for the sampling map and whether to ask for streamed usage), so it is built here once.
 */
import type { ChatRequest, EmbeddingsRequest, ResponseFormat, ToolChoice } from '../../types.ts';
import { applyParams, type ParamMap } from '../params.ts';
import { toWireMessages } from './messages.ts';

export interface ChatBodyOptions {
  params: ParamMap;
  /** Ask for the usage chunk at the end of a stream (stream_options.include_usage). */
  streamUsage: boolean;
  /** The model field (Azure routes by deployment in the URL but accepts it too). */
  model: string;
}

export function chatBody(req: ChatRequest, o: ChatBodyOptions): Record<string, unknown> {
  const body: Record<string, unknown> = { model: o.model, messages: toWireMessages(req.messages) };
  applyParams(o.params, req, body);
  if (req.tools?.length) {
    body.tools = req.tools.map((t) => ({
      type: 'function',
      function: { name: t.name, ...(t.description !== undefined && { description: t.description }), parameters: t.parameters },
    }));
  }
  if (req.toolChoice !== undefined) body.tool_choice = wireToolChoice(req.toolChoice);
  const format = wireResponseFormat(req.responseFormat);
  if (format) body.response_format = format;
  if (req.stream) {
    body.stream = true;
    if (o.streamUsage) body.stream_options = { include_usage: true };
  }
  return body;
}

function wireToolChoice(c: ToolChoice): unknown {
  return typeof c === 'string' ? c : { type: 'function', function: { name: c.name } };
}

/** Text is the default, so it is not sent (some compatible servers reject response_format). */
function wireResponseFormat(f: ResponseFormat | undefined): unknown {
  if (!f || f.type === 'text') return undefined;
  if (!f.schema) return { type: 'json_object' };
  return { type: 'json_schema', json_schema: { name: f.name ?? 'response', schema: f.schema } };
}

export function embeddingsBody(req: EmbeddingsRequest, model: string): Record<string, unknown> {
  // encoding_format is left to its default (float): not every compatible server knows the field.
  const body: Record<string, unknown> = { model, input: req.input };
  if (req.dimensions !== undefined) body.dimensions = req.dimensions;
  if (req.user !== undefined) body.user = req.user;
  return body;
}
