import type { IncomingMessage } from 'node:http';
import type { RequestDescription } from '../pipeline/types.ts';

/** Turns a live request into the plain description the pipeline evaluates. */
export function describe(req: IncomingMessage): RequestDescription {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return {
    method: req.method ?? 'GET',
    httpVersion: req.httpVersion,
    path: q === -1 ? url : url.slice(0, q),
    query: q === -1 ? '' : url.slice(q + 1),
    host: hostOf(req.headers.host),
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    clientIp: req.socket.remoteAddress ?? '',
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
