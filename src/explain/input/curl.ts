// Reads a curl command line (as browsers' "Copy as cURL" writes it, bash or cmd) into a
// ParsedRequest, following curl's own rules for the options it understands (man curl).
import { splitCmdWords, looksLikeCmd } from './cmd-words.ts';
import {
  HARMLESS_FLAGS, HARMLESS_WITH_VALUE, REFUSED, REQUEST_OPTIONS, VALUELESS_REQUEST_OPTIONS,
} from './curl-options.ts';
import { splitPosixWords } from './posix-words.ts';
import { RequestInputError, type ParsedRequest } from './types.ts';

interface Header {
  name: string;
  value: string;
  /** Made by curl from an option (-A, -e, -u, -b): a header the user gives with -H replaces it. */
  derived: boolean;
}

interface CurlState {
  urls: string[];
  method?: string;
  head: boolean;
  get: boolean;
  json: boolean;
  headers: Header[];
  /** Names given as `-H 'Name:'`: curl then sends no such header at all. */
  removed: Set<string>;
  data?: string;
  urlQuery: string[];
  cookies: string[];
}

// curl's --data-urlencode and --url-query escape everything but RFC 3986 unreserved characters.
function curlEscape(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function refuseFile(flag: string, value: string): never {
  throw new RequestInputError(
    `${flag} ${value} reads a file, which a pasted request cannot carry; paste the content inline`,
  );
}

function urlEncodedPiece(flag: string, value: string): string {
  // Forms (man curl): content | =content | name=content | @file | name@file
  const eq = value.indexOf('=');
  const at = value.indexOf('@');
  if (at >= 0 && (eq < 0 || at < eq)) refuseFile(flag, value);
  if (eq < 0) return curlEscape(value);
  if (eq === 0) return curlEscape(value.slice(1));
  return `${value.slice(0, eq)}=${curlEscape(value.slice(eq + 1))}`;
}

function addData(state: CurlState, piece: string, joiner: string): void {
  state.data = state.data === undefined ? piece : state.data + joiner + piece;
}

function addHeaderLine(state: CurlState, line: string): void {
  if (/[\r\n]/.test(line)) throw new RequestInputError(`header ${JSON.stringify(line)} contains a line break`);
  if (line.startsWith('@')) refuseFile('-H', line);
  const colon = line.indexOf(':');
  if (colon <= 0) {
    // `-H 'Name;'` sends the header with an empty value.
    if (line.endsWith(';') && line.length > 1 && !line.slice(0, -1).includes(' ')) {
      state.headers.push({ name: line.slice(0, -1), value: '', derived: false });
      return;
    }
    throw new RequestInputError(`header ${JSON.stringify(line)} has no ':' between its name and value`);
  }
  const name = line.slice(0, colon).trim();
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new RequestInputError(`header name ${JSON.stringify(name)} is not a valid HTTP header name`);
  }
  const value = line.slice(colon + 1).trim();
  if (value === '') {
    state.removed.add(name.toLowerCase());
    return;
  }
  state.headers.push({ name, value, derived: false });
}

function applyOption(state: CurlState, flag: string, value: string): void {
  switch (flag) {
    case '-X': case '--request': state.method = value; return;
    case '-H': case '--header': addHeaderLine(state, value); return;
    case '-d': case '--data': case '--data-ascii': case '--data-binary':
      if (value.startsWith('@')) refuseFile(flag, value);
      addData(state, value, '&');
      return;
    case '--data-raw': addData(state, value, '&'); return;
    case '--data-urlencode': addData(state, urlEncodedPiece(flag, value), '&'); return;
    case '--json':
      if (value.startsWith('@')) refuseFile(flag, value);
      state.json = true;
      addData(state, value, ''); // curl concatenates --json pieces without a separator
      return;
    case '-u': case '--user': {
      if (!value.includes(':')) {
        throw new RequestInputError(`${flag} ${value} has no password (curl would prompt for it); give user:password`);
      }
      const basic = Buffer.from(value, 'utf8').toString('base64');
      state.headers.push({ name: 'Authorization', value: `Basic ${basic}`, derived: true });
      return;
    }
    case '--oauth2-bearer':
      state.headers.push({ name: 'Authorization', value: `Bearer ${value}`, derived: true });
      return;
    case '-b': case '--cookie':
      // Without '=' curl reads the value as a cookie file name.
      if (!value.includes('=')) refuseFile(flag, value);
      if (state.cookies.length === 0) state.headers.push({ name: 'Cookie', value: '', derived: true });
      state.cookies.push(value);
      return;
    case '-A': case '--user-agent':
      state.headers.push({ name: 'User-Agent', value, derived: true });
      return;
    case '-e': case '--referer':
      state.headers.push({ name: 'Referer', value: value.replace(/;auto$/, ''), derived: true });
      return;
    case '--url': state.urls.push(value); return;
    case '--url-query': state.urlQuery.push(urlEncodedPiece(flag, value)); return;
    case '-G': case '--get': state.get = true; return;
    case '-I': case '--head': state.head = true; return;
  }
}

