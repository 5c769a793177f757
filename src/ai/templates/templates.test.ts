import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AiRequestError } from '../dialects/types.ts';
import { aiPlan } from '../plan.ts';
import type { ChatRequest } from '../types.ts';
import { AiTemplateError, compileTemplates, templateFor, templateIssues, TemplateConfigError } from './index.ts';
import { planRoute, templateConfig, type TemplateInput } from './test-config.ts';

const userText = (req: ChatRequest) => {
  const m = req.messages.find((x) => x.role === 'user')!;
  return m.parts.map((p) => (p.type === 'text' ? p.text : '')).join('');
};

const render = (template: TemplateInput, body: unknown) => templateFor(planRoute(template)).render(body);

const OPEN = { type: 'object', properties: { text: { type: 'string' }, n: {}, v: {}, customer: { type: 'object', properties: { name: { type: 'string' } } }, items: { type: 'array', items: { type: 'string' } } } };

test('placeholders are filled: strings as they are, other values as JSON, absent ones as nothing', () => {
  const cases: { prompt: string; body: Record<string, unknown>; want: string }[] = [
    { prompt: 'Summarize: {{text}}', body: { text: 'the cat sat' }, want: 'Summarize: the cat sat' },
    { prompt: '[{{ text }}][{{text   }}][{{\n\ttext \n}}]', body: { text: 'x' }, want: '[x][x][x]' },
    { prompt: 'Dear {{customer.name}}', body: { customer: { name: 'Ada' } }, want: 'Dear Ada' },
    { prompt: 'second: {{items.1}}', body: { items: ['a', 'b', 'c'] }, want: 'second: b' },
    { prompt: 'past the end: [{{items.7}}]', body: { items: ['a'] }, want: 'past the end: []' },
    { prompt: '{{n}}', body: { n: 42 }, want: '42' },
    { prompt: '{{n}}', body: { n: 1.5e-7 }, want: '1.5e-7' },
    { prompt: '{{n}}', body: { n: true }, want: 'true' },
    { prompt: '{{n}}', body: { n: null }, want: 'null' },
    { prompt: '{{n}}', body: { n: { a: [1, 'two'] } }, want: '{"a":[1,"two"]}' },
    { prompt: '{{items}}', body: { items: ['a', 'b'] }, want: '["a","b"]' },
    { prompt: 'optional: [{{text}}]', body: {}, want: 'optional: []' },
    { prompt: 'absent below: [{{customer.name}}]', body: { customer: {} }, want: 'absent below: []' },
    // A value is inserted, not read again as a template: no placeholder injection.
    { prompt: '{{text}} / {{v}}', body: { text: '{{v}}', v: 'secret' }, want: '{{v}} / secret' },
    { prompt: 'no placeholders, a brace or two: {"a": {"b": 1}} and { {x} }', body: {}, want: 'no placeholders, a brace or two: {"a": {"b": 1}} and { {x} }' },
    { prompt: '{{text}}{{text}}', body: { text: 'é😀' }, want: 'é😀é😀' },
    { prompt: 'an unclosed {{ stays text, {{text}}', body: { text: 'x' }, want: 'an unclosed {{ stays text, x' },
    { prompt: 'triple: {{{text}}}', body: { text: 'x' }, want: 'triple: {x}' },
  ];
  for (const c of cases) assert.equal(userText(render({ prompt: c.prompt, variables: OPEN }, c.body)), c.want, c.prompt);
});

test('the chat call: system then user message, the template\'s limits, no stream, the alias as model', () => {
  const req = render({ model: 'fast', system: 'You answer in {{lang}}.', prompt: 'Translate {{text}}', variables: { type: 'object', properties: { lang: { type: 'string' }, text: { type: 'string' } } }, maxOutputTokens: 200, temperature: 0.2 }, { lang: 'French', text: 'hello' });
  assert.deepEqual(req, {
    model: 'fast',
    messages: [
      { role: 'system', parts: [{ type: 'text', text: 'You answer in French.' }] },
      { role: 'user', parts: [{ type: 'text', text: 'Translate hello' }] },
    ],
    maxOutputTokens: 200,
    temperature: 0.2,
    stream: false,
  });
});

