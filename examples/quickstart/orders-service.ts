// A small demo upstream for the quickstart: an in-memory orders service.
import { createServer, type Server } from 'node:http';

interface Order {
  id: string;
  item: string;
  quantity: number;
}

export function createOrdersService(): Server {
  const orders = new Map<string, Order>();
  let next = 1;
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/orders' && req.method === 'GET') return send(200, [...orders.values()]);
      if (path === '/orders' && req.method === 'POST') {
        let input: Partial<Order>;
        try {
          input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        } catch {
          return send(400, { error: 'body is not JSON' });
        }
        const order = { id: String(next++), item: String(input.item ?? 'widget'), quantity: Number(input.quantity ?? 1) };
        orders.set(order.id, order);
        return send(201, order);
      }
      const m = /^\/orders\/([^/]+)$/.exec(path);
      if (m && req.method === 'GET') {
        const order = orders.get(m[1]);
        return order ? send(200, order) : send(404, { error: 'no such order' });
      }
      send(404, { error: 'not found' });
    });
  });
}