function takesValue(flag: string): boolean {
  return HARMLESS_WITH_VALUE.has(flag) || (REQUEST_OPTIONS.has(flag) && !VALUELESS_REQUEST_OPTIONS.has(flag));
}

function handleFlag(state: CurlState, flag: string, next: () => string): void {
  if (REFUSED[flag]) throw new RequestInputError(`curl option ${flag} is not supported: it ${REFUSED[flag]}`);
  if (HARMLESS_FLAGS.has(flag)) return;
  if (flag.startsWith('--no-') && HARMLESS_FLAGS.has(`--${flag.slice(5)}`)) return;
  if (HARMLESS_WITH_VALUE.has(flag)) {
    next();
    return;
  }
  if (REQUEST_OPTIONS.has(flag)) {
    applyOption(state, flag, VALUELESS_REQUEST_OPTIONS.has(flag) ? '' : next());
    return;
  }
  throw new RequestInputError(
    `unknown curl option ${flag}: it may change the request, so it is refused (remove it if it does not)`,
  );
}

function readWords(words: string[]): CurlState {
  const state: CurlState = {
    urls: [], head: false, get: false, json: false, headers: [], removed: new Set(), urlQuery: [], cookies: [],
  };
  let i = 1;
  const valueFor = (flag: string) => () => {
    if (i >= words.length) throw new RequestInputError(`curl option ${flag} needs a value`);
    return words[i++]!;
  };
  let optionsEnded = false;
  while (i < words.length) {
    const word = words[i++]!;
    if (optionsEnded || !word.startsWith('-') || word === '-') {
      state.urls.push(word);
    } else if (word === '--') {
      optionsEnded = true;
    } else if (word.startsWith('--')) {
      handleFlag(state, word, valueFor(word));
    } else {
      // Short options bundle (-sSL); one that takes a value takes the rest of the word (-XPOST) or the next word.
      for (let k = 1; k < word.length; k++) {
        const flag = `-${word[k]}`;
        if (takesValue(flag) && k + 1 < word.length) {
          const rest = word.slice(k + 1);
          handleFlag(state, flag, () => rest);
          break;
        }
        handleFlag(state, flag, valueFor(flag));
      }
    }
  }
  return state;
}

function buildUrl(state: CurlState): string {
  if (state.urls.length === 0) throw new RequestInputError('the curl command has no URL');
  if (state.urls.length > 1) {
    throw new RequestInputError(`the curl command has ${state.urls.length} URLs (${state.urls.join(', ')}); give one`);
  }
  let url = state.urls[0]!;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) url = `http://${url}`; // curl's default scheme
  const hash = url.indexOf('#');
  if (hash >= 0) url = url.slice(0, hash); // curl never sends the fragment
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RequestInputError(`${JSON.stringify(state.urls[0])} is not a valid URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new RequestInputError(`the URL scheme ${parsed.protocol.slice(0, -1)} is not HTTP or HTTPS`);
  }
  const query = [...state.urlQuery];
  if (state.get && state.data !== undefined) query.push(state.data);
  if (query.length > 0) url += (url.includes('?') ? '&' : '?') + query.join('&');
  return url;
}

function buildHeaders(state: CurlState, hasBody: boolean): Array<[string, string]> {
  const given = new Set(state.headers.filter((h) => !h.derived).map((h) => h.name.toLowerCase()));
  const out: Array<[string, string]> = [];
  for (const h of state.headers) {
    const lower = h.name.toLowerCase();
    if (state.removed.has(lower)) continue;
    if (h.derived && given.has(lower)) continue;
    out.push([h.name, h.name === 'Cookie' && h.derived ? state.cookies.join('; ') : h.value]);
  }
  const present = (name: string) => out.some(([n]) => n.toLowerCase() === name) || state.removed.has(name);
  if (hasBody && !present('content-type')) {
    out.push(['Content-Type', state.json ? 'application/json' : 'application/x-www-form-urlencoded']);
  }
  if (state.json && !present('accept')) out.push(['Accept', 'application/json']);
  return out;
}

export function isCurlCommand(text: string): boolean {
  return /^(?:\S*[\\/])?curl(?:\.exe)?(?:\s|\^|$)/i.test(text);
}

export function parseCurl(text: string): ParsedRequest {
  const trimmed = text.trim();
  const words = looksLikeCmd(trimmed) ? splitCmdWords(trimmed) : splitPosixWords(trimmed);
  if (words.length === 0 || !/^(?:.*[\\/])?curl(?:\.exe)?$/i.test(words[0]!)) {
    throw new RequestInputError('a curl command must start with "curl"');
  }
  const state = readWords(words);
  const url = buildUrl(state);
  const hasBody = state.data !== undefined && !state.get;
  const method = state.method ?? (state.head ? 'HEAD' : hasBody ? 'POST' : 'GET');
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(method)) {
    throw new RequestInputError(`${JSON.stringify(method)} is not a valid HTTP method`);
  }
  const request: ParsedRequest = { method, url, headers: buildHeaders(state, hasBody), source: 'curl' };
  if (hasBody) request.body = Buffer.from(state.data!, 'utf8');
  return request;
}