test('json output mode asks the model for JSON of the output schema, named after the route', () => {
  const schema = { type: 'object', properties: { score: { type: 'number' } }, required: ['score'] };
  const req = render({ prompt: 'Rate it', output: { mode: 'json', schema } }, {});
  assert.deepEqual(req.responseFormat, { type: 'json', schema, name: 't0' });
  assert.equal(req.messages.length, 1);
  assert.equal('maxOutputTokens' in req, false);
  assert.equal('temperature' in req, false);
});

const STRICT = {
  type: 'object',
  additionalProperties: false,
  required: ['text', 'count'],
  properties: {
    text: { type: 'string', maxLength: 10 },
    count: { type: 'integer', minimum: 1 },
    email: { type: 'string', format: 'email' },
    'a/b~c': { type: 'string' },
    items: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, tags: { type: 'array', items: { type: 'array', items: { type: 'string' } } } } } },
  },
};

test('an invalid body is an AiTemplateError: the first error as path and message, every error listed, RFC 6901 pointers', () => {
  const t = templateFor(planRoute({ prompt: '{{text}}', variables: STRICT }));
  const cases: { name: string; body: unknown; first: { pointer: string; message: string }; message: string; count?: number }[] = [
    { name: 'missing variable', body: { count: 1 }, first: { pointer: '/text', message: 'is required' }, message: '/text is required' },
    { name: 'wrong type', body: { text: 'x', count: 'three' }, first: { pointer: '/count', message: 'must be integer' }, message: '/count must be integer' },
    { name: 'out of range', body: { text: 'x', count: 0 }, first: { pointer: '/count', message: 'must be >= 1' }, message: '/count must be >= 1' },
    { name: 'extra property', body: { text: 'x', count: 1, extra: true }, first: { pointer: '/extra', message: 'is not allowed' }, message: '/extra is not allowed' },
    { name: 'format', body: { text: 'x', count: 1, email: 'not-an-email' }, first: { pointer: '/email', message: 'must match format "email"' }, message: '/email must match format "email"' },
    { name: 'nested array item', body: { text: 'x', count: 1, items: [{ name: 'a' }, { name: 'b' }, { name: 5 }] }, first: { pointer: '/items/2/name', message: 'must be string' }, message: '/items/2/name must be string' },
    { name: 'missing in an array item', body: { text: 'x', count: 1, items: [{}, { name: 'b' }] }, first: { pointer: '/items/0/name', message: 'is required' }, message: '/items/0/name is required' },
    { name: 'array in array', body: { text: 'x', count: 1, items: [{ name: 'a', tags: [['ok'], ['ok', 7]] }] }, first: { pointer: '/items/0/tags/1/1', message: 'must be string' }, message: '/items/0/tags/1/1 must be string' },
    { name: '/ and ~ escaped in pointers', body: { text: 'x', count: 1, 'a/b~c': 1 }, first: { pointer: '/a~1b~0c', message: 'must be string' }, message: '/a~1b~0c must be string' },
    { name: 'body not an object', body: ['text'], first: { pointer: '', message: 'must be object' }, message: 'the body must be object' },
    { name: 'null body', body: null, first: { pointer: '', message: 'must be object' }, message: 'the body must be object' },
    { name: 'no body', body: undefined, first: { pointer: '', message: 'must be object' }, message: 'the body must be object' },
    { name: 'huge string', body: { text: 'x'.repeat(5_000_000), count: 1 }, first: { pointer: '/text', message: 'must NOT have more than 10 characters' }, message: '/text must NOT have more than 10 characters' },
    { name: 'every error is listed', body: { count: 'x', extra: 1 }, first: { pointer: '/text', message: 'is required' }, message: '/text is required', count: 3 },
  ];
  for (const c of cases) {
    const err = (() => {
      try {
        t.render(c.body);
      } catch (e) {
        return e;
      }
      assert.fail(`${c.name}: rendered`);
    })();
    assert.ok(err instanceof AiTemplateError, c.name);
    assert.ok(err instanceof AiRequestError, c.name);
    assert.equal(err.path, c.first.pointer, c.name);
    assert.equal(err.message, c.message, c.name);
    assert.deepEqual(err.errors[0], c.first, c.name);
    if (c.count !== undefined) assert.equal(err.errors.length, c.count, c.name);
  }
  const all = (() => {
    try {
      t.render({ count: 'x', extra: 1 });
    } catch (e) {
      return (e as AiTemplateError).errors;
    }
  })();
  assert.deepEqual(all, [
    { pointer: '/text', message: 'is required' },
    { pointer: '/extra', message: 'is not allowed' },
    { pointer: '/count', message: 'must be integer' },
  ]);
});

