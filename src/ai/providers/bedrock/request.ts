import type { ChatRequest, Message, Part, ToolChoice } from '../../types.ts';
import { applyParams } from '../params.ts';
import { JSON_TOOL, jsonInstruction, jsonOutputVia, jsonToolSchema, toolInput } from '../common/tools.ts';
import { params } from './params.ts';

type Block = Record<string, unknown>;

/** The Converse (and ConverseStream: same body) request body. */
export function converseBody(req: ChatRequest): Record<string, unknown> {
  const json = jsonOutputVia(req);
  const system: Block[] = req.messages.filter((m) => m.role === 'system').flatMap((m) => m.parts.flatMap((p) => (p.type === 'text' ? [{ text: p.text }] : [])));
  if (json === 'instruction') system.push({ text: jsonInstruction(req) });
  const body: Record<string, unknown> = { messages: turns(req.messages) };
  if (system.length) body.system = system;
  applyParams(params, req, body);
  const toolConfig = json === 'tool' ? { tools: [toolSpec(JSON_TOOL, 'Give the answer as this tool\'s input.', jsonToolSchema(req))], toolChoice: { tool: { name: JSON_TOOL } } } : callerTools(req);
  if (toolConfig) body.toolConfig = toolConfig;
  return body;
}

function toolSpec(name: string, description: string | undefined, schema: Record<string, unknown>): Block {
  return { toolSpec: { name, ...(description ? { description } : {}), inputSchema: { json: schema } } };
}

/**
 * Converse has no "none" choice: its tools are left out instead, unless the history holds
 * tool blocks, which Bedrock refuses without a toolConfig (then the model may still call one).
 */
function callerTools(req: ChatRequest): Block | undefined {
  if (!req.tools?.length) return undefined;
  const historyHasTools = req.messages.some((m) => m.parts.some((p) => p.type === 'tool_call' || p.type === 'tool_result'));
  if (req.toolChoice === 'none' && !historyHasTools) return undefined;
  const config: Block = { tools: req.tools.map((t) => toolSpec(t.name, t.description, t.parameters)) };
  if (req.toolChoice && req.toolChoice !== 'none') config.toolChoice = toolChoice(req.toolChoice);
  return config;
}

function toolChoice(c: Exclude<ToolChoice, 'none'>): Block {
  if (c === 'auto') return { auto: {} };
  if (c === 'required') return { any: {} };
  return { tool: { name: c.name } };
}

/** Tool results travel in user turns; consecutive turns of one role are merged (Converse wants them alternating). */
function turns(messages: readonly Message[]): { role: 'user' | 'assistant'; content: Block[] }[] {
  const out: { role: 'user' | 'assistant'; content: Block[] }[] = [];
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

const IMAGE_FORMATS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/jpg': 'jpeg', 'image/gif': 'gif', 'image/webp': 'webp' };

function block(p: Part): Block {
  switch (p.type) {
    case 'text':
      return { text: p.text };
    case 'image':
      return { image: image(p) };
    case 'tool_call':
      return { toolUse: { toolUseId: p.id, name: p.name, input: toolInput(p.arguments, p.name) } };
    case 'tool_result':
      return { toolResult: { toolUseId: p.toolCallId, content: [{ text: p.content }], status: p.isError ? 'error' : 'success' } };
  }
}

/** Converse takes image bytes (base64 in JSON) or an S3 location, not a web URL. */
function image(p: Extract<Part, { type: 'image' }>): Block {
  const format = IMAGE_FORMATS[(p.mediaType ?? 'image/png').toLowerCase()];
  if (!format) throw new Error(`Bedrock Converse takes png, jpeg, gif or webp images, not ${p.mediaType}`);
  if (p.data !== undefined) return { format, source: { bytes: p.data } };
  if (p.url?.startsWith('s3://')) return { format, source: { s3Location: { uri: p.url } } };
  throw new Error('Bedrock Converse takes images as inline data or s3:// locations, not web URLs');
}
