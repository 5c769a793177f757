import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfigText } from '../config/load.ts';
import { auditShadowedAllows, auditTenantOverlaps } from './shadowing.ts';

const BASE = `
services: { s: { upstreams: [{ url: "http://127.0.0.1:9" }] } }
tenants: { acme: {}, globex: {} }
roles:
  viewer: { permissions: [orders:read] }
  writer: { permissions: ["orders:*"] }
consumers:
  a: { tenant: acme, roles: [writer] }
`;

test('a deny rule that matches every caller shadows the route\'s allow; a narrowed one does not', () => {
  const { config } = loadConfigText(
    BASE +
      `routes:
  - id: locked
    service: s
    paths: [/locked]
    methods: [GET, POST]
    authn: [apiKey]
    authz: { require: [orders:read], deny: [{ id: freeze, methods: [POST] }] }
  - id: by-role
    service: s
    paths: [/by-role]
    methods: [POST]
    authn: [apiKey]
    authz: { require: [orders:read], deny: [{ id: no-one, roles: [viewer, writer] }] }
  - id: narrowed
    service: s
    paths: [/narrowed]
    methods: [POST]
    authn: [apiKey]
    authz: { require: [orders:read], deny: [{ id: one-tenant, tenants: [globex] }, { id: some-roles, roles: [viewer] }] }
`,
    'audit.yaml',
  );
  const findings = auditShadowedAllows(config);
  assert.deepEqual(findings.map((f) => [f.check, f.subject]), [
    ['authz.allow_shadowed', 'route locked'],
    ['authz.allow_shadowed', 'route by-role'],
  ]);
  assert.match(findings[0].message, /deny rule freeze of route locked matches every caller for POST/);
  assert.match(findings[1].message, /every role that may use the route is in \[viewer, writer\]/);
  assert.match(findings[0].suggestion, /remove POST from its methods \(callers then get 405, not 403\)/);
});

test('routes of different tenants whose paths can match the same request are reported; disjoint ones are not', () => {
  const { config } = loadConfigText(
    BASE +
      `routes:
  - { id: acme-orders, service: s, paths: ["/orders/:id"], methods: [GET], authn: [apiKey], authz: { require: [orders:read], tenants: [acme] } }
  - { id: globex-special, service: s, paths: [/orders/special], methods: [GET, POST], authn: [apiKey], authz: { require: [orders:read], tenants: [globex] } }
  - { id: globex-carts, service: s, paths: ["/carts/:id"], methods: [GET], authn: [apiKey], authz: { require: [orders:read], tenants: [globex] } }
  - { id: shared, service: s, paths: ["/orders/:id/notes"], methods: [GET], authn: [apiKey], authz: { require: [orders:read] } }
`,
    'audit.yaml',
  );
  const findings = auditTenantOverlaps(config);
  assert.deepEqual(findings.map((f) => f.subject), ['routes acme-orders and globex-special']);
  assert.match(findings[0].message, /\/orders\/:id \/ \/orders\/special for GET/);
});
