/** A Chat Completions request body (POST /chat/completions) → the canonical ChatRequest. */
import { z } from 'zod';
import type { ChatRequest, Message, Part } from '../../types.ts';
import { imageFromUrl } from '../shared/image.ts';
import { FunctionFields, JsonSchemaFields, jsonSchemaFormat, toolChoice, ToolChoiceMode, toolDefinition } from '../shared/openai-tools.ts';
import { compact, parseWire, refuseUnsupported, toolResultText, type Unsupported } from '../shared/wire.ts';
import { AiRequestError, type ParsedCall } from '../types.ts';

const Text = z.object({ type: z.literal('text'), text: z.string() });
const ImageUrl = z.object({ type: z.literal('image_url'), image_url: z.object({ url: z.string().min(1), detail: z.string().nullish() }) });
const Refusal = z.object({ type: z.literal('refusal'), refusal: z.string() });
const TextContent = z.union([z.string(), z.array(Text)]);

const ToolCall = z.object({
  id: z.string().min(1),
  type: z.literal('function'),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});

const ChatMessage = z.discriminatedUnion('role', [
  z.object({ role: z.literal(['system', 'developer']), content: TextContent }),
  z.object({ role: z.literal('user'), content: z.union([z.string(), z.array(z.discriminatedUnion('type', [Text, ImageUrl]))]) }),
  z.object({
    role: z.literal('assistant'),
    content: z.union([z.string(), z.array(z.discriminatedUnion('type', [Text, Refusal]))]).nullish(),
    tool_calls: z.array(ToolCall).nullish(),
    // Read only to refuse it: dropping a legacy call from the history would change the conversation.
    function_call: z.unknown().optional(),
  }),
  z.object({ role: z.literal('tool'), tool_call_id: z.string().min(1), content: TextContent }),
]);
type ChatMessage = z.output<typeof ChatMessage>;

const ResponseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({ type: z.literal('json_schema'), json_schema: z.object(JsonSchemaFields) }),
]);

const Body = z.object({
  model: z.string().min(1),
  messages: z.array(ChatMessage).min(1),
  max_tokens: z.int().min(1).nullish(),
  max_completion_tokens: z.int().min(1).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  tools: z.array(z.object({ type: z.literal('function'), function: z.object(FunctionFields) })).nullish(),
  tool_choice: z.union([ToolChoiceMode, z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }) })]).nullish(),
  // The deprecated forms of tools and tool_choice, still sent by older clients.
  functions: z.array(z.object(FunctionFields)).nullish(),
  function_call: z.union([z.enum(['none', 'auto']), z.object({ name: z.string().min(1) })]).nullish(),
  response_format: ResponseFormat.nullish(),
  user: z.string().nullish(),
});

const UNSUPPORTED: readonly Unsupported[] = [
  { path: 'n', when: (b) => typeof b.n === 'number' && b.n > 1, why: 'n > 1 is not supported: the gateway returns one choice per call; make separate calls instead' },
  { path: 'logprobs', when: (b) => b.logprobs === true, why: 'logprobs are not supported by the gateway' },
  { path: 'modalities', when: (b) => Array.isArray(b.modalities) && b.modalities.includes('audio'), why: 'audio output is not supported by the gateway' },
];

export function parseChat(json: unknown): ParsedCall {
  refuseUnsupported(json, UNSUPPORTED);
  const b = parseWire(Body, json);
  const tools = [...(b.tools ?? []).map((t) => toolDefinition(t.function)), ...(b.functions ?? []).map(toolDefinition)];
  const choice = b.tool_choice ?? b.function_call;
  const request: ChatRequest = compact({
    model: b.model,
    messages: b.messages.map(message),
    maxOutputTokens: b.max_completion_tokens ?? b.max_tokens ?? undefined,
    temperature: b.temperature ?? undefined,
    topP: b.top_p ?? undefined,
    stop: b.stop == null ? undefined : typeof b.stop === 'string' ? [b.stop] : b.stop,
    tools: tools.length ? tools : undefined,
    toolChoice: choice == null ? undefined : toolChoice(typeof choice === 'object' && 'function' in choice ? choice.function : choice),
    responseFormat: b.response_format == null ? undefined : responseFormat(b.response_format),
    stream: b.stream ?? false,
    user: b.user ?? undefined,
  });
  return compact({ operation: 'chat' as const, request, includeUsage: b.stream_options?.include_usage === true ? true : undefined });
}

function message(m: ChatMessage, i: number): Message {
  const at = `messages[${i}]`;
  switch (m.role) {
    case 'system':
    case 'developer':
      return { role: 'system', parts: textParts(m.content) };
    case 'user':
      return {
        role: 'user',
        parts: typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content.map((p, j) => (p.type === 'text' ? { type: 'text', text: p.text } : imageFromUrl(p.image_url.url, `${at}.content[${j}].image_url.url`))),
      };
    case 'assistant': {
      if (m.function_call !== undefined) throw new AiRequestError(`${at}.function_call`, 'legacy function_call messages are not supported; send tool_calls instead');
      const calls = m.tool_calls ?? [];
      if (m.content == null && calls.length === 0) throw new AiRequestError(`${at}.content`, 'an assistant message needs content or tool_calls');
      const parts: Part[] = m.content == null || (m.content === '' && calls.length) ? [] : typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content.map((p) => ({ type: 'text', text: p.type === 'text' ? p.text : p.refusal }));
      for (const c of calls) parts.push({ type: 'tool_call', id: c.id, name: c.function.name, arguments: c.function.arguments });
      return { role: 'assistant', parts };
    }
    case 'tool':
      return { role: 'tool', parts: [{ type: 'tool_result', toolCallId: m.tool_call_id, content: typeof m.content === 'string' ? m.content : toolResultText(m.content, 'text', `${at}.content`) }] };
  }
}

function textParts(content: string | { text: string }[]): Part[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content.map((p) => ({ type: 'text', text: p.text }));
}

function responseFormat(f: z.output<typeof ResponseFormat>): ChatRequest['responseFormat'] {
  if (f.type === 'text') return { type: 'text' };
  if (f.type === 'json_object') return { type: 'json' };
  return jsonSchemaFormat(f.json_schema);
}
