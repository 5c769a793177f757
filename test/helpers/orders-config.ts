// The config of the toolkit's end-to-end tests (explain, replay, diff, shadow): one orders
// route whose GET needs orders:read and POST orders:write, roles viewer and writer, and two
// consumers, alice (a viewer) and bob (a writer unless a test says otherwise).

export interface OrdersConfig {
  upstream: string;
  /** The admin section (default: disabled). */
  admin?: string;
  /** Top-level YAML added as is (a shadow section). */
  extra?: string;
  aliceRole?: string;
  bobRole?: string;
  /** bob's tenant (default acme, alice's). */
  bobTenant?: string;
}

export function ordersConfig(o: OrdersConfig): string {
  const bobTenant = o.bobTenant ?? 'acme';
  return `
admin: ${o.admin ?? '{ enabled: false }'}
log: { file: data/calls.db, flushIntervalMs: 5 }
store: { file: data/keys.db }
${o.extra ?? ''}
tenants: { acme: {}${bobTenant === 'acme' ? '' : `, ${bobTenant}: {}`} }
roles:
  viewer: { permissions: ["orders:read"] }
  writer: { permissions: ["orders:*"] }
consumers:
  alice: { tenant: acme, roles: [${o.aliceRole ?? 'viewer'}] }
  bob: { tenant: ${bobTenant}, roles: [${o.bobRole ?? 'writer'}] }
services:
  orders: { upstreams: [{ url: "${o.upstream}" }] }
routes:
  - id: orders
    service: orders
    paths: [/orders]
    methods: [GET, POST]
    authn: [apiKey]
    authz: { require: { GET: ["orders:read"], POST: ["orders:write"] } }
`;
}
