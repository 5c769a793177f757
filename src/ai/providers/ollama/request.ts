/**
 * Ollama's native /api/chat and /api/embed bodies. Messages carry plain text content, images
 * as bare base64 in `images`, tool calls with arguments as a JSON object, and tool results as
 * `tool` messages that name the function (`tool_name`), not the call.
 */
import type { ChatRequest, EmbeddingsRequest, Message, Part, ToolDefinition } from '../../types.ts';
import { toolInput, toolNamesById } from '../common/tools.ts';
import { applyParams } from '../params.ts';
import { ollamaParams } from './params.ts';

interface OllamaMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  images?: string[];
  tool_calls?: { function: { name: string; arguments: Record<string, unknown> } }[];
  tool_name?: string;
}

export function chatBody(req: ChatRequest, model: string): Record<string, unknown> {
  // stream is always sent: Ollama streams unless told not to.
  const body: Record<string, unknown> = { model, messages: toOllamaMessages(req.messages), stream: req.stream };
  applyParams(ollamaParams, req, body);
  const tools = offeredTools(req);
  if (tools.length) body.tools = tools.map((t) => ({ type: 'function', function: { name: t.name, ...(t.description !== undefined && { description: t.description }), parameters: t.parameters } }));
  const f = req.responseFormat;
  if (f?.type === 'json') body.format = f.schema ?? 'json';
  return body;
}

/**
 * Ollama has no tool_choice: 'none' is kept by offering no tools, a named tool by offering
 * only that one ('required' cannot be enforced; the model may still answer in text).
 */
function offeredTools(req: ChatRequest): ToolDefinition[] {
  const tools = req.tools ?? [];
  const c = req.toolChoice;
  if (c === 'none') return [];
  if (typeof c === 'object') return tools.filter((t) => t.name === c.name);
  return tools;
}

function toOllamaMessages(messages: readonly Message[]): OllamaMessage[] {
  const names = toolNamesById(messages);
  const out: OllamaMessage[] = [];
  for (const m of messages) {
    for (const p of m.parts) {
      if (p.type !== 'tool_result') continue;
      const name = names.get(p.toolCallId);
      out.push({ role: 'tool', content: p.content, ...(name && { tool_name: name }) });
    }
    const rest = m.parts.filter((p) => p.type !== 'tool_result');
    if (rest.length === 0) continue;
    const role = m.role === 'tool' ? 'user' : m.role;
    const msg: OllamaMessage = { role, content: rest.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join(m.role === 'system' ? '\n\n' : '') };
    const images = rest.flatMap((p) => (p.type === 'image' ? [imageData(p)] : []));
    if (images.length) msg.images = images;
    const calls = rest.flatMap((p) => (p.type === 'tool_call' ? [{ function: { name: p.name, arguments: toolInput(p.arguments, p.name) } }] : []));
    if (calls.length && role === 'assistant') msg.tool_calls = calls;
    out.push(msg);
  }
  return out;
}

/** Ollama takes image bytes only: inline data, or a data: URL's payload. It fetches no URL. */
function imageData(p: Extract<Part, { type: 'image' }>): string {
  if (p.data !== undefined) return p.data;
  const m = p.url ? /^data:[^;,]+;base64,(.*)$/s.exec(p.url) : null;
  if (m) return m[1];
  throw new Error('Ollama takes images as base64 data only; an image by URL cannot be sent to it');
}

export function embedBody(req: EmbeddingsRequest, model: string): Record<string, unknown> {
  return { model, input: req.input, ...(req.dimensions !== undefined && { dimensions: req.dimensions }) };
}
