/** Shared by the dialects' table-driven tests (beside each dialect) and the SDK round trips. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StreamEvent } from '../../../src/ai/types.ts';
import { AiRequestError, type ParsedCall, type StreamEncoder } from '../../../src/ai/dialects/types.ts';

export interface Refusal {
  name: string;
  body: unknown;
  /** The JSON path the refusal must name. */
  path: string;
  message: RegExp;
}

/** One test per case: parse throws an AiRequestError naming the path, with a message that says why. */
export function testRefusals(label: string, parse: (json: unknown) => ParsedCall, cases: readonly Refusal[]): void {
  for (const c of cases) {
    test(`${label} refuses ${c.name}`, () => {
      assert.throws(
        () => parse(c.body),
        (err: unknown) => {
          assert.ok(err instanceof AiRequestError, String(err));
          assert.equal(err.path, c.path);
          assert.match(err.message, c.message);
          return true;
        },
      );
    });
  }
}

export interface SseEvent {
  event?: string;
  /** Parsed JSON, or the raw text ('[DONE]'). */
  data: unknown;
}

/** The events of an SSE text, in order. */
export function sseEvents(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
      const raw = lines.find((l) => l.startsWith('data: '))!.slice(6);
      return { ...(event ? { event } : {}), data: raw === '[DONE]' ? raw : JSON.parse(raw) };
    });
}

/** The SSE text an encoder makes of these events, ended normally. */
export function encode(enc: StreamEncoder, events: readonly StreamEvent[]): string {
  return events.map((e) => enc.event(e)).join('') + enc.end();
}
