/**
 * One Server-Sent Event. Hand-written because encoding is a single line of framing (the
 * eventsource-parser package only decodes); JSON.stringify never emits a raw newline, so the
 * data always fits one `data:` line.
 */
export function sse(data: unknown, event?: string): string {
  return `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}
