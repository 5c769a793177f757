// The least an HTTP proxy in Node can do: node:http in, node:http with a keep-alive agent out,
// the response piped back as it comes. No routing, no checks, no log, hop-by-hop headers left
// as they are. The AI bench's control for what Node's HTTP handling alone adds to one hop.
// Usage: node-proxy.ts <target origin, http://host:port>
import { Agent, createServer, request } from 'node:http';
import { announce } from './ready.ts';

const target = new URL(process.argv[2] ?? '');
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const server = createServer((req, res) => {
  const up = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  up.on('error', () => res.destroy());
  req.pipe(up);
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  announce(`http://127.0.0.1:${port}`, { close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
});
