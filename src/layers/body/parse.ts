import type { ParsedBody } from '../../pipeline/types.ts';

/** Media type of a Content-Type value: lowercased, parameters dropped. */
export function mediaTypeOf(contentType: string | string[] | undefined): string {
  if (typeof contentType !== 'string') return '';
  const semi = contentType.indexOf(';');
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

export function isJsonType(mediaType: string): boolean {
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

/**
 * Parses what later layers read: JSON and urlencoded forms. A body that does not parse
 * is left unparsed (json/fields undefined); refusing it is a rule of its own.
 */
export function parseBody(bytes: Buffer, contentType: string | string[] | undefined): ParsedBody {
  const mediaType = mediaTypeOf(contentType);
  const body: ParsedBody = { mediaType, bytes };
  if (bytes.length === 0) return body;
  if (isJsonType(mediaType)) {
    try {
      body.json = JSON.parse(bytes.toString('utf8'));
    } catch {
      // not JSON: left for the rule that refuses malformed JSON
    }
  } else if (mediaType === 'application/x-www-form-urlencoded') {
    body.fields = [...new URLSearchParams(bytes.toString('utf8'))];
  }
  return body;
}
