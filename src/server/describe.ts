import type { IncomingMessage } from 'node:http';
import type { DeriveClientAddress } from '../layers/ip/index.ts';
import type { RequestDescription } from '../pipeline/types.ts';

/**
 * Turns a live request into the plain description the pipeline evaluates. The client address
 * is derived here, once: the socket peer, or with trusted proxies configured (`derive`,
 * compiled from ip.trustedProxies at config load) read from the forwarding header.
 */
export function describe(req: IncomingMessage, derive?: DeriveClientAddress, proto = 'http'): RequestDescription {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const peer = req.socket.remoteAddress ?? '';
  const derived = derive?.(peer, req.headers);
  return {
    method: req.method ?? 'GET',
    httpVersion: req.httpVersion,
    path: q === -1 ? url : url.slice(0, q),
    query: q === -1 ? '' : url.slice(q + 1),
    host: hostOf(req.headers.host),
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    clientIp: derived === undefined ? peer : derived.clientIp,
    peerIp: peer,
    clientIpVia: derived === undefined ? 'peer' : derived.via,
    proto: derived?.proto ?? proto,
  };
}

/** "Api.Example.com:8080" → "api.example.com"; "[::1]:8080" → "[::1]". */
export function hostOf(header: string | undefined): string {
  if (!header) return '';
  const h = header.toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end === -1 ? h : h.slice(0, end + 1);
  }
  const colon = h.indexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}
