// Structural checks of an OpenAPI 3.1 document, for the tests. The official OpenAPI 3.1 JSON
// Schema (spec.openapis.org/oas/3.1/schema) is not in node_modules and the tests have no
// network, so instead of validating against it these assert the rules a generator can break:
// required fields, key patterns, references that resolve, path templates and parameters that
// agree, unique operation ids, declared security schemes and tags.
import assert from 'node:assert/strict';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const PATH_ITEM_FIELDS = new Set([...METHODS, '$ref', 'summary', 'description', 'servers', 'parameters']);
const COMPONENT_NAME = /^[a-zA-Z0-9.\-_]+$/;
const RESPONSE_KEY = /^([1-5][0-9]{2}|[1-5]XX|default)$/;

export function assertStructurallyValid(doc: Record<string, unknown>): void {
  assert.equal(doc.openapi, '3.1.0');
  const info = doc.info as Record<string, unknown>;
  assert.equal(typeof info?.title, 'string', 'info.title');
  assert.equal(typeof info?.version, 'string', 'info.version');
  const allowedTop = new Set(['openapi', 'info', 'jsonSchemaDialect', 'servers', 'paths', 'webhooks', 'components', 'security', 'tags', 'externalDocs']);
  for (const k of Object.keys(doc)) assert.ok(allowedTop.has(k) || k.startsWith('x-'), `unknown top-level field ${k}`);

  const components = (doc.components ?? {}) as Record<string, Record<string, unknown>>;
  for (const [kind, entries] of Object.entries(components)) for (const name of Object.keys(entries)) assert.match(name, COMPONENT_NAME, `components.${kind}.${name}`);
  const schemes = components.securitySchemes ?? {};
  for (const [name, s] of Object.entries(schemes) as [string, Record<string, unknown>][]) {
    assert.ok(['apiKey', 'http', 'mutualTLS', 'oauth2', 'openIdConnect'].includes(s.type as string), `scheme ${name} type`);
    if (s.type === 'apiKey') assert.ok(typeof s.name === 'string' && ['query', 'header', 'cookie'].includes(s.in as string), `scheme ${name}`);
    if (s.type === 'http') assert.equal(typeof s.scheme, 'string', `scheme ${name}`);
  }
  const declaredTags = new Set(((doc.tags ?? []) as { name: string }[]).map((t) => t.name));
  const ids = new Set<string>();

  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
    assert.ok(path.startsWith('/'), `path ${path} starts with /`);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
    assert.equal(new Set(templated).size, templated.length, `${path}: a template name twice`);
    for (const key of Object.keys(item)) assert.ok(PATH_ITEM_FIELDS.has(key) || key.startsWith('x-'), `${path}: unknown field ${key}`);
    for (const method of METHODS) {
      const op = item[method] as Record<string, unknown> | undefined;
      if (!op) continue;
      const where = `${method.toUpperCase()} ${path}`;
      assert.equal(typeof op.operationId, 'string', `${where}: operationId`);
      assert.ok(!ids.has(op.operationId as string), `${where}: operationId ${op.operationId} is used twice`);
      ids.add(op.operationId as string);
      const params = (op.parameters ?? []) as Record<string, unknown>[];
      const inPath = params.filter((p) => p.in === 'path');
      assert.deepEqual(inPath.map((p) => p.name).sort(), templated, `${where}: path parameters match the template`);
      for (const p of params) {
        assert.ok(['path', 'query', 'header', 'cookie'].includes(p.in as string), `${where}: parameter in`);
        if (p.in === 'path') assert.equal(p.required, true, `${where}: path parameter ${p.name} is required`);
        assert.ok(p.schema !== undefined || p.content !== undefined, `${where}: parameter ${p.name} has a schema`);
      }
      const responses = op.responses as Record<string, Record<string, unknown>>;
      assert.ok(responses && Object.keys(responses).length > 0, `${where}: responses`);
      for (const [status, r] of Object.entries(responses)) {
        assert.match(status, RESPONSE_KEY, `${where}: response key ${status}`);
        assert.ok(typeof r.$ref === 'string' || typeof r.description === 'string', `${where} ${status}: description`);
      }
      if (op.requestBody) {
        const body = op.requestBody as Record<string, unknown>;
        assert.ok(typeof body.$ref === 'string' || (typeof body.content === 'object' && body.content !== null), `${where}: requestBody content`);
      }
      for (const req of (op.security ?? []) as Record<string, unknown>[]) {
        for (const name of Object.keys(req)) assert.ok(Object.hasOwn(schemes, name), `${where}: security scheme ${name} is declared`);
      }
      for (const tag of (op.tags ?? []) as string[]) assert.ok(declaredTags.has(tag), `${where}: tag ${tag} is declared`);
    }
  }
  for (const [name, r] of Object.entries(components.responses ?? {}) as [string, Record<string, unknown>][]) assert.equal(typeof r.description, 'string', `components.responses.${name}.description`);
  assertLocalRefsResolve(doc);
}

/** Every "#/..." reference outside a config schema (which has an $id of its own) names a node of the document. */
function assertLocalRefsResolve(doc: unknown): void {
  const walk = (node: unknown, inResource: boolean) => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, inResource));
    if (typeof node !== 'object' || node === null) return;
    const o = node as Record<string, unknown>;
    const resource = inResource || typeof o.$id === 'string';
    if (typeof o.$ref === 'string' && o.$ref.startsWith('#') && !resource) assert.notEqual(resolvePointer(doc, o.$ref.slice(1)), undefined, `$ref ${o.$ref} resolves`);
    for (const v of Object.values(o)) walk(v, resource);
  };
  walk(doc, false);
}

export function resolvePointer(doc: unknown, pointer: string): unknown {
  let node = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const token = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, token)) return undefined;
    node = (node as Record<string, unknown>)[token];
  }
  return node;
}
