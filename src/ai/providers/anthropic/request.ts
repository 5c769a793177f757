import type { ChatRequest, Part, ToolChoice } from '../../types.ts';
import { applyParams } from '../params.ts';
import type { HttpCall, ProviderTarget } from '../types.ts';
import { JSON_TOOL, JSON_TOOL_DESCRIPTION, jsonInstruction, jsonOutputVia, jsonToolSchema, toolInput } from '../common/tools.ts';
import { alternatingTurns, systemTexts } from '../common/turns.ts';
import { DEFAULT_MAX_TOKENS, DEFAULT_VERSION, paramsFor } from './params.ts';

type Block = Record<string, unknown>;

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
  const system = systemTexts(req.messages);
  if (json === 'instruction') system.push(jsonInstruction(req));
  const body: Record<string, unknown> = { model, max_tokens: DEFAULT_MAX_TOKENS };
  if (system.length) body.system = system.join('\n\n');
  body.messages = alternatingTurns(req.messages, block).map(({ role, blocks }) => ({ role, content: blocks }));
  applyParams(paramsFor(version), req, body);
  if (json === 'tool') {
    body.tools = [{ name: JSON_TOOL, description: JSON_TOOL_DESCRIPTION, input_schema: jsonToolSchema(req) }];
    body.tool_choice = { type: 'tool', name: JSON_TOOL };
  } else if (req.tools?.length) {
    body.tools = req.tools.map((tool) => ({ name: tool.name, ...(tool.description ? { description: tool.description } : {}), input_schema: tool.parameters }));
    if (req.toolChoice) body.tool_choice = toolChoice(req.toolChoice);
  }
  if (req.stream) body.stream = true;
  return body;
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
