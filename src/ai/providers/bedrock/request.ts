import type { ChatRequest, Part, ToolChoice } from '../../types.ts';
import { applyParams } from '../params.ts';
import { JSON_TOOL, JSON_TOOL_DESCRIPTION, jsonInstruction, jsonOutputVia, jsonToolSchema, toolInput } from '../common/tools.ts';
import { alternatingTurns, systemTexts } from '../common/turns.ts';
import { params } from './params.ts';

type Block = Record<string, unknown>;

/** The Converse (and ConverseStream: same body) request body. */
export function converseBody(req: ChatRequest): Record<string, unknown> {
  const json = jsonOutputVia(req);
  const system = systemTexts(req.messages);
  if (json === 'instruction') system.push(jsonInstruction(req));
  const body: Record<string, unknown> = { messages: alternatingTurns(req.messages, block).map(({ role, blocks }) => ({ role, content: blocks })) };
  if (system.length) body.system = system.map((text) => ({ text }));
  applyParams(params, req, body);
  const toolConfig = json === 'tool' ? { tools: [toolSpec(JSON_TOOL, JSON_TOOL_DESCRIPTION, jsonToolSchema(req))], toolChoice: { tool: { name: JSON_TOOL } } } : callerTools(req);
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
