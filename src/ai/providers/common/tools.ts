import type { ChatRequest, FinishReason, Message, Part, StreamEvent } from '../../types.ts';

/**
 * A tool call's arguments as the object Anthropic, Gemini and Bedrock want (they take the
 * input as JSON, not as text): '' is no arguments; anything but a JSON object is refused,
 * since sending it altered would make the model see a call it never made.
 */
export function toolInput(args: string, toolName: string): Record<string, unknown> {
  if (args.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(args);
  } catch {
    throw new Error(`the arguments of tool call '${toolName}' are not valid JSON`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`the arguments of tool call '${toolName}' are not a JSON object`);
  return v as Record<string, unknown>;
}

/** Tool call ids to names, for providers whose tool results name the function, not the call. */
export function toolNamesById(messages: readonly Message[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const m of messages) for (const p of m.parts) if (p.type === 'tool_call') names.set(p.id, p.name);
  return names;
}

/** The tool the model is forced to call when JSON output goes through a tool (Anthropic, Bedrock). */
export const JSON_TOOL = 'pinpoint_json_output';
export const JSON_TOOL_DESCRIPTION = "Give the answer as this tool's input.";

/**
 * How to get JSON out of a provider without a JSON mode: a forced tool call whose input
 * schema is the wanted schema makes the model emit JSON arguments (no prose, no ``` fences),
 * which the decoder turns back into text. This only works when the caller brings no tools of
 * its own (forcing ours would take theirs away) and the schema describes an object (tool
 * inputs are objects); otherwise a system instruction asks for JSON.
 */
export function jsonOutputVia(req: ChatRequest): 'tool' | 'instruction' | undefined {
  const f = req.responseFormat;
  if (!f || f.type !== 'json') return undefined;
  if (req.tools?.length) return 'instruction';
  if (f.schema && f.schema.type !== 'object') return 'instruction';
  return 'tool';
}

/** The forced tool's input schema: the wanted one, or any object. */
export function jsonToolSchema(req: ChatRequest): Record<string, unknown> {
  const f = req.responseFormat;
  return f?.type === 'json' && f.schema ? f.schema : { type: 'object' };
}

export function jsonInstruction(req: ChatRequest): string {
  const f = req.responseFormat;
  const schema = f?.type === 'json' && f.schema ? ` that matches this JSON Schema:\n${JSON.stringify(f.schema)}` : '';
  return `Answer with a single JSON value${schema}\nOutput only the JSON: no prose, no Markdown code fences.`;
}

/**
 * A stop reason through the provider's table (Anthropic's and Bedrock's name the same
 * things). A tool_use stop of an answer without tool calls is the forced JSON tool's: an
 * ordinary stop.
 */
export function finishFrom(table: Readonly<Record<string, FinishReason>>, reason: unknown, toolCalls: boolean): FinishReason {
  const finish = (typeof reason === 'string' && Object.hasOwn(table, reason) ? table[reason] : undefined) ?? 'stop';
  return finish === 'tool_calls' && !toolCalls ? 'stop' : finish;
}

/** A whole tool use as a canonical part: the forced JSON tool's input is the text answer. */
export function toolUsePart(id: unknown, name: unknown, input: unknown): Part {
  const json = JSON.stringify(input ?? {});
  return name === JSON_TOOL ? { type: 'text', text: json } : { type: 'tool_call', id: String(id), name: String(name), arguments: json };
}

/**
 * The content blocks of a stream whose tool calls arrive as a start (id, name) and argument
 * pieces, by block index (Anthropic, Bedrock): tool calls are numbered from 0 in order; the
 * forced JSON tool's pieces are the answer's text.
 */
export class ToolBlocks {
  private readonly blocks = new Map<number, number | 'json'>();
  private tools = 0;

  start(block: number, id: string, name: string): StreamEvent[] {
    if (name === JSON_TOOL) {
      this.blocks.set(block, 'json');
      return [];
    }
    const index = this.tools++;
    this.blocks.set(block, index);
    return [{ type: 'tool_call', index, id, name, argumentsDelta: '' }];
  }

  piece(block: number, argumentsDelta: string): StreamEvent[] {
    const kind = this.blocks.get(block);
    if (!argumentsDelta || kind === undefined) return [];
    return kind === 'json' ? [{ type: 'text', text: argumentsDelta }] : [{ type: 'tool_call', index: kind, argumentsDelta }];
  }

  get toolCalls(): boolean {
    return this.tools > 0;
  }
}
