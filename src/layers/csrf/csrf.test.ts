// Which routes the csrf layer covers, and when it makes the body layer read bodies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfigText } from '../../config/load.ts';
import { compileRoutes } from '../route/compile.ts';
import { csrfLayer } from './index.ts';

// Loading compiles the pipeline, which reads the session secret from the process environment.
const SECRET_ENV = 'PINPOINT_TEST_CSRF_UNIT_SECRET';
process.env[SECRET_ENV] = 'a session secret of more than thirty-two characters';
const yaml = (csrf: string) => `
authn: { sessions: { secretEnv: ${SECRET_ENV} } }
${csrf}
services: { s: { upstreams: [{ url: "http://127.0.0.1:9" }] } }
routes:
  - { id: cart, service: s, paths: [/cart], authn: [session] }
  - { id: keys, service: s, paths: [/keys], authn: [apiKey] }
  - { id: off, service: s, paths: [/off], authn: [session], csrf: false }
`;

function layerOf(csrf: string) {
  const { config } = loadConfigText(yaml(csrf), 'c.yaml');
  const routes = compileRoutes(config).all;
  const layer = csrfLayer(config)!;
  return (id: string) => layer.needsBody!(routes.find((r) => r.id === id)!);
}

test('session routes have their bodies read for the form field; without a form field, or off the layer, they stream', () => {
  const withField = layerOf('');
  assert.equal(withField('cart'), true);
  assert.equal(withField('keys'), false);
  assert.equal(withField('off'), false);
  assert.equal(layerOf('csrf: { formField: null }')('cart'), false);
});

test('no session routes, no layer', () => {
  const { config } = loadConfigText('services: { s: { upstreams: [{ url: "http://127.0.0.1:9" }] } }\nroutes: [{ id: k, service: s, paths: [/k], authn: [apiKey] }]\n');
  assert.equal(csrfLayer(config, {}), undefined);
});