test('__proto__ and constructor in a body neither pollute prototypes nor fill placeholders', () => {
  const variables = { type: 'object', properties: { name: { type: 'string' }, constructor: { type: 'string' } } };
  const body = JSON.parse('{"__proto__": {"name": "evil", "polluted": "yes"}}');
  const req = render({ prompt: 'hi [{{name}}] [{{constructor}}]', variables }, body);
  assert.equal(userText(req), 'hi [] []');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  // A schema that closes the object names __proto__ as the field not allowed.
  // ajv itself looks at own properties only: a required "constructor" is not the inherited one.
  const required = templateFor(planRoute({ prompt: '{{constructor}}', variables: { ...variables, required: ['constructor'] } }));
  assert.throws(() => required.render({}), (e: AiTemplateError) => e.message === '/constructor is required');
  const closed = templateFor(planRoute({ prompt: '{{name}}', variables: { ...variables, additionalProperties: false } }));
  assert.throws(() => closed.render(body), (e: AiTemplateError) => e.path === '/__proto__' && e.message === '/__proto__ is not allowed');
  // Nested: the walk never leaves own properties.
  const nested = render({ prompt: '[{{customer.name}}] [{{customer.toString}}]', variables: { type: 'object', properties: { customer: { type: 'object', additionalProperties: true, properties: { name: { type: 'string' } } } } } }, JSON.parse('{"customer": {"__proto__": {"name": "evil"}}}'));
  assert.equal(userText(nested), '[] []');
});

test('huge values fill in linear time', () => {
  const big = 'y'.repeat(8_000_000);
  const started = performance.now();
  const req = render({ prompt: 'A {{text}} B {{text}} C', variables: OPEN }, { text: big });
  assert.equal(userText(req).length, 8_000_000 * 2 + 'A  B  C'.length);
  // Generous bound: only catches something quadratic, not a slow machine.
  assert.ok(performance.now() - started < 5_000);
});

