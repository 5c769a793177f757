// A webhook receiver for alert tests: records each notification and the headers it came with.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Notification } from '../../src/report/alerts.ts';

export interface Webhook {
  url: string;
  received: Notification[];
  headers: IncomingHttpHeaders[];
  close(): Promise<void>;
}

export async function startWebhook(): Promise<Webhook> {
  const received: Notification[] = [];
  const headers: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      headers.push(req.headers);
      received.push(JSON.parse(body) as Notification);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`,
    received,
    headers,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
