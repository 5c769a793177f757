import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigSchema } from '../../config/schema.ts';
import { validatorFactory } from './validate.ts';

// ajv reads properties through the prototype chain unless told otherwise: an empty body then
// "has" constructor and toString. The body schema must see only what the client sent.
test('a body schema checks own properties only: inherited names are neither present nor checked', () => {
  const config = ConfigSchema.parse({
    services: { s: { upstreams: [{ url: 'http://127.0.0.1:9' }] } },
    routes: [{ id: 'r', service: 's', paths: ['/r'], body: { schema: { type: 'object', required: ['constructor'], properties: { constructor: { type: 'string' }, toString: { type: 'string' } } } } }],
  });
  const v = validatorFactory()(config.routes[0], 0)!;
  assert.deepEqual(v.validate('application/json', {}), [{ pointer: '/constructor', message: 'is required' }]);
  assert.deepEqual(v.validate('application/json', { constructor: 'x' }), []);
  assert.deepEqual(v.validate('application/json', JSON.parse('{"constructor": "x", "__proto__": {"toString": 1}}')), []);
});
