/** An Anthropic Messages request body (POST /v1/messages) → the canonical ChatRequest. */
import { z } from 'zod';
import type { ChatRequest, Message, Part } from '../../types.ts';
import { imageFromUrl } from '../shared/image.ts';
import { compact, parseWire, refuseUnsupported, toolResultText, type Unsupported } from '../shared/wire.ts';
import type { ParsedCall } from '../types.ts';

const Text = z.object({ type: z.literal('text'), text: z.string() });
const Image = z.object({
  type: z.literal('image'),
  source: z.discriminatedUnion('type', [
    z.object({ type: z.literal('base64'), media_type: z.string().min(1), data: z.string().min(1) }),
    z.object({ type: z.literal('url'), url: z.string().min(1) }),
  ]),
});
const ToolUse = z.object({ type: z.literal('tool_use'), id: z.string().min(1), name: z.string().min(1), input: z.record(z.string(), z.unknown()) });
const ToolResult = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(z.discriminatedUnion('type', [Text, Image]))]).optional(),
  is_error: z.boolean().nullish(),
});
// Thinking blocks of an earlier turn are the model's own state; the gateway drops them.
const Thinking = z.object({ type: z.literal(['thinking', 'redacted_thinking']) });

const UserBlock = z.discriminatedUnion('type', [Text, Image, ToolResult]);
const AssistantBlock = z.discriminatedUnion('type', [Text, ToolUse, Thinking]);

const AnthropicMessage = z.discriminatedUnion('role', [
  z.object({ role: z.literal('user'), content: z.union([z.string(), z.array(UserBlock)]) }),
  z.object({ role: z.literal('assistant'), content: z.union([z.string(), z.array(AssistantBlock)]) }),
]);
type AnthropicMessage = z.output<typeof AnthropicMessage>;

const Tool = z.object({
  type: z.literal('custom', { error: 'only custom tools (name, input_schema) are supported; server tools (web search, code execution, ...) are not' }).nullish(),
  name: z.string().min(1),
  description: z.string().nullish(),
  input_schema: z.record(z.string(), z.unknown()),
});

const Body = z.object({
  model: z.string().min(1),
  max_tokens: z.int().min(1),
  messages: z.array(AnthropicMessage).min(1),
  system: z.union([z.string(), z.array(Text)]).nullish(),
  stop_sequences: z.array(z.string()).nullish(),
  temperature: z.number().min(0).max(1).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  tools: z.array(Tool).nullish(),
  tool_choice: z
    .discriminatedUnion('type', [
      z.object({ type: z.literal('auto') }),
      z.object({ type: z.literal('any') }),
      z.object({ type: z.literal('none') }),
      z.object({ type: z.literal('tool'), name: z.string().min(1) }),
    ])
    .nullish(),
  stream: z.boolean().nullish(),
  metadata: z.object({ user_id: z.string().nullish() }).nullish(),
});

const UNSUPPORTED: readonly Unsupported[] = [
  {
    path: 'thinking',
    when: (b) => typeof b.thinking === 'object' && b.thinking !== null && (b.thinking as { type?: unknown }).type !== 'disabled',
    why: 'extended thinking is not supported by the gateway; leave thinking out',
  },
];

export function parseMessages(json: unknown): ParsedCall {
  refuseUnsupported(json, UNSUPPORTED);
  const b = parseWire(Body, json);
  const messages: Message[] = [];
  if (b.system != null) {
    const parts = typeof b.system === 'string' ? [b.system] : b.system.map((t) => t.text);
    if (parts.some((t) => t !== '')) messages.push({ role: 'system', parts: parts.map((text) => ({ type: 'text', text })) });
  }
  b.messages.forEach((m, i) => messages.push(...convert(m, `messages[${i}]`)));
  const c = b.tool_choice;
  const request: ChatRequest = compact({
    model: b.model,
    messages,
    maxOutputTokens: b.max_tokens,
    temperature: b.temperature ?? undefined,
    topP: b.top_p ?? undefined,
    stop: b.stop_sequences?.length ? b.stop_sequences : undefined,
    tools: b.tools?.length ? b.tools.map((t) => compact({ name: t.name, description: t.description ?? undefined, parameters: t.input_schema })) : undefined,
    toolChoice: c == null ? undefined : c.type === 'tool' ? { name: c.name } : c.type === 'any' ? ('required' as const) : c.type,
    stream: b.stream ?? false,
    user: b.metadata?.user_id ?? undefined,
  });
  return { operation: 'chat', request };
}

/**
 * One Anthropic message → canonical messages. Tool results travel in a user message in
 * Anthropic's API; canonically each is a `tool` message, so a user message is split into
 * runs (tool results, then the text and images after them), in order.
 */
function convert(m: AnthropicMessage, at: string): Message[] {
  if (typeof m.content === 'string') return [{ role: m.role, parts: [{ type: 'text', text: m.content }] }];
  const out: Message[] = [];
  m.content.forEach((block, j) => {
    const part = blockPart(block, `${at}.content[${j}]`);
    if (!part) return;
    const role = part.type === 'tool_result' ? 'tool' : m.role;
    const last = out[out.length - 1];
    if (last?.role === role && role !== 'tool') last.parts.push(part);
    else out.push({ role, parts: [part] });
  });
  return out;
}

type Block = z.output<typeof UserBlock> | z.output<typeof AssistantBlock>;

function blockPart(block: Block, at: string): Part | undefined {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text };
    case 'image':
      return block.source.type === 'base64' ? { type: 'image', data: block.source.data, mediaType: block.source.media_type } : imageFromUrl(block.source.url, `${at}.source.url`);
    case 'tool_use':
      return { type: 'tool_call', id: block.id, name: block.name, arguments: JSON.stringify(block.input) };
    case 'tool_result': {
      const content = block.content === undefined ? '' : typeof block.content === 'string' ? block.content : toolResultText(block.content, 'text', `${at}.content`);
      return { type: 'tool_result', toolCallId: block.tool_use_id, content, ...(block.is_error ? { isError: true } : {}) };
    }
    case 'thinking':
    case 'redacted_thinking':
      return undefined;
  }
}
