import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfigText, type ConfigIssue } from '../src/config/load.ts';

function issuesOf(yaml: string): ConfigIssue[] {
  try {
    loadConfigText(yaml, 'test.yaml');
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.issues;
  }
  assert.fail('the config loaded');
}

const BASE = `services:
  api: { upstreams: [{ url: "http://127.0.0.1:9" }] }
authn:
  jwt:
    main: { issuer: "https://idp.example.test", jwksUri: "https://idp.example.test/jwks", audiences: [api] }
`;

test('a route naming an issuer that is not defined fails the load at that entry, with a suggestion', () => {
  const issues = issuesOf(`${BASE}routes:
  - id: orders
    service: api
    paths: [/orders]
    authn: [apiKey, jwt:mian]
`);
  assert.equal(issues.length, 1, JSON.stringify(issues));
  assert.deepEqual(issues[0].path, ['routes', 0, 'authn', 1]);
  assert.equal(issues[0].line, 10);
  assert.match(issues[0].message, /authn entry "jwt:mian" names no issuer \(authn\.jwt \(line 5\) defines: main\); did you mean "jwt:main"\?/);
});

test('`jwt` without any issuer, and an undefined introspection endpoint, are each reported', () => {
  const issues = issuesOf(`services:
  api: { upstreams: [{ url: "http://127.0.0.1:9" }] }
routes:
  - { id: a, service: api, paths: [/a], authn: [jwt] }
  - { id: b, service: api, paths: [/b], authn: [introspection:corp] }
`);
  assert.deepEqual(issues.map((i) => i.line), [4, 5]);
  assert.match(issues[0].message, /^authn entry "jwt" accepts tokens of any issuer under authn\.jwt, but no issuer is defined there$/);
  assert.match(issues[1].message, /no introspection endpoint is defined under authn\.introspection/);
});

test('the other routes are still checked when one names an undefined issuer', () => {
  const issues = issuesOf(`${BASE}routes:
  - { id: a, service: api, paths: [/a], authn: [jwt:nope] }
  - { id: b, service: api, paths: [/b] }
  - { id: c, service: api, paths: [/b] }
`);
  assert.equal(issues.length, 2, JSON.stringify(issues));
  assert.match(issues[0].message, /jwt:nope/);
  assert.deepEqual(issues[1].path.slice(0, 2), ['routes', 2]);
});

test('a credential kind that is not available yet fails the load at the route\'s entry', () => {
  const issues = issuesOf(`${BASE}routes:
  - { id: a, service: api, paths: [/a], authn: [session] }
`);
  assert.equal(issues.length, 1);
  assert.deepEqual(issues[0].path, ['routes', 0, 'authn', 0]);
  assert.match(issues[0].message, /authn entry session is not available/);
});

test('an introspection endpoint whose client secret variable is not set fails the load at clientSecretEnv', () => {
  const name = 'PINPOINT_TEST_SECRET_THAT_IS_NOT_SET';
  delete process.env[name];
  const issues = issuesOf(`services:
  api: { upstreams: [{ url: "http://127.0.0.1:9" }] }
authn:
  introspection:
    corp:
      endpoint: https://idp.example.test/introspect
      clientId: gateway
      clientSecretEnv: ${name}
routes:
  - { id: a, service: api, paths: [/a], authn: [introspection:corp] }
`);
  assert.equal(issues.length, 1, JSON.stringify(issues));
  assert.equal(issues[0].line, 8);
  assert.match(issues[0].message, new RegExp(`environment variable ${name} .* is not set`));
});

test('a valid config with issuers loads without contacting them (keys are fetched on first use)', () => {
  const loaded = loadConfigText(`${BASE}routes:
  - { id: a, service: api, paths: [/a], authn: [jwt] }
  - { id: b, service: api, paths: [/b], authn: [jwt:main, apiKey] }
`);
  assert.equal(loaded.config.routes.length, 2);
  assert.equal(loaded.config.authn.jwt.main.jwksRefreshMinMs, 30000);
});
