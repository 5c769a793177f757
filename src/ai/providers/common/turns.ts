import type { Message, Part } from '../../types.ts';

/** The text of the system messages, one string each, in order. */
export function systemTexts(messages: readonly Message[]): string[] {
  return messages.filter((m) => m.role === 'system').map((m) => m.parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n'));
}

/**
 * The conversation without its system messages, in the two roles Anthropic, Gemini and
 * Bedrock know: tool results travel in user turns, and consecutive turns of one role are
 * merged (those APIs want the roles alternating).
 */
export function alternatingTurns<B>(messages: readonly Message[], block: (p: Part) => B): { role: 'user' | 'assistant'; blocks: B[] }[] {
  const out: { role: 'user' | 'assistant'; blocks: B[] }[] = [];
  for (const m of messages) {
    if (m.role === 'system') continue;
    const role = m.role === 'assistant' ? 'assistant' : 'user';
    const blocks = m.parts.map(block);
    const last = out[out.length - 1];
    if (last && last.role === role) last.blocks.push(...blocks);
    else out.push({ role, blocks });
  }
  return out;
}
