import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { runCli } from '../cli/run-cli.ts';
import { loadConfigText } from '../config/load.ts';
import { ConfigSchema } from '../config/schema.ts';
import { openApiDocument, renderOpenApi } from './index.ts';
import { openApiPaths } from './paths.ts';
import { routeSecurity } from './security.ts';
import { assertStructurallyValid, resolvePointer } from './structure.ts';

const dir = mkdtempSync(join(tmpdir(), 'pinpoint-openapi-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// Sessions need their signing key to load; the CLI child gets it through its environment.
const ENV = { PINPOINT_SESSION_SECRET: 's'.repeat(40) };
process.env.PINPOINT_SESSION_SECRET = ENV.PINPOINT_SESSION_SECRET;

const UPSTREAM_API = join(dir, 'orders-api.yaml');
writeFileSync(
  UPSTREAM_API,
  `openapi: 3.1.0
info: { title: orders, version: "1" }
paths:
  /orders/{id}/notes:
    put:
      operationId: putNotes
      requestBody:
        required: true
        content:
          application/json:
            schema: { type: object, properties: { text: { type: string } } }
      responses:
        "204": { description: saved }
        "404": { description: no such order }
`,
);

const CONFIG = `
services:
  orders:
    upstreams:
      - url: http://127.0.0.1:9000
authn:
  apiKeys: { header: x-orders-key }
  jwt:
    main:
      issuer: https://id.example.com
      jwksUri: https://id.example.com/jwks
      audiences: [orders]
  sessions: {}
limits:
  policies:
    perKey:
      key: [consumer]
      rate: [{ limit: 10, windowS: 1 }]
ai:
  providers:
    oai:
      type: openai
      credentials: { apiKey: { env: OPENAI_KEY } }
    claude:
      type: anthropic
      credentials: { apiKey: { env: ANTHROPIC_KEY } }
  models:
    fast:
      targets: [{ provider: oai, model: gpt-4o-mini }]
    embed:
      embeddings: true
      targets: [{ provider: oai, model: text-embedding-3-small }]
    sonnet:
      targets: [{ provider: claude, model: claude-sonnet-4-5 }]
routes:
  - id: static
    service: orders
    paths: [/static/*]
  - id: list-orders
    service: orders
    paths: [/orders, "/orders/:id(^\\\\d+$)"]
    methods: [GET]
    authn: [apiKey, jwt:main]
    limits: [perKey]
  - id: create-order
    service: orders
    paths: [/orders]
    methods: [POST]
    authn: [apiKey]
    body:
      accept: [application/json]
      schema:
        type: object
        required: [item]
        properties:
          item: { type: string }
          gift: { $ref: "#/definitions/gift" }
        definitions:
          gift: { type: boolean }
  - id: notes
    service: orders
    paths: [/orders/:id/notes]
    methods: [PUT]
    body:
      openapi: { file: ${JSON.stringify(UPSTREAM_API)}, operation: putNotes }
  - id: reports-v2
    service: orders
    paths: [/reports]
    methods: [GET]
    version: "2"
  - id: reports-v1
    service: orders
    paths: [/reports]
    methods: [GET]
  - id: openai
    serve: ai
    paths: [/v1/*]
    authn: [apiKey]
    ai: { api: openai, models: [fast, embed] }
  - id: claude
    serve: ai
    paths: [/anthropic/v1/messages]
    authn: [apiKey]
    ai: { api: anthropic, models: [sonnet] }
  - id: summarize
    serve: ai
    paths: [/templates/summarize]
    methods: [POST]
    authn: [session]
    ai:
      template:
        version: "2"
        model: fast
        prompt: "Summarize {{text}} in {{words}} words"
        variables:
          type: object
          required: [text]
          additionalProperties: false
          properties:
            text: { type: string, maxLength: 10000 }
            words: { type: integer, minimum: 1 }
        output:
          mode: json
          schema:
            type: object
            required: [summary]
            properties: { summary: { type: string } }
  - id: shout
    serve: ai
    paths: [/templates/shout]
    ai:
      template:
        version: a1
        model: fast
        prompt: "{{text}}!"
        variables: { type: object, properties: { text: { type: string } } }
`;

const loaded = loadConfigText(CONFIG, 'gateway.yaml');
const doc = openApiDocument(loaded.config, loaded.revision);
type Obj = Record<string, any>;
const paths = doc.paths as Obj;
const components = doc.components as Obj;

test('route patterns become OpenAPI path templates with their parameters', () => {
  const cases: { pattern: string; want: { path: string; params: Obj[] }[] }[] = [
    { pattern: '/orders', want: [{ path: '/orders', params: [] }] },
    { pattern: '/orders/', want: [{ path: '/orders', params: [] }] },
    { pattern: '/', want: [{ path: '/', params: [] }] },
    { pattern: '/orders/:id', want: [{ path: '/orders/{id}', params: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }] }] },
    { pattern: '/orders/:id(^\\d+$)/lines', want: [{ path: '/orders/{id}/lines', params: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^(?:\\d+)$' } }] }] },
    { pattern: '/x/:code(^(a|b)\\)?$)', want: [{ path: '/x/{code}', params: [{ name: 'code', in: 'path', required: true, schema: { type: 'string', pattern: '^(?:(a|b)\\)?)$' } }] }] },
    { pattern: '/files/:name.:ext', want: [{ path: '/files/{name}.{ext}', params: ['name', 'ext'].map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })) }] },
    { pattern: '/at/:h-:m', want: [{ path: '/at/{h}-{m}', params: ['h', 'm'].map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })) }] },
    { pattern: '/name::verb', want: [{ path: '/name:verb', params: [] }] },
    { pattern: '/static/*', want: [{ path: '/static/{wildcard}', params: [{ name: 'wildcard', in: 'path', required: true, description: "The rest of the path, slashes included (the * of the route's pattern).", schema: { type: 'string' } }] }] },
    { pattern: '/users/:id?', want: [{ path: '/users/{id}', params: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }] }, { path: '/users', params: [] }] },
  ];
  for (const c of cases) assert.deepEqual(openApiPaths(c.pattern).map((p) => ({ path: p.path, params: p.parameters })), c.want, c.pattern);
});

