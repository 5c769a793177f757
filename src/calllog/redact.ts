import type { Decision } from '../decision/types.ts';
import type { CallRecord } from './types.ts';

/** Headers that are always redacted, whatever the config says. */
export const ALWAYS_REDACTED_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key'] as const;

export const REDACTED = '[redacted]';

/** Headers whose scheme ("Bearer", "Basic") is kept: it helps diagnosis and is no secret. */
const KEEP_SCHEME = new Set(['authorization', 'proxy-authorization']);

/**
 * Secrets shorter than this are only replaced where a whole string equals them; replacing
 * every occurrence of "1" or "ab" would shred the record without protecting anything.
 */
const MIN_SUBSTRING_SECRET = 6;

export interface RedactionRules {
  /** Lowercased header names. */
  headers: ReadonlySet<string>;
  /** Lowercased query parameter names. */
  queryParams: ReadonlySet<string>;
}

export function redactionRules(extraHeaders: readonly string[], queryParams: readonly string[]): RedactionRules {
  return {
    headers: new Set([...ALWAYS_REDACTED_HEADERS, ...extraHeaders.map((h) => h.toLowerCase())]),
    queryParams: new Set(queryParams.map((p) => p.toLowerCase())),
  };
}

/** What the call log stores: the record with every secret it knows of replaced. */
export function redactRecord(record: CallRecord, rules: RedactionRules): CallRecord {
  const secrets = new Set<string>();
  const requestHeaders = redactHeaders(record.requestHeaders, rules, secrets);
  const query = redactQuery(record.query, rules, secrets);
  // With no secret in hand, scrubbing would copy the decision and change nothing.
  if (secrets.size === 0) return { ...record, query, requestHeaders };
  const scrub = scrubber(secrets);
  return {
    ...record,
    query,
    requestHeaders,
    error: record.error === undefined ? undefined : scrub(record.error),
    // Layers redact their evidence already; this is the second line of defence.
    decision: scrubDeep(record.decision, scrub) as Decision,
  };
}

/**
 * True when redactRecord would store the record exactly as it is: no header it redacts, no
 * query parameter it redacts, hence no secret to chase through the decision or the error.
 * Cheap enough for the gateway thread, so such a record can skip redaction altogether.
 * Errs towards false: a header name that is not lowercase also counts as "may hold one".
 */
export function holdsNoSecret(record: CallRecord, rules: RedactionRules): boolean {
  const headers = record.requestHeaders;
  for (const name in headers) {
    if (headers[name] === undefined) continue;
    if (rules.headers.has(name) || name.toLowerCase() !== name) return false;
  }
  if (!record.query || rules.queryParams.size === 0) return true;
  const secrets = new Set<string>();
  return redactQuery(record.query, rules, secrets) === record.query && secrets.size === 0;
}

export function redactHeaders(
  headers: CallRecord['requestHeaders'],
  rules: RedactionRules,
  secrets: Set<string> = new Set(),
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [rawName, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const name = rawName.toLowerCase();
    if (!rules.headers.has(name)) {
      out[name] = value;
      continue;
    }
    const one = (v: string) => redactHeaderValue(name, v, secrets);
    out[name] = Array.isArray(value) ? value.map(one) : one(value);
  }
  return out;
}

function redactHeaderValue(name: string, value: string, secrets: Set<string>): string {
  collectSecrets(name, value, secrets);
  if (KEEP_SCHEME.has(name)) {
    const m = /^\s*([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)\s+\S/.exec(value);
    if (m) return `${m[1]} ${REDACTED}`;
  }
  return REDACTED;
}

/** Remembers the pieces of a secret header that could show up elsewhere in the record. */
function collectSecrets(name: string, value: string, secrets: Set<string>): void {
  const trimmed = value.trim();
  if (trimmed) secrets.add(trimmed);
  if (KEEP_SCHEME.has(name)) {
    const credential = trimmed.replace(/^\S+\s+/, '');
    if (credential) secrets.add(credential);
    if (/^basic\s/i.test(trimmed)) {
      const decoded = Buffer.from(credential, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0 && colon < decoded.length - 1) secrets.add(decoded.slice(colon + 1));
    }
  }
  if (name === 'cookie' || name === 'set-cookie') {
    for (const part of trimmed.split(';')) {
      const eq = part.indexOf('=');
      const v = eq >= 0 ? part.slice(eq + 1).trim() : '';
      if (v) secrets.add(v);
    }
  }
}

/** Replaces the value of every configured parameter; the rest of the query is kept byte for byte. */
export function redactQuery(query: string, rules: RedactionRules, secrets: Set<string> = new Set()): string {
  if (!query || rules.queryParams.size === 0) return query;
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq >= 0 ? pair.slice(0, eq) : pair;
      if (!rules.queryParams.has(decodeComponent(rawName).toLowerCase())) return pair;
      if (eq < 0) return pair;
      const rawValue = pair.slice(eq + 1);
      if (rawValue) {
        secrets.add(rawValue);
        const decoded = decodeComponent(rawValue);
        if (decoded) secrets.add(decoded);
      }
      return `${rawName}=${REDACTED}`;
    })
    .join('&');
}

function decodeComponent(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

function scrubber(secrets: Set<string>): (s: string) => string {
  const whole = [...secrets];
  const parts = whole.filter((s) => s.length >= MIN_SUBSTRING_SECRET).sort((a, b) => b.length - a.length);
  if (whole.length === 0) return (s) => s;
  return (s) => {
    if (secrets.has(s)) return REDACTED;
    let out = s;
    for (const secret of parts) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  };
}

/** Applies `scrub` to every string inside a JSON-like value (keys included). */
function scrubDeep(value: unknown, scrub: (s: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (value === null || typeof value !== 'object' || depth > 32) return value;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, scrub, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[scrub(k)] = scrubDeep(v, scrub, depth + 1);
  return out;
}
