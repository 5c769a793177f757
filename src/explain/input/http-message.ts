// Reads a raw HTTP/1.x request message (request line, header lines, blank line, body). Line ends
// may be CRLF or, as pasted text often has, LF. The body is framed by Content-Length or chunked
// transfer coding as HTTP/1.1 says; anything after it is refused rather than guessed at.
import { RequestInputError, type ParsedRequest } from './types.ts';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const REQUEST_LINE = /^([^\s]+) ([^\s]+) HTTP\/(\d)\.(\d)$/;

export function isHttpMessage(text: string): boolean {
  return /^[A-Za-z]+ \S+ HTTP\/\d\.\d\r?\n/.test(text) || /^[A-Za-z]+ \S+ HTTP\/\d\.\d$/.test(text.trim());
}

function findLineEnd(buf: Buffer, from: number): { end: number; next: number } | undefined {
  const lf = buf.indexOf(0x0a, from);
  if (lf < 0) return undefined;
  return { end: lf > from && buf[lf - 1] === 0x0d ? lf - 1 : lf, next: lf + 1 };
}

function decodeChunked(buf: Buffer, start: number): { body: Buffer; end: number } {
  const parts: Buffer[] = [];
  let at = start;
  for (;;) {
    const line = findLineEnd(buf, at);
    if (!line) throw new RequestInputError('the chunked body ends before its last chunk (a chunk of size 0)');
    const sizeText = buf.subarray(at, line.end).toString('latin1').split(';')[0]!.trim();
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) {
      throw new RequestInputError(`chunk size ${JSON.stringify(sizeText)} is not hexadecimal`);
    }
    const size = parseInt(sizeText, 16);
    at = line.next;
    if (size === 0) {
      // Skip trailer lines up to the blank line (or the end of the pasted text).
      for (;;) {
        const trailer = findLineEnd(buf, at);
        if (!trailer) return { body: Buffer.concat(parts), end: buf.length };
        const empty = trailer.end === at;
        at = trailer.next;
        if (empty) return { body: Buffer.concat(parts), end: at };
      }
    }
    if (at + size > buf.length) throw new RequestInputError(`a chunk declares ${size} bytes but fewer follow`);
    parts.push(buf.subarray(at, at + size));
    at += size;
    const after = findLineEnd(buf, at);
    if (!after || after.end !== at) throw new RequestInputError('a chunk is not followed by a line break');
    at = after.next;
  }
}

export function parseHttpMessage(text: string): ParsedRequest {
  const buf = Buffer.from(text.replace(/^\s+/, ''), 'utf8');
  const first = findLineEnd(buf, 0) ?? { end: buf.length, next: buf.length };
  const requestLine = buf.subarray(0, first.end).toString('latin1');
  const match = REQUEST_LINE.exec(requestLine);
  if (!match) throw new RequestInputError(`line 1 is not an HTTP request line (METHOD target HTTP/1.1): ${JSON.stringify(requestLine)}`);
  const [, method, target, major] = match;
  if (!TOKEN.test(method!)) throw new RequestInputError(`${JSON.stringify(method)} is not a valid HTTP method`);
  if (major !== '1') throw new RequestInputError(`HTTP/${major} messages are not text; give an HTTP/1.1 message, a HAR entry or a curl command`);

  const headers: Array<[string, string]> = [];
  let at = first.next;
  let lineNo = 1;
  let ended = false;
  while (at < buf.length) {
    const line = findLineEnd(buf, at) ?? { end: buf.length, next: buf.length };
    lineNo++;
    const content = buf.subarray(at, line.end).toString('utf8');
    at = line.next;
    if (content === '') {
      ended = true;
      break;
    }
    if (/^[ \t]/.test(content)) throw new RequestInputError(`line ${lineNo} continues a header line (obsolete line folding), which HTTP/1.1 forbids`);
    const colon = content.indexOf(':');
    if (colon <= 0) throw new RequestInputError(`line ${lineNo} is not a header line (Name: value): ${JSON.stringify(content)}`);
    const name = content.slice(0, colon);
    if (!TOKEN.test(name)) throw new RequestInputError(`line ${lineNo}: ${JSON.stringify(name)} is not a valid header name`);
    headers.push([name, content.slice(colon + 1).trim()]);
  }

  const values = (name: string) => headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
  const host = values('host')[0];
  let url = target!;
  if (target!.startsWith('/') && host) url = `http://${host}${target}`;
  else if (!target!.startsWith('/') && !/^https?:\/\//i.test(target!) && target !== '*') {
    throw new RequestInputError(`the request target ${JSON.stringify(target)} is neither a path nor an absolute URL`);
  }

  const rest = ended ? buf.subarray(at) : Buffer.alloc(0);
  const encoding = values('transfer-encoding').join(',').toLowerCase();
  const lengths = values('content-length');
  let body: Buffer | undefined;
  let end = 0;
  if (encoding !== '') {
    if (lengths.length > 0) throw new RequestInputError('the message has both Transfer-Encoding and Content-Length');
    if (!/(^|,)\s*chunked\s*$/.test(encoding)) throw new RequestInputError(`Transfer-Encoding ${encoding} does not end with chunked`);
    ({ body, end } = decodeChunked(rest, 0));
  } else if (lengths.length > 0) {
    const distinct = new Set(lengths.flatMap((v) => v.split(',').map((s) => s.trim())));
    const only = [...distinct][0]!;
    if (distinct.size > 1 || !/^\d+$/.test(only)) throw new RequestInputError(`Content-Length ${lengths.join(', ')} is not one number`);
    const length = Number(only);
    if (rest.length < length) {
      throw new RequestInputError(`Content-Length says ${length} bytes but the body has ${rest.length}`);
    }
    body = rest.subarray(0, length);
    end = length;
  }
  const trailing = rest.subarray(end).toString('utf8');
  if (trailing.trim() !== '') {
    throw new RequestInputError(
      body === undefined
        ? 'text follows the headers but there is no Content-Length or Transfer-Encoding to frame a body; add Content-Length'
        : 'text follows the body framed by the headers (a second request, or a wrong Content-Length)',
    );
  }
  const parsed: ParsedRequest = { method: method!, url, headers, source: 'http' };
  if (body !== undefined && (body.length > 0 || lengths.length > 0 || encoding !== '')) parsed.body = Buffer.from(body);
  return parsed;
}
