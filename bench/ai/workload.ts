// The AI bench's one call and one answer: an OpenAI Chat Completions request with a prompt of
// a few hundred bytes, and the fake provider's answer of exactly `chunks` stream chunks.
// Shared by the fake provider (a child process), the clients and the preflight checks.

export const CHAT_PATH = '/v1/chat/completions';

/** The alias clients name is the provider's model id, so the bytes sent upstream are the same on the AI and the plain route. */
export const MODEL = 'gpt-4o-mini';

const MESSAGES = [
  { role: 'system', content: 'You are the support assistant of an online bookshop. Answer in one short, friendly paragraph.' },
  {
    role: 'user',
    content:
      'A customer ordered two copies of "The Pragmatic Programmer" and a fountain pen on Monday. ' +
      'The parcel had not arrived by Friday and the tracking page shows no update since Tuesday. ' +
      'Draft a reply that apologises, gives the tracking link {link}, and offers to refund the shipping cost.',
  },
];

/** The request body: streamed (with the usage chunk, as SDKs ask for it) or whole. */
export function chatBody(stream: boolean): string {
  return JSON.stringify({ model: MODEL, messages: MESSAGES, max_tokens: 256, ...(stream && { stream: true, stream_options: { include_usage: true } }) });
}

/** The fake streams its text in pieces of this many characters (test/ai/fakes/server.ts textPieces). */
const PIECE = 4;

/** An answer of exactly `chunks` stream chunks (ASCII, so characters are bytes). */
export function answerText(chunks: number): string {
  const words = 'Thank you for your patience and sorry for the delay with your parcel. ';
  let text = '';
  while (text.length < chunks * PIECE) text += words;
  return text.slice(0, chunks * PIECE);
}
