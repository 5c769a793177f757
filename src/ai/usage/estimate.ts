/**
 * Token counts the gateway makes itself: a call's prompt before it is sent (to check the
 * context window and reserve budget), and the output of a provider that reports no usage.
 *
 * Counted with gpt-tokenizer's o200k_base, the encoding of OpenAI's current models: exact
 * for their text, an estimate for other providers' models (Anthropic, Gemini, Llama... use
 * other vocabularies, typically within 10-20% for English text and code). The message and
 * tool framing is OpenAI's published overhead. Budgets are reconciled with the provider's
 * own usage after the call, so the estimate only has to be close, not exact.
 *
 * The encoding is loaded on first use (about half a second, once per process: its ranks are
 * large), through require so a request never waits on an import; the ai layer loads it at
 * config load.
 *
 * Prompt texts are counted once: chat clients resend the system prompt and the whole
 * conversation with every turn, and counting (splitting and merging byte pairs) costs far more
 * than finding the text in a map. The cache is bounded by the characters it holds, oldest
 * used first out; model output (countTextTokens) is not cached, it rarely repeats.
 */
import { createRequire } from 'node:module';
import type * as O200k from 'gpt-tokenizer/encoding/o200k_base';
import type { ChatRequest, EmbeddingsRequest, Message, Part } from '../types.ts';

type Encoding = typeof O200k;

let encoding: Encoding | undefined;

/** The tokenizer, loaded once per process. */
export function loadTokenizer(): Encoding {
  return (encoding ??= createRequire(import.meta.url)('gpt-tokenizer/encoding/o200k_base') as Encoding);
}

/** Text that spells a special token (`<|endoftext|>`) is counted as the text it is, never refused. */
const AS_TEXT = { disallowedSpecial: new Set<string>() };

/** Framing of each message (role and separators) and the priming of the reply, as OpenAI counts them. */
const PER_MESSAGE = 3;
const REPLY_PRIMING = 3;
/** Framing of each tool definition and tool call (name, separators). */
const PER_TOOL = 8;
/**
 * An image's tokens cannot be known without decoding it; this is the order of a 1024x1024
 * image (OpenAI high detail: 765, Anthropic about 1400 at most, Gemini 258). The real count
 * comes back in the provider's usage.
 */
export const IMAGE_TOKENS = 1_000;

/** Tokens of a piece of text (model output, for a provider that sent no usage). */
export function countTextTokens(text: string): number {
  return text.length === 0 ? 0 : loadTokenizer().countTokens(text, AS_TEXT);
}

/** Characters of prompt text the count cache may hold (about 4 MB of strings). */
export const PROMPT_CACHE_CHARS = 2_000_000;
const promptCounts = new Map<string, number>();
let promptChars = 0;

/** Characters the prompt count cache holds now. */
export function promptCacheChars(): number {
  return promptChars;
}

/** Tokens of a piece of prompt text, from the cache when it was counted before. */
export function countPromptText(text: string): number {
  const known = promptCounts.get(text);
  if (known !== undefined) {
    // Most recently used last: eviction takes from the front.
    promptCounts.delete(text);
    promptCounts.set(text, known);
    return known;
  }
  const n = countTextTokens(text);
  if (text.length <= PROMPT_CACHE_CHARS / 16) {
    promptCounts.set(text, n);
    promptChars += text.length;
    for (const [old] of promptCounts) {
      if (promptChars <= PROMPT_CACHE_CHARS) break;
      promptCounts.delete(old);
      promptChars -= old.length;
    }
  }
  return n;
}

/** Prompt tokens of a chat call: messages, tool definitions and the response format's schema. */
export function countChatTokens(req: ChatRequest): number {
  let n = REPLY_PRIMING;
  for (const m of req.messages) n += countMessage(m);
  if (req.tools) {
    for (const t of req.tools) n += PER_TOOL + countPromptText(t.name) + countPromptText(t.description ?? '') + countPromptText(JSON.stringify(t.parameters));
  }
  if (req.responseFormat?.type === 'json' && req.responseFormat.schema) n += countPromptText(JSON.stringify(req.responseFormat.schema));
  return n;
}

/** Input tokens of an embeddings call. */
export function countEmbeddingsTokens(req: EmbeddingsRequest): number {
  let n = 0;
  for (const text of req.input) n += countPromptText(text);
  return n;
}

function countMessage(m: Message): number {
  let n = PER_MESSAGE;
  for (const p of m.parts) n += countPart(p);
  return n;
}

function countPart(p: Part): number {
  switch (p.type) {
    case 'text':
      return countPromptText(p.text);
    case 'image':
      return IMAGE_TOKENS;
    case 'tool_call':
      return PER_TOOL + countPromptText(p.name) + countPromptText(p.arguments);
    case 'tool_result':
      return countPromptText(p.content);
  }
}
