/**
 * Canonical messages to Chat Completions messages. A canonical message may mix tool results
 * with other parts (the Anthropic dialect puts tool results in a user message); OpenAI wants
 * each tool result as its own `tool` message right after the assistant's tool calls, so they
 * come out first, then whatever else the message held.
 */
import type { Message, Part } from '../../types.ts';

type ContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

export interface WireMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | ContentPart[] | null;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

export function toWireMessages(messages: readonly Message[]): WireMessage[] {
  const out: WireMessage[] = [];
  for (const m of messages) {
    for (const p of m.parts) {
      // OpenAI has no error flag on a tool result: the content (the tool's own error text) says it.
      if (p.type === 'tool_result') out.push({ role: 'tool', tool_call_id: p.toolCallId, content: p.content });
    }
    const rest = m.parts.filter((p) => p.type !== 'tool_result');
    if (rest.length === 0) continue;
    if (m.role === 'assistant') out.push(assistantMessage(rest));
    else if (m.role === 'system') out.push({ role: 'system', content: joinedText(rest, '\n\n') });
    // A 'tool' message whose parts are not tool results has nothing to answer: sent as user text.
    else out.push({ role: 'user', content: userContent(rest) });
  }
  return out;
}

function assistantMessage(parts: Part[]): WireMessage {
  const calls = parts.filter((p) => p.type === 'tool_call');
  const text = parts.some((p) => p.type === 'text') ? joinedText(parts) : null;
  const msg: WireMessage = { role: 'assistant', content: text };
  if (calls.length) msg.tool_calls = calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
  return msg;
}

function joinedText(parts: Part[], separator = ''): string {
  return parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join(separator);
}

/** A lone text part is sent as a plain string (what every OpenAI-compatible server accepts). */
function userContent(parts: Part[]): string | ContentPart[] {
  if (parts.length === 1 && parts[0].type === 'text') return parts[0].text;
  const out: ContentPart[] = [];
  for (const p of parts) {
    if (p.type === 'text') out.push({ type: 'text', text: p.text });
    else if (p.type === 'image') out.push({ type: 'image_url', image_url: { url: imageUrl(p) } });
  }
  return out;
}

function imageUrl(p: Extract<Part, { type: 'image' }>): string {
  if (p.data !== undefined) return `data:${p.mediaType ?? 'image/png'};base64,${p.data}`;
  if (p.url !== undefined) return p.url;
  throw new Error('an image part has neither url nor data');
}
