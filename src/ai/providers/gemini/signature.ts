/**
 * Gemini 3 signs its function calls (thoughtSignature) and refuses, with a 400, a history
 * whose function calls come back without their signature. The canonical tool call has no
 * field for it, but its id goes to the client and comes back with the history, so the
 * signature rides in the id (its text as base64url, after a marker). A call whose id carries
 * none (one another provider made, or an older model) is sent with Google's documented
 * placeholder, which tells the validator to skip it.
 */
import { randomBytes } from 'node:crypto';

const MARK = '__sig_';
/** Ids the adapter made up (Gemini sent none): not sent back to Gemini as ids. */
const MADE_UP = 'pinpoint_call_';
export const SKIP_SIGNATURE = 'skip_thought_signature_validator';

/** A tool call id for a functionCall part: Gemini's own id when it sent one, else a fresh one. */
export function toolCallId(geminiId: unknown, signature: unknown): string {
  const base = typeof geminiId === 'string' && geminiId ? geminiId : `${MADE_UP}${randomBytes(9).toString('base64url')}`;
  return typeof signature === 'string' && signature ? `${base}${MARK}${Buffer.from(signature).toString('base64url')}` : base;
}

/** Gemini's id of the call (undefined when it sent none) and its signature (or the placeholder). */
export function fromToolCallId(id: string): { id?: string; thoughtSignature: string } {
  const at = id.indexOf(MARK);
  const base = at < 0 ? id : id.slice(0, at);
  const thoughtSignature = at < 0 ? SKIP_SIGNATURE : Buffer.from(id.slice(at + MARK.length), 'base64url').toString();
  return base.startsWith(MADE_UP) ? { thoughtSignature } : { id: base, thoughtSignature };
}
