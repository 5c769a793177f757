// The fixed upstream every target proxies to: reads the whole request body,
// answers 200 with a small JSON body. Kept minimal so the proxies are what is measured.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UPSTREAM_RESPONSE } from '../workload.ts';
import { announce } from './ready.ts';

const body = Buffer.from(UPSTREAM_RESPONSE);
let requests = 0;

const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  req.resume();
  req.on('end', () => {
    requests++;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  announce(`http://127.0.0.1:${port}`, {
    stats: () => ({ requests }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
});