test('the document is structurally valid OpenAPI 3.1 (structural checks: the official schema is not available offline)', () => {
  assertStructurallyValid(doc);
  assert.equal((doc.info as Obj).version, loaded.revision);
  assert.deepEqual(Object.keys(paths), [
    '/anthropic/v1/messages',
    '/login',
    '/orders',
    '/orders/{id}',
    '/orders/{id}/notes',
    '/reports',
    '/static/{wildcard}',
    '/templates/shout',
    '/templates/summarize',
    '/v1/chat/completions',
    '/v1/embeddings',
    '/v1/responses',
  ]);
});

test('the structural checks fail on what they check', () => {
  const broken = structuredClone(doc) as Obj;
  broken.paths['/orders/{id}'].get.parameters = [];
  assert.throws(() => assertStructurallyValid(broken), /path parameters match the template/);
  const dangling = structuredClone(doc) as Obj;
  dangling.paths['/orders'].get.responses['403'] = { $ref: '#/components/responses/Nope' };
  assert.throws(() => assertStructurallyValid(dangling), /\$ref #\/components\/responses\/Nope resolves/);
  const twice = structuredClone(doc) as Obj;
  twice.paths['/orders'].post.operationId = twice.paths['/orders'].get.operationId;
  assert.throws(() => assertStructurallyValid(twice), /is used twice/);
  const undeclared = structuredClone(doc) as Obj;
  undeclared.paths['/orders'].get.security = [{ nope: [] }];
  assert.throws(() => assertStructurallyValid(undeclared), /security scheme nope is declared/);
});

test('ordinary routes: methods (GET implies HEAD; none listed: all), security from authn, limits and body checks in the responses', () => {
  assert.deepEqual(Object.keys(paths['/orders']), ['description', 'get', 'post', 'head']);
  assert.match(paths['/orders'].description, /Methods not listed here are answered 405 method\.not_allowed/);
  assert.deepEqual(Object.keys(paths['/static/{wildcard}']), ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

  const get = paths['/orders/{id}'].get;
  assert.equal(get.operationId, 'list-orders.get.orders_id');
  assert.deepEqual(get.parameters, [{ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^(?:\\d+)$' } }]);
  assert.deepEqual(get.security, [{ apiKey: [] }, { apiKeyBearer: [] }, { 'jwt.main': [] }]);
  assert.deepEqual(Object.keys(get.responses), ['401', '403', '404', '413', '429', '503', '2XX', 'default']);
  assert.deepEqual(get.responses['429'], { $ref: '#/components/responses/TooManyRequests' });
  assert.equal(get.requestBody, undefined);

  const pub = paths['/static/{wildcard}'].get;
  assert.equal(pub.security, undefined, 'a route without authn is public');
  assert.deepEqual(Object.keys(pub.responses), ['403', '404', '413', '2XX', 'default']);

  assert.deepEqual(components.securitySchemes.apiKey, { type: 'apiKey', in: 'header', name: 'x-orders-key', description: 'A Pinpoint API key in the x-orders-key header.' });
  assert.equal(components.securitySchemes['jwt.main'].bearerFormat, 'JWT');
  assert.match(components.securitySchemes['jwt.main'].description, /issued by https:\/\/id\.example\.com/);
  assert.deepEqual(components.securitySchemes.session, { type: 'apiKey', in: 'cookie', name: 'pp_session', description: 'The session cookie pp_session that POST /login sets.' });
});

test('request bodies: an inline schema as a draft-07 resource of its own, an OpenAPI operation by reference', () => {
  const post = paths['/orders'].post;
  assert.deepEqual(post.requestBody, { required: false, content: { 'application/json': { schema: { $ref: '#/components/schemas/create-order.body' } } } });
  const schema = components.schemas['create-order.body'];
  assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
  assert.equal(schema.$id, 'urn:pinpoint:schema:create-order.body');
  assert.deepEqual(schema.properties.gift, { $ref: '#/definitions/gift' }, 'the schema\'s own references are kept, resolved inside its $id');
  assert.deepEqual(Object.keys(post.responses), ['400', '401', '403', '404', '413', '415', '2XX', 'default']);
  assert.deepEqual(components.responses.BadRequest.content, { 'application/problem+json': { schema: { $ref: '#/components/schemas/FieldErrors' } } });

  const put = paths['/orders/{id}/notes'].put;
  const at = `${UPSTREAM_API}#/paths/~1orders~1%7Bid%7D~1notes/put`;
  assert.deepEqual(put.requestBody, { $ref: `${at}/requestBody` });
  assert.deepEqual(put.responses['204'], { $ref: `${at}/responses/204` });
  assert.equal(put.responses['404'].$ref, '#/components/responses/NotFound', 'the gateway\'s own 404, not the upstream\'s');
  // The reference points at the operation in that file.
  const upstream = parseYaml(readFileSync(UPSTREAM_API, 'utf8'));
  assert.equal((resolvePointer(upstream, at.split('#')[1]) as Obj).operationId, 'putNotes');
});

test('routes sharing a path and method for other versions: one operation, the version header, the other route named', () => {
  const get = paths['/reports'].get;
  assert.equal(get['x-pinpoint-route'], 'reports-v2');
  assert.deepEqual(get.parameters, [{ name: 'x-api-version', in: 'header', required: true, description: 'The API version this route serves.', schema: { type: 'string', enum: ['2'] } }]);
  assert.match(get.description, /Also served by route reports-v1\.$/);
});

test('a template route: POST its variables schema, the answer object, 422 with every failing field', () => {
  const item = paths['/templates/summarize'];
  assert.deepEqual(Object.keys(item), ['description', 'post']);
  const post = item.post;
  assert.equal(post.operationId, 'summarize.post');
  assert.deepEqual(post.tags, ['templates']);
  assert.deepEqual(post.security, [{ session: [] }]);
  assert.deepEqual(post.requestBody, { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/summarize.variables' } } } });
  assert.deepEqual(components.schemas['summarize.variables'].required, ['text']);
  assert.equal(components.schemas['summarize.variables'].additionalProperties, false);
  assert.deepEqual(Object.keys(post.responses), ['200', '400', '401', '403', '404', '413', '422', '429', '502', '504', 'default']);

  const answer = components.schemas['summarize.answer'];
  assert.deepEqual(post.responses['200'].content, { 'application/json': { schema: { $ref: '#/components/schemas/summarize.answer' } } });
  assert.deepEqual(answer.properties.output, { $ref: '#/components/schemas/summarize.output' });
  assert.deepEqual(components.schemas['summarize.output'].required, ['summary']);
  assert.deepEqual(answer.properties.model, { const: 'fast', description: 'The model alias the template calls.' });
  assert.deepEqual(answer.properties.template.properties, { route: { const: 'summarize' }, version: { const: '2' } });
  assert.deepEqual(answer.properties.usage, { $ref: '#/components/schemas/Usage' });
  // Text mode: the output is a string.
  assert.deepEqual(components.schemas['shout.answer'].properties.output, { type: 'string', description: "The model's text." });
  assert.equal(paths['/templates/shout'].post.security, undefined);

  const r422 = resolvePointer(doc, post.responses['422'].$ref.slice(1)) as Obj;
  assert.deepEqual(r422.content, { 'application/problem+json': { schema: { $ref: '#/components/schemas/FieldErrors' } } });
  assert.match(r422.description, /Codes: ai\.template_invalid\. Each code is documented in docs\/errors\.md\./);
  const r502 = resolvePointer(doc, post.responses['502'].$ref.slice(1)) as Obj;
  assert.match(r502.description, /ai\.output_invalid/);
  const fields = components.schemas.FieldErrors.allOf[1].properties.errors.items;
  assert.deepEqual(fields.required, ['pointer', 'message']);
});

test('AI provider routes: the API\'s endpoints under a wildcard, their models, errors in the API\'s envelope', () => {
  // The route lists no methods: no claim that others are answered 405.
  assert.deepEqual(Object.keys(paths['/v1/chat/completions']), ['post']);
  const chat = paths['/v1/chat/completions'].post;
  assert.match(chat.description, /^Speaks the OpenAI Chat Completions API \(route openai\)/);
  assert.equal(chat.externalDocs.url, 'https://platform.openai.com/docs/api-reference/chat/create');
  assert.deepEqual(chat.requestBody.content['application/json'].schema.properties.model.enum, ['fast']);
  assert.deepEqual(paths['/v1/embeddings'].post.requestBody.content['application/json'].schema.properties.model.enum, ['embed']);
  assert.deepEqual(Object.keys(chat.responses['200'].content), ['application/json', 'text/event-stream']);
  assert.deepEqual(Object.keys(paths['/v1/embeddings'].post.responses['200'].content), ['application/json']);
  assert.match(paths['/v1/responses'].post.summary, /OpenAI Responses/);

  const forbidden = resolvePointer(doc, chat.responses['403'].$ref.slice(1)) as Obj;
  assert.deepEqual(forbidden.content, { 'application/json': { schema: { $ref: '#/components/schemas/OpenAiError' } } });
  assert.match(forbidden.description, /ai\.model_not_allowed/);
  assert.match(forbidden.description, /error\.code is the code/);

  const messages = paths['/anthropic/v1/messages'].post;
  assert.match(messages.description, /Anthropic Messages/);
  assert.deepEqual(messages.requestBody.content['application/json'].schema.required, ['model', 'messages', 'max_tokens']);
  const limited = resolvePointer(doc, messages.responses['429'].$ref.slice(1)) as Obj;
  assert.deepEqual(limited.content, { 'application/json': { schema: { $ref: '#/components/schemas/AnthropicError' } } });
  assert.deepEqual(Object.keys(limited.headers), ['X-Request-Id', 'Retry-After', 'request-id']);

  // Ordinary routes never list AI codes; hidden codes (shown to callers as another) are not listed.
  assert.doesNotMatch(components.responses.Forbidden.description, /ai\./);
  assert.doesNotMatch(components.responses.Forbidden.description, /ip\.address_denied/);
  assert.match(components.responses.Forbidden.description, /ip\.address_refused/);
});

test('the session login route is described', () => {
  const post = paths['/login'].post;
  assert.deepEqual(post.requestBody.content['application/json'].schema.required, ['username', 'password']);
  assert.ok(post.responses['200'].headers['Set-Cookie']);
  assert.deepEqual(post.responses['401'], { $ref: '#/components/responses/Unauthorized' });
});

test('the output is deterministic: the same config gives the same bytes, whatever the order of its routes', () => {
  const again = loadConfigText(CONFIG, 'gateway.yaml');
  assert.equal(renderOpenApi(openApiDocument(again.config, again.revision), 'json'), renderOpenApi(doc, 'json'));
  const reordered = { ...loaded.config, routes: [...loaded.config.routes].reverse().filter((r) => !r.id.startsWith('reports')) };
  const other = openApiDocument(reordered, loaded.revision) as Obj;
  assert.deepEqual(Object.keys(other.paths), Object.keys(paths).filter((p) => p !== '/reports'));
  assert.deepEqual(Object.keys(other.components.schemas), Object.keys(components.schemas));
  assert.deepEqual(Object.keys(other.components.responses), Object.keys(components.responses));
  assert.deepEqual(other.paths['/orders'], paths['/orders']);
});

test('pinpoint openapi prints the document (JSON or YAML) or writes it to a file', async () => {
  const file = join(dir, 'gateway.yaml');
  writeFileSync(file, CONFIG);
  const fromFile = loadConfigText(CONFIG, file);
  const expected = openApiDocument(fromFile.config, fromFile.revision);

  const json = await runCli(['openapi', '-c', file], { env: ENV });
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), expected);

  const yaml = await runCli(['openapi', '-c', file, '--yaml', '--title', 'Orders API', '--server', 'https://api.example.com', '--server', 'http://127.0.0.1:8080'], { env: ENV });
  assert.equal(yaml.code, 0, yaml.stderr);
  assert.doesNotMatch(yaml.stdout, /[&*]a\d+/, 'no YAML anchors or aliases');
  const parsed = parseYaml(yaml.stdout);
  assert.equal(parsed.info.title, 'Orders API');
  assert.deepEqual(parsed.servers, [{ url: 'https://api.example.com' }, { url: 'http://127.0.0.1:8080' }]);
  assert.deepEqual(parsed.paths, expected.paths);

  const out = join(dir, 'openapi.json');
  const written = await runCli(['openapi', '-c', file, '-o', out], { env: ENV });
  assert.equal(written.code, 0, written.stderr);
  assert.equal(written.stdout, `${out}: 12 paths, 23 operations\n`);
  assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), expected);
});

test('pinpoint openapi of a config that does not load says why and exits 1', async () => {
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, 'routes:\n  - id: x\n    service: nowhere\n    paths: [/x]\n');
  const r = await runCli(['openapi', '-c', file], { env: ENV });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^pinpoint: .*bad\.yaml: 1 error in config\n.*routes\[0\]\.service  service "nowhere" is not defined under services/s);
});

test('security schemes of every authn kind: API key (header, bearer, query), JWT of any issuer, introspection, basic', () => {
  const config = ConfigSchema.parse({
    authn: {
      apiKeys: { bearer: false, queryParam: 'key' },
      jwt: { a: { issuer: 'https://a.example', jwksUri: 'https://a.example/jwks', audiences: ['x'] }, b: { issuer: 'https://b.example', jwksUri: 'https://b.example/jwks', audiences: ['x'] } },
      introspection: { corp: { endpoint: 'https://idp.internal/introspect', clientId: 'gw', clientSecretEnv: 'S' } },
    },
    routes: [{ id: 'r', service: 's', paths: ['/r'], authn: ['apiKey', 'jwt', 'introspection:corp', 'basic'], apiKeyInQuery: true }],
  });
  const { requirements, schemes } = routeSecurity(config, config.routes[0]);
  assert.deepEqual(requirements, [{ apiKey: [] }, { apiKeyQuery: [] }, { jwt: [] }, { 'introspection.corp': [] }, { basic: [] }]);
  assert.deepEqual(schemes.get('apiKeyQuery'), { type: 'apiKey', in: 'query', name: 'key', description: 'A Pinpoint API key in the key query parameter (accepted on some routes only: URLs end up in logs).' });
  assert.match(schemes.get('jwt')!.description, /issued by https:\/\/a\.example, https:\/\/b\.example\.$/);
  assert.deepEqual(schemes.get('basic'), { type: 'http', scheme: 'basic', description: "A consumer's name and password (HTTP Basic)." });
  // The introspection endpoint is the operator's business, not the API's users'.
  assert.doesNotMatch(JSON.stringify([...schemes.values()]), /idp\.internal/);
});
