// `npm start`: the demo orders service on 127.0.0.1:9090 and the gateway in front of it.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startPinpoint } from '../../src/server/start.ts';
import { createOrdersService } from './orders-service.ts';

const configPath = fileURLToPath(new URL('./pinpoint.yaml', import.meta.url));
// The admin API refuses everything without a token; the quickstart makes one up if none is set.
process.env.PINPOINT_ADMIN_TOKEN ||= randomBytes(16).toString('hex');

const upstream = createOrdersService();
await new Promise<void>((resolve) => upstream.listen(9090, '127.0.0.1', resolve));
const running = await startPinpoint({ configPath });
const gw = `http://127.0.0.1:${running.gatewayAddress.port}`;
// A demo key for the demo consumer, through the gateway's own store (as `pinpoint keys create`
// would). It expires in a day, so restarts do not leave working keys behind.
const demo = await running.store.createKey({ consumer: 'demo-app', scopes: ['orders:write'], name: 'quickstart demo', expiresAt: Date.now() + 86_400_000, actor: 'quickstart' });
const admin = running.adminAddress ? `http://127.0.0.1:${running.adminAddress.port}` : undefined;

console.log(`Pinpoint gateway listening on ${gw} (demo orders service on http://127.0.0.1:9090)`);
if (admin) console.log(`Admin API on ${admin} (token: ${process.env.PINPOINT_ADMIN_TOKEN})`);
console.log(`Call log: ${running.logFile}

Demo API key of consumer demo-app (shown once, expires in a day): ${demo.key}

Try:
  curl -i -X POST ${gw}/orders -H 'x-api-key: ${demo.key}' -H 'content-type: application/json' -d '{"item":"book","quantity":2}'
  curl -i -X POST ${gw}/orders -d '{}'       # 401: creating an order needs an API key
  curl -i ${gw}/orders/1
  curl -i -X DELETE ${gw}/orders/1          # 405: the route does not allow DELETE
  curl -i ${gw}/invoices                    # 404: no route
Then ask why a request was refused (use the X-Request-Id of the answer):
  npx pinpoint why <request-id> -c examples/quickstart/pinpoint.yaml
  npx pinpoint logs -c examples/quickstart/pinpoint.yaml --status 405
Manage keys:
  npx pinpoint keys list -c examples/quickstart/pinpoint.yaml
Stop with Ctrl-C.`);

const stop = async () => {
  await running.close();
  upstream.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
