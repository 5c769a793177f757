import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, formatPath, loadConfigText, type ConfigIssue } from './load.ts';
import { ConfigSchema } from './schema.ts';

const SERVICES = `services:
  orders:
    upstreams:
      - url: http://127.0.0.1:9000
  users:
    upstreams:
      - url: http://127.0.0.1:9001
`;

/** Loads and returns the issues as `line:column path message`, failing if it loads. */
function issuesOf(yaml: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    loadConfigText(yaml, 'bad.yaml', { env });
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.issues.map((i: ConfigIssue) => `${i.line}:${i.column} ${formatPath(i.path)} ${i.message}`);
  }
  assert.fail('the config loaded');
}

const cases: Array<{ name: string; yaml: string; env?: NodeJS.ProcessEnv; issues: string[] }> = [
  {
    name: 'unknown key at the top level points at the key',
    yaml: `gateway: {}\nroute: []\n`,
    // Every top-level key the schema has, in its order: layers add theirs.
    issues: [`2:1 route unknown key "route"; did you mean "routes"? (allowed here: ${Object.keys(ConfigSchema.shape).join(', ')})`],
  },
  {
    name: 'unknown nested key points at the key, with a suggestion',
    yaml: `gateway:\n  listen:\n    host: 127.0.0.1\n    prot: 8080\n`,
    issues: ['4:5 gateway.listen.prot unknown key "prot"; did you mean "port"? (allowed here: host, port)'],
  },
  {
    name: 'port out of range points at the value',
    yaml: `gateway:\n  listen: { port: 70000 }\n`,
    issues: ['2:19 gateway.listen.port must be at most 65535 (got 70000)'],
  },
  {
    name: 'port of the wrong type',
    yaml: `admin:\n  listen:\n    port: eighty\n`,
    issues: ['3:11 admin.listen.port expected a number, got "eighty"'],
  },
  {
    name: 'unknown service says which exist and suggests the closest',
    yaml: `${SERVICES}routes:\n  - id: list-orders\n    service: ordres\n    paths: [/orders]\n`,
    issues: ['10:14 routes[0].service service "ordres" is not defined under services (defined: orders, users); did you mean "orders"?'],
  },
  {
    name: 'unknown service without a close name',
    yaml: `routes:\n  - { id: a, service: billing, paths: [/a] }\n`,
    issues: ['2:23 routes[0].service service "billing" is not defined under services (no services are defined)'],
  },
  {
    name: 'duplicate route id points at the second and names the first line',
    yaml: `${SERVICES}routes:\n  - id: orders\n    service: orders\n    paths: [/orders]\n  - id: orders\n    service: orders\n    paths: [/orders/:id]\n`,
    issues: ['12:9 routes[1].id duplicate route id "orders" (first used by routes[0], line 9)'],
  },
  {
    name: 'duplicate route (same pattern, method, host, version) points at the path',
    yaml: `${SERVICES}routes:\n  - id: get-order\n    service: orders\n    paths: [/orders/:id]\n    methods: [GET]\n  - id: get-order-again\n    service: users\n    paths: ['/orders/:orderId']\n    methods: [GET, DELETE]\n`,
    issues: ['15:13 routes[1].paths[0] duplicate route: GET /orders/:id is already served by route "get-order"'],
  },
  {
    name: 'upstream url with a path',
    yaml: `services:\n  orders:\n    upstreams:\n      - url: http://127.0.0.1:9000/api\n`,
    issues: ['4:14 services.orders.upstreams[0].url an upstream url is scheme://host[:port] with no path, e.g. http://127.0.0.1:9000'],
  },
  {
    name: 'upstream url with a port out of range',
    yaml: `services:\n  orders:\n    upstreams:\n      - url: http://127.0.0.1:99999\n`,
    issues: ['4:14 services.orders.upstreams[0].url invalid upstream url "http://127.0.0.1:99999": port 99999 is out of range (1-65535)'],
  },
  {
    name: 'missing required field points at the object that lacks it',
    yaml: `services:\n  orders:\n    upstreams:\n      - weight: 2\n`,
    issues: ['4:9 services.orders.upstreams[0].url missing required field "url"'],
  },
  {
    name: 'unknown HTTP method suggests the closest',
    yaml: `${SERVICES}routes:\n  - { id: a, service: orders, paths: [/a], methods: [GET, PSOT] }\n`,
    issues: ['9:59 routes[0].methods[1] "PSOT" is not allowed; did you mean "POST"?'],
  },
  {
    name: 'YAML syntax error has its line and column',
    yaml: `gateway:\n  listen: { port: 8080\nroutes: []\n`,
    issues: ['3:1 (top level) YAML: Flow map in block collection must be sufficiently indented and end with a }'],
  },
  {
    name: 'duplicate YAML key',
    yaml: `log:\n  file: a.db\n  file: b.db\n`,
    issues: ['3:3 (top level) YAML: Map keys must be unique'],
  },
  {
    name: 'an unset environment variable is an error at its value',
    yaml: `gateway:\n  listen:\n    port: \${PINPOINT_TEST_PORT}\n`,
    issues: ['3:11 gateway.listen.port environment variable PINPOINT_TEST_PORT is not set (write ${NAME:-default} for a fallback)'],
  },
  {
    name: 'several errors at once, in file order',
    yaml: [
      'gateway:',
      '  listen: { port: -1 }',
      '  colour: blue',
      'services:',
      '  orders:',
      '    upstreams: []',
      'routes:',
      '  - id: a',
      '    service: users',
      '    paths: [orders]',
      '  - id: b',
      '    service: orders',
      '    paths: [/x]',
      '  - id: c',
      '    service: orders',
      '    paths: [/x]',
      '',
    ].join('\n'),
    issues: [
      '2:19 gateway.listen.port must be at least 0 (got -1)',
      '3:3 gateway.colour unknown key "colour" (allowed here: listen, errorTypeBase, versionHeader, maxHeaderBytes, maxUrlLength, keepAliveTimeoutMs, requestTimeoutMs)',
      '6:16 services.orders.upstreams must have at least 1 item (got a list of 0)',
      '9:14 routes[0].service service "users" is not defined under services (defined: orders)',
      '10:13 routes[0].paths[0] a path starts with /',
      '16:13 routes[2].paths[0] duplicate route: every method of /x is already served by route "b"',
    ],
  },
];

