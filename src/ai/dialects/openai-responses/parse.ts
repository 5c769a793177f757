/** A Responses API request body (POST /responses) → the canonical ChatRequest. */
import { z } from 'zod';
import type { ChatRequest, Message, Part } from '../../types.ts';
import { imageFromUrl } from '../shared/image.ts';
import { FunctionFields, JsonSchemaFields, jsonSchemaFormat, toolChoice, ToolChoiceMode, toolDefinition } from '../shared/openai-tools.ts';
import { compact, parseWire, refuseUnsupported, toolResultText, type Unsupported } from '../shared/wire.ts';
import { AiRequestError, type ParsedCall } from '../types.ts';
import { responseEcho } from './echo.ts';

const InputText = z.object({ type: z.literal('input_text'), text: z.string() });
const OutputText = z.object({ type: z.literal('output_text'), text: z.string() });
const Refusal = z.object({ type: z.literal('refusal'), refusal: z.string() });
const InputImage = z.object({ type: z.literal('input_image'), image_url: z.string().min(1).nullish(), file_id: z.string().nullish(), detail: z.string().nullish() });

const MessageItem = z.object({
  type: z.literal('message'),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), z.array(z.discriminatedUnion('type', [InputText, InputImage, OutputText, Refusal]))]),
});
const FunctionCallItem = z.object({ type: z.literal('function_call'), call_id: z.string().min(1), name: z.string().min(1), arguments: z.string() });
const FunctionCallOutputItem = z.object({
  type: z.literal('function_call_output'),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(z.discriminatedUnion('type', [InputText, InputImage]))]),
});
// Reasoning items from an earlier turn are the model's own state; the gateway drops them.
const ReasoningItem = z.object({ type: z.literal('reasoning') });

const Item = z.preprocess(
  // The easy form of a message ({role, content}) has no type.
  (v) => (typeof v === 'object' && v !== null && !('type' in v) && 'role' in v ? { ...v, type: 'message' } : v),
  z.discriminatedUnion('type', [MessageItem, FunctionCallItem, FunctionCallOutputItem, ReasoningItem]),
);
type Item = z.output<typeof Item>;

const TextFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({ type: z.literal('json_schema'), ...JsonSchemaFields }),
]);

const Body = z.object({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(Item).min(1)]),
  instructions: z.string().nullish(),
  max_output_tokens: z.int().min(1).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  tools: z.array(z.discriminatedUnion('type', [z.object({ type: z.literal('function'), ...FunctionFields })])).nullish(),
  tool_choice: z.union([ToolChoiceMode, z.object({ type: z.literal('function'), name: z.string().min(1) })]).nullish(),
  text: z.object({ format: TextFormat.nullish() }).nullish(),
  stream: z.boolean().nullish(),
  user: z.string().nullish(),
  safety_identifier: z.string().nullish(),
  // Not passed on: the response echoes it, as the API does.
  metadata: z.record(z.string(), z.string()).nullish(),
});

const stateless = 'the gateway keeps no conversation state: send the whole conversation in input';
const UNSUPPORTED: readonly Unsupported[] = [
  { path: 'previous_response_id', when: (b) => b.previous_response_id != null, why: `previous_response_id is not supported; ${stateless}` },
  { path: 'conversation', when: (b) => b.conversation != null, why: `conversation is not supported; ${stateless}` },
  { path: 'store', when: (b) => b.store === true, why: 'store: true is not supported: the gateway does not store responses; send store: false or leave it out' },
  { path: 'background', when: (b) => b.background === true, why: 'background responses are not supported by the gateway' },
  { path: 'prompt', when: (b) => b.prompt != null, why: 'stored prompts are not supported by the gateway; send instructions and input' },
];

export function parseResponses(json: unknown): ParsedCall {
  refuseUnsupported(json, UNSUPPORTED);
  const b = parseWire(Body, json);
  const messages: Message[] = b.instructions ? [{ role: 'system', parts: [{ type: 'text', text: b.instructions }] }] : [];
  if (typeof b.input === 'string') messages.push({ role: 'user', parts: [{ type: 'text', text: b.input }] });
  else b.input.forEach((item, i) => addItem(messages, item, `input[${i}]`));
  const format = b.text?.format;
  const request: ChatRequest = compact({
    model: b.model,
    messages,
    maxOutputTokens: b.max_output_tokens ?? undefined,
    temperature: b.temperature ?? undefined,
    topP: b.top_p ?? undefined,
    tools: b.tools?.length ? b.tools.map(toolDefinition) : undefined,
    toolChoice: b.tool_choice == null ? undefined : toolChoice(b.tool_choice),
    responseFormat: format == null ? undefined : format.type === 'text' ? { type: 'text' as const } : format.type === 'json_object' ? { type: 'json' as const } : jsonSchemaFormat(format),
    stream: b.stream ?? false,
    user: b.user ?? b.safety_identifier ?? undefined,
  });
  return { operation: 'chat', request, echo: responseEcho(b) };
}

function addItem(messages: Message[], item: Item, at: string): void {
  switch (item.type) {
    case 'message': {
      const role = item.role === 'developer' ? 'system' : item.role;
      const parts: Part[] = typeof item.content === 'string' ? [{ type: 'text', text: item.content }] : item.content.map((p, j) => contentPart(p, `${at}.content[${j}]`));
      messages.push({ role, parts });
      return;
    }
    case 'function_call': {
      // Parallel calls (and the text before them) are one assistant turn for the providers.
      const part: Part = { type: 'tool_call', id: item.call_id, name: item.name, arguments: item.arguments };
      const last = messages[messages.length - 1];
      if (last?.role === 'assistant') last.parts.push(part);
      else messages.push({ role: 'assistant', parts: [part] });
      return;
    }
    case 'function_call_output': {
      const content = typeof item.output === 'string' ? item.output : toolResultText(item.output, 'input_text', `${at}.output`);
      messages.push({ role: 'tool', parts: [{ type: 'tool_result', toolCallId: item.call_id, content }] });
      return;
    }
    case 'reasoning':
      return;
  }
}

type ContentPart = z.output<typeof InputText> | z.output<typeof InputImage> | z.output<typeof OutputText> | z.output<typeof Refusal>;

function contentPart(p: ContentPart, at: string): Part {
  switch (p.type) {
    case 'input_text':
    case 'output_text':
      return { type: 'text', text: p.text };
    case 'refusal':
      return { type: 'text', text: p.refusal };
    case 'input_image':
      if (!p.image_url) throw new AiRequestError(`${at}.image_url`, 'images by file_id are not supported by the gateway; send image_url (an http(s) or data: URL)');
      return imageFromUrl(p.image_url, `${at}.image_url`);
  }
}
