import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BodyRead } from '../pipeline/types.ts';

/**
 * Reads a live request's whole body for the body layer, never holding more than `limit`
 * bytes: a declared Content-Length over the limit is refused before a byte is read (and
 * before 100 Continue is sent, so the client does not send it at all).
 */
export function readRequestBody(req: IncomingMessage, res: ServerResponse, limit: number, expectsContinue: boolean): Promise<BodyRead> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.resolve({ ok: false, reason: 'too_large', received: 0 });
  }
  if (expectsContinue && !res.headersSent) res.writeContinue();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const settle = (r: BodyRead) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onClose);
      resolve(r);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        req.pause();
        settle({ ok: false, reason: 'too_large', received });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => settle({ ok: true, bytes: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received) });
    const onAbort = () => settle({ ok: false, reason: 'aborted', received });
    const onClose = () => {
      if (!req.complete) onAbort();
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onClose);
  });
}