for (const c of cases) {
  test(`bad config: ${c.name}`, () => {
    assert.deepEqual(issuesOf(c.yaml, c.env), c.issues);
  });
}

test('the ConfigError message lists every issue as FILE:LINE:COL  path  message', () => {
  assert.throws(
    () => loadConfigText('gateway:\n  listen: { port: 70000 }\nfoo: 1\n', 'x.yaml', { env: {} }),
    (e: Error) => {
      const lines = e.message.split('\n');
      assert.equal(lines[0], 'x.yaml: 2 errors in config');
      assert.equal(lines[1], '  x.yaml:2:19  gateway.listen.port  must be at most 65535 (got 70000)');
      assert.match(lines[2], /^ {2}x\.yaml:3:1 {2}foo {2}unknown key "foo"/);
      return e instanceof ConfigError && e.issues.length === 2;
    },
  );
});

test('a good config loads with every default applied', () => {
  const loaded = loadConfigText(`${SERVICES}routes:\n  - { id: a, service: orders, paths: [/a] }\n`, 'good.yaml', { env: {} });
  const { config } = loaded;
  assert.deepEqual(config.gateway.listen, { host: '127.0.0.1', port: 8080 });
  assert.deepEqual(config.admin.listen, { host: '127.0.0.1', port: 8081 });
  assert.equal(config.admin.enabled, true);
  assert.equal(config.gateway.versionHeader, 'x-api-version');
  assert.equal(config.log.retentionDays, 7);
  assert.deepEqual(config.services.orders.upstreams, [{ url: 'http://127.0.0.1:9000', weight: 1 }]);
  assert.deepEqual(config.services.orders.timeouts, { connectMs: 2000, headersMs: 30000, bodyMs: 30000 });
  assert.equal(config.services.orders.idempotentRetries, 1);
  assert.match(loaded.revision, /^[0-9a-f]{12}$/);
  assert.equal(loaded.source, 'good.yaml');
  assert.deepEqual(loaded.locate(['routes', 0, 'service']), { line: 9, column: 23 });
  assert.equal(loaded.pipeline.constructor.name, 'Pipeline');
});

test('an empty file is a config of defaults', () => {
  const { config } = loadConfigText('', 'empty.yaml', { env: {} });
  assert.deepEqual(config.routes, []);
  assert.deepEqual(config.services, {});
});

test('environment variables are substituted, typed when unquoted, with fallbacks', () => {
  const yaml = [
    'gateway:',
    '  listen:',
    '    host: ${PP_HOST}',
    '    port: ${PP_PORT}',
    '  versionHeader: ${PP_UNSET:-x-version}',
    'log:',
    '  file: "$${literal}/${PP_DIR}/calls.db"',
    '',
  ].join('\n');
  const { config } = loadConfigText(yaml, 'env.yaml', { env: { PP_HOST: '0.0.0.0', PP_PORT: '9999', PP_DIR: 'data' } });
  assert.deepEqual(config.gateway.listen, { host: '0.0.0.0', port: 9999 });
  assert.equal(config.gateway.versionHeader, 'x-version');
  assert.equal(config.log.file, '${literal}/data/calls.db');
});

test('the revision is stable across key order and formatting, and changes with a value', () => {
  const a = loadConfigText(`${SERVICES}routes:\n  - { id: a, service: orders, paths: [/a], methods: [GET] }\n`, 'a.yaml', { env: {} });
  const reordered = [
    '# same config, other order and style',
    'routes:',
    '  - methods: [GET]',
    '    paths: [/a]',
    '    service: orders',
    '    id: a',
    'services:',
    '  users: { upstreams: [ { url: "http://127.0.0.1:9001" } ] }',
    '  orders:',
    '    upstreams: [{ weight: 1, url: http://127.0.0.1:9000 }]',
    'gateway: { listen: { port: 8080 } }',
    '',
  ].join('\n');
  const b = loadConfigText(reordered, 'b.yaml', { env: {} });
  assert.equal(b.revision, a.revision);
  const changed = loadConfigText(reordered.replace('port: 8080', 'port: 8090'), 'c.yaml', { env: {} });
  assert.notEqual(changed.revision, a.revision);
  const routeOrder = loadConfigText(`${SERVICES}routes:\n  - { id: a, service: orders, paths: [/a], methods: [POST] }\n`, 'd.yaml', { env: {} });
  assert.notEqual(routeOrder.revision, a.revision);
});