test('template problems are config errors at the template\'s path, with what to write', () => {
  const vars = { type: 'object', properties: { text: { type: 'string' }, customer: { type: 'object', properties: { name: { type: 'string' }, email: { type: 'string' } } } } };
  const cases: { name: string; template: TemplateInput; path: (string | number)[]; message: RegExp }[] = [
    { name: 'undeclared', template: { prompt: 'Hi {{txet}}', variables: vars }, path: ['prompt'], message: /^\{\{txet\}\} names no declared variable \(variables declares customer, text\); did you mean \{\{text\}\}\?$/ },
    { name: 'undeclared nested', template: { prompt: '{{customer.nmae}}', variables: vars }, path: ['prompt'], message: /^\{\{customer\.nmae\}\} names no declared variable \(\{\{customer\}\} declares email, name\); did you mean \{\{customer\.name\}\}\?$/ },
    { name: 'in the system text', template: { system: 'Be {{tone}}', prompt: '{{text}}', variables: vars }, path: ['system'], message: /^\{\{tone\}\} names no declared variable/ },
    { name: 'no properties', template: { prompt: '{{text}}', variables: { type: 'object' } }, path: ['prompt'], message: /\(variables declares no properties\)/ },
    { name: 'prototype names are not declared', template: { prompt: '{{constructor}}', variables: vars }, path: ['prompt'], message: /^\{\{constructor\}\} names no declared variable/ },
    { name: 'not a placeholder', template: { prompt: 'Hi {{ first name }}', variables: vars }, path: ['prompt'], message: /^\{\{ first name \}\} is not a placeholder/ },
    { name: 'empty placeholder', template: { prompt: 'Hi {{ }}', variables: vars }, path: ['prompt'], message: /^\{\{ \}\} is not a placeholder/ },
    { name: 'a helper', template: { prompt: '{{upper text}}', variables: vars }, path: ['prompt'], message: /is not a placeholder/ },
    { name: 'variables not an object schema', template: { prompt: 'x', variables: { type: 'string' } }, path: ['variables'], message: /^variables must be the JSON Schema of an object \(type: object\)/ },
    { name: 'variables schema does not compile', template: { prompt: 'x', variables: { type: 'object', properties: { a: { type: 'strng' } } } }, path: ['variables'], message: /^the variables schema does not compile: schema is invalid: data\/properties\/a\/type must be equal to one of the allowed values/ },
    { name: 'misspelt keyword (strict)', template: { prompt: 'x', variables: { type: 'object', propertes: {} } }, path: ['variables'], message: /^the variables schema does not compile: strict mode: unknown keyword: "propertes"/ },
    { name: 'output schema does not compile', template: { prompt: 'x', output: { mode: 'json', schema: { type: 'object', required: 'score' } } }, path: ['output', 'schema'], message: /^the output schema does not compile/ },
  ];
  for (const c of cases) {
    const config = templateConfig({ prompt: 'ok', variables: { type: 'object' } }, c.template);
    const issues = templateIssues(config);
    assert.equal(issues.length, 1, `${c.name}: ${JSON.stringify(issues)}`);
    assert.deepEqual(issues[0].path, ['routes', 1, 'ai', 'template', ...c.path], c.name);
    assert.match(issues[0].message, c.message, c.name);
    assert.throws(() => compileTemplates(aiPlan(config, {})), (e: TemplateConfigError) => e instanceof TemplateConfigError && e.problems[0].route === 't1' && e.message.startsWith(`route t1: ai.template.${c.path.join('.')}: `), c.name);
    assert.throws(() => templateFor(aiPlan(config, {}).routes.get('t1')!), TemplateConfigError, c.name);
  }
});

test('placeholders below what a schema declares are accepted where the schema leaves names open', () => {
  const ok: TemplateInput[] = [
    { prompt: '{{meta.anything}}', variables: { type: 'object', properties: { meta: { type: 'object', additionalProperties: { type: 'string' } } } } },
    { prompt: '{{meta.x1}}', variables: { type: 'object', properties: { meta: { type: 'object', patternProperties: { '^x': { type: 'string' } } } } } },
    { prompt: '{{a.b.c}}', variables: { type: 'object', properties: { a: { $ref: '#/$defs/any' } }, $defs: { any: {} } } },
    { prompt: '{{list.3.name}}', variables: { type: 'object', properties: { list: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } } } } },
    { prompt: '{{pair.0}} {{pair.1}}', variables: { type: 'object', properties: { pair: { type: 'array', items: [{ type: 'string' }, { type: 'number' }], minItems: 2, additionalItems: false } } } },
  ];
  const config = templateConfig(...ok);
  assert.deepEqual(templateIssues(config), []);
  assert.doesNotThrow(() => compileTemplates(aiPlan(config, {})));
  assert.deepEqual(templateIssues(templateConfig({ prompt: '{{list.3.nmae}}', variables: ok[3].variables })).map((i) => i.message), ['{{list.3.nmae}} names no declared variable ({{list.3}} declares name); did you mean {{list.3.name}}?']);
});

test('a template compiles once: the same compiled template for the same route plan', () => {
  const route = planRoute({ prompt: '{{text}}', variables: OPEN });
  const t = templateFor(route);
  assert.equal(templateFor(route), t);
  assert.equal(t.route, 't0');
  assert.equal(t.version, 'v1');
  assert.equal(t.model, 'fast');
  assert.equal(t.mode, 'text');
});
