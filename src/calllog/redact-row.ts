import type { CallRecord } from './types.ts';
import { REDACTED, redactHeaders, redactQuery, type RedactionRules } from './redact.ts';
import { callRow, type CallRow } from './row.ts';

/** Secrets shorter than this are only replaced where a whole JSON string equals them (as in redactRecord). */
const MIN_SUBSTRING_SECRET = 6;

/**
 * The stored row of a call that may hold secrets, built on the gateway thread: headers and
 * query redacted, then every secret found there replaced in the decision's and the error's
 * JSON text. Scrubbing the text the row needs anyway costs a few string searches, where
 * copying the record to the writer thread and scrubbing its object graph there cost most of
 * that thread's time on authenticated routes. Stores exactly what callRow(redactRecord(r)) does.
 */
export function redactedRow(record: CallRecord, rules: RedactionRules): CallRow {
  const secrets = new Set<string>();
  const requestHeaders = redactHeaders(record.requestHeaders, rules, secrets);
  const query = redactQuery(record.query, rules, secrets);
  const row = callRow(record, query, requestHeaders);
  if (secrets.size === 0) return row;
  row[20] = row[20] === null ? null : scrubText(row[20], secrets, false);
  row[21] = scrubText(row[21], secrets, true);
  return row;
}

/** Characters JSON.stringify would escape (and surrogates, to be safe): a secret without any is its own JSON text. */
const JSON_ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A secret as it appears inside a JSON string. */
function jsonInner(secret: string): string {
  return JSON_ESCAPED.test(secret) ? JSON.stringify(secret).slice(1, -1) : secret;
}

/** Replaces secrets in a plain string (`json` false) or inside the strings of JSON text (`json` true). */
function scrubText(text: string, secrets: Set<string>, json: boolean): string {
  // Most texts hold none of the secrets (a decision names a key by its label): one search each, then done.
  let present: string[] | undefined;
  for (const secret of secrets) if (text.includes(json ? jsonInner(secret) : secret)) (present ??= []).push(secret);
  if (!present) return text;
  const quote = (s: string) => (json ? JSON.stringify(s) : s);
  let out = text;
  for (const secret of present) {
    const whole = quote(secret);
    if (json ? out.includes(whole) : out === secret) out = json ? out.split(whole).join(quote(REDACTED)) : REDACTED;
  }
  const parts = present.filter((s) => s.length >= MIN_SUBSTRING_SECRET).sort((a, b) => b.length - a.length);
  for (const secret of parts) {
    const inner = json ? jsonInner(secret) : secret;
    if (out.includes(inner)) out = out.split(inner).join(REDACTED);
  }
  return out;
}
