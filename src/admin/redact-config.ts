export const REDACTED = '[redacted]';

// Words that mark a key as holding a secret: apiKey, api_key, clientSecret, password, ...
const SECRET_WORDS: ReadonlySet<string> = new Set([
  'token', 'tokens', 'secret', 'secrets', 'password', 'passwords', 'passwd', 'passphrase',
  'key', 'keys', 'apikey', 'apikeys', 'credential', 'credentials', 'authorization', 'cookie',
]);

/** Splits apiKey / api_key / api-key / API_KEY into lower-case words. */
function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * Whether a config key holds a secret. A key ending in `Env` (tokenEnv) names the environment
 * variable that holds the secret, not the secret itself, and is shown.
 */
export function isSecretKey(key: string): boolean {
  const w = words(key);
  if (w.length > 1 && w[w.length - 1] === 'env') return false;
  return w.some((x) => SECRET_WORDS.has(x)) || SECRET_WORDS.has(w.join(''));
}

// scheme://user:password@host... : the userinfo's password part.
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*):[^/?#@]*@/i;

/** A URL's password (http://user:pass@host) is a secret wherever it appears. */
export function redactUrlPassword(s: string): string {
  return URL_PASSWORD.test(s) ? s.replace(URL_PASSWORD, `$1:${REDACTED}@`) : s;
}

/** A deep copy of `value` with every secret-named key's value and every URL password replaced. */
export function redactConfig(value: unknown): unknown {
  if (typeof value === 'string') return redactUrlPassword(value);
  if (Array.isArray(value)) return value.map(redactConfig);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = isSecretKey(k) && v !== undefined && v !== null ? REDACTED : redactConfig(v);
    return out;
  }
  return value;
}
