import type { ChatResponse } from '../types.ts';
import type { FieldError } from '../../layers/body/validate.ts';

/** What a template call produced: the value to answer with, or why the model's output is unusable (502 ai.output_invalid). */
export type OutputResult = { ok: true; value: unknown } | { ok: false; message: string; pointer?: string };

/** The model's text: its text parts joined (tool calls are not output of a template). */
export function outputText(resp: ChatResponse): string {
  let text = '';
  for (const p of resp.parts) if (p.type === 'text') text += p.text;
  return text;
}

/** Models often wrap JSON in a Markdown fence despite being asked not to: ```json ... ``` (or a bare ```) is taken off. */
const FENCE = /^\s*```[A-Za-z0-9_-]*[^\S\n]*\n([\s\S]*?)\n?[^\S\n]*```\s*$/;

/**
 * The json-mode output: the model's text parsed as JSON and checked with `validate` (the
 * output schema's errors, first one first).
 */
export function jsonOutput(resp: ChatResponse, validate: (value: unknown) => FieldError[]): OutputResult {
  const text = outputText(resp);
  const body = FENCE.exec(text)?.[1] ?? text;
  const cut = resp.finishReason === 'length' ? ' (the answer was cut at the output token limit: raise maxOutputTokens)' : '';
  if (body.trim() === '') return { ok: false, message: `the model's output is empty, not JSON${cut}` };
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    return { ok: false, message: `the model's output is not JSON: ${(err as Error).message}${cut}` };
  }
  const errors = validate(value);
  if (errors.length) {
    const first = errors[0];
    return { ok: false, message: `the model's output does not match the output schema: ${at(first.pointer, 'the output')} ${first.message}${cut}`, pointer: first.pointer };
  }
  return { ok: true, value };
}

/** A pointer for a message: '' is the whole value, named `whole`. */
export function at(pointer: string, whole: string): string {
  return pointer === '' ? whole : pointer;
}
