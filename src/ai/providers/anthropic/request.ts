import type { ChatRequest, Message, Part, ToolChoice } from '../../types.ts';
import { applyParams } from '../params.ts';
import type { HttpCall, ProviderTarget } from '../types.ts';
import { JSON_TOOL, jsonInstruction, jsonOutputVia, jsonToolSchema, toolInput } from '../common/tools.ts';
import { DEFAULT_MAX_TOKENS, DEFAULT_VERSION, paramsFor } from './params.ts';

type Block = Record<string, unknown>;
interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: Block[];
}

export function chatCall(req: ChatRequest, t: ProviderTarget): HttpCall {
  return {
    url: `${t.baseUrl}/v1/messages`,
    headers: {
      'content-type': 'application/json',
      accept: req.stream ? 'text/event-stream' : 'application/json',
      'x-api-key': t.credentials.apiKey ?? '',
      'anthropic-version': versionOf(t),
    },
    body: JSON.stringify(chatBody(req, t.model, versionOf(t))),
  };
}

function versionOf(t: ProviderTarget): string {
  return t.options.version || DEFAULT_VERSION;
}

export function chatBody(req: ChatRequest, model: string, version = DEFAULT_VERSION): Record<string, unknown> {
  const json = jsonOutputVia(req);
  const system = req.messages.filter((m) => m.role === 'system').map(textOf);
  if (json === 'instruction') system.push(jsonInstruction(req));
  const body: Record<string, unknown> = { model, max_tokens: DEFAULT_MAX_TOKENS };
  if (system.length) body.system = system.join('\n\n');
  body.messages = turns(req.messages);
  applyParams(paramsFor(version), req, body);
  if (json === 'tool') {
    body.tools = [{ name: JSON_TOOL, description: 'Give the answer as this tool\'s input.', input_schema: jsonToolSchema(req) }];
    body.tool_choice = { type: 'tool', name: JSON_TOOL };
  } else if (req.tools?.length) {
    body.tools = req.tools.map((tool) => ({ name: tool.name, ...(tool.description ? { description: tool.description } : {}), input_schema: tool.parameters }));
    if (req.toolChoice) body.tool_choice = toolChoice(req.toolChoice);
  }
  if (req.stream) body.stream = true;
  return body;
}

function textOf(m: Message): string {
  return m.parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n');
}

/** Tool results travel in user turns; consecutive turns of one role are merged (the API wants them alternating). */
function turns(messages: readonly Message[]): AnthropicMessage[] {
  const out: AnthropicMessage[] = [];
  for (const m of messages) {
    if (m.role === 'system') continue;
    const role = m.role === 'assistant' ? 'assistant' : 'user';
    const content = m.parts.map(block);
    const last = out[out.length - 1];
    if (last && last.role === role) last.content.push(...content);
    else out.push({ role, content });
  }
  return out;
}

function block(p: Part): Block {
  switch (p.type) {
    case 'text':
      return { type: 'text', text: p.text };
    case 'image':
      return p.data !== undefined
        ? { type: 'image', source: { type: 'base64', media_type: p.mediaType ?? 'image/png', data: p.data } }
        : { type: 'image', source: { type: 'url', url: p.url } };
    case 'tool_call':
      return { type: 'tool_use', id: p.id, name: p.name, input: toolInput(p.arguments, p.name) };
    case 'tool_result':
      return { type: 'tool_result', tool_use_id: p.toolCallId, content: p.content, ...(p.isError ? { is_error: true } : {}) };
  }
}

function toolChoice(c: ToolChoice): Record<string, unknown> {
  if (c === 'auto') return { type: 'auto' };
  if (c === 'none') return { type: 'none' };
  if (c === 'required') return { type: 'any' };
  return { type: 'tool', name: c.name };
}
