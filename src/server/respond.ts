import type { ServerResponse } from 'node:http';
import type { ProblemResponse } from '../decision/problem.ts';

/** Writes a problem response; `close` asks the client to drop the connection (unread body). */
export function writeProblem(res: ServerResponse, p: ProblemResponse, close = false): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [k, v] of Object.entries(p.headers)) res.setHeader(k, v);
  res.setHeader('content-length', Buffer.byteLength(p.body));
  if (close) res.setHeader('connection', 'close');
  res.statusCode = p.status;
  res.end(res.req.method === 'HEAD' ? undefined : p.body);
}
