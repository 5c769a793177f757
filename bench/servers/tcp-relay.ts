// A TCP relay: bytes from each client connection to a fresh connection to the target and back,
// no HTTP parsing at all. The AI bench's control for what one more hop on loopback costs.
// Usage: tcp-relay.ts <target origin, http://host:port>
import { connect, createServer } from 'node:net';
import { announce } from './ready.ts';

const target = new URL(process.argv[2] ?? '');
const server = createServer((client) => {
  client.setNoDelay(true);
  const upstream = connect(Number(target.port), target.hostname);
  upstream.setNoDelay(true);
  client.pipe(upstream).on('error', () => client.destroy());
  upstream.pipe(client).on('error', () => upstream.destroy());
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  announce(`http://127.0.0.1:${port}`, { close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
});
