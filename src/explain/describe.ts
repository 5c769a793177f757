import type { DeriveClientAddress } from '../layers/ip/index.ts';
import type { RequestDescription } from '../pipeline/types.ts';
import { hostOf } from '../server/describe.ts';
import type { ParsedRequest } from './types.ts';

export interface DescribeOptions {
  /** The address the request comes from, as the gateway's socket would see it (default 127.0.0.1). */
  peer?: string;
  /** The config's client-address derivation (trusted proxies), as live traffic uses it. */
  derive?: DeriveClientAddress;
}

/**
 * The description the pipeline evaluates, built from a pasted request the way
 * src/server/describe.ts builds it from a socket: same header folding as Node's parser
 * (repeated headers joined with ", ", cookies with "; "), same client-address derivation.
 */
export function describeParsed(p: ParsedRequest, opts: DescribeOptions = {}): RequestDescription {
  const { path, query, host: urlHost, proto } = splitUrl(p.url);
  const headers: Record<string, string> = {};
  const rawHeaders: string[] = [];
  for (const [name, value] of p.headers) {
    const key = name.toLowerCase();
    rawHeaders.push(name, value);
    const prior = headers[key];
    headers[key] = prior === undefined ? value : key === 'cookie' ? `${prior}; ${value}` : key === 'host' ? prior : `${prior}, ${value}`;
  }
  if (headers.host === undefined && urlHost !== undefined) {
    headers.host = urlHost;
    rawHeaders.push('Host', urlHost);
  }
  if (p.body !== undefined && headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) {
    headers['content-length'] = String(p.body.length);
  }
  const peer = opts.peer ?? '127.0.0.1';
  const derived = opts.derive?.(peer, headers);
  return {
    method: p.method.toUpperCase(),
    httpVersion: '1.1',
    path,
    query,
    host: hostOf(headers.host),
    headers,
    rawHeaders,
    clientIp: derived === undefined ? peer : derived.clientIp,
    peerIp: peer,
    clientIpVia: derived === undefined ? 'peer' : derived.via,
    proto: derived?.proto ?? proto ?? 'http',
    rawBody: p.body,
  };
}

function splitUrl(url: string): { path: string; query: string; host?: string; proto?: string } {
  let rest = url;
  let host: string | undefined;
  let proto: string | undefined;
  const abs = /^(https?):\/\/([^/?#]*)/i.exec(url);
  if (abs) {
    proto = abs[1].toLowerCase();
    host = abs[2].replace(/^[^@]*@/, '');
    rest = url.slice(abs[0].length) || '/';
  }
  const hash = rest.indexOf('#');
  if (hash !== -1) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  return { path: q === -1 ? rest : rest.slice(0, q), query: q === -1 ? '' : rest.slice(q + 1), host, proto };
}
