// Renders docs/config.md from the generated JSON Schema, so the reference can never
// describe a field, type or default the loader does not have.

type JsonSchema = {
  type?: string;
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  enum?: unknown[];
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  minItems?: number;
};

interface Row {
  path: string;
  type: string;
  defaultText: string;
  description: string;
}

const INTRO = `# Configuration reference

Pinpoint reads one YAML file. Every key is checked: an unknown key, a value of the wrong type
or out of range, a route naming a service that does not exist, two routes serving the same
path, method, host and version: each is an error with the line and column where it is written,
and the gateway does not start (or, on reload, keeps its current config).

\`\`\`sh
npx pinpoint validate -c pinpoint.yaml          # "pinpoint.yaml: ok (revision ..., N routes, M services)"
npx pinpoint validate -c pinpoint.yaml --json   # the same, for machines; exit code 1 when invalid
\`\`\`

An invalid file prints one line per problem, \`FILE:LINE:COLUMN  path.to.field  message\`:

\`\`\`text
pinpoint.yaml:13:14  routes[0].service  service "ordres" is not defined under services (defined: orders); did you mean "orders"?
\`\`\`

## Editor support

A JSON Schema generated from the same source as this page is in \`schema/pinpoint.schema.json\`.
Editors that use the YAML language server (the YAML extension of VS Code; Neovim, Helix or Zed
with yaml-language-server) then complete keys, show each field's description and default on
hover, and mark errors as you type. Name the schema on the first line of the config, with a
path relative to the config file (this one is from \`examples/quickstart/\`) or a URL:

\`\`\`yaml
# yaml-language-server: $schema=../../schema/pinpoint.schema.json
\`\`\`

or map it to your config files once, in VS Code's settings:

\`\`\`json
{ "yaml.schemas": { "./schema/pinpoint.schema.json": ["pinpoint.yaml", "**/pinpoint*.yaml"] } }
\`\`\`

The editor checks the shape of the file; \`pinpoint validate\` also checks what relates one part
to another (services named by routes, duplicate routes).

## Environment variables

\`\${NAME}\` in a string value is replaced by the environment variable \`NAME\` when the config is
loaded, and \`\${NAME:-fallback}\` uses \`fallback\` when \`NAME\` is unset or empty. A variable that
is not set and has no fallback is an error at its line. A value that is only a reference and is
not quoted takes the type of what it becomes: \`port: \${PORT}\` is a number. Inside \`{ }\` or
\`[ ]\` a reference must be quoted, and a quoted value stays a string, so write such settings in
block style (an editor checking the file against the schema marks such a value as the wrong
type; the loader does not). Write \`$\${\` for a literal \`\${\`. Keys are never substituted. Secrets are better
kept out of the file altogether: settings such as \`admin.tokenEnv\` name the variable that holds
the secret instead.

## Reload and revision

A running gateway reloads the file on \`SIGHUP\` and when the file changes. A new config that
has errors is refused, the errors are reported, and the current config keeps serving. The
revision is a hash of the loaded config (defaults applied, variables substituted): reordering
keys or reformatting the file keeps it, any change of meaning gives a new one. Every decision
records the revision it was made under.

## Fields

\`<name>\` stands for a name you choose; \`[]\` for each item of a list.
`;

export function renderReference(schema: JsonSchema, generatedBy: string): string {
  const parts = [`<!-- ${generatedBy} -->\n`, INTRO];
  for (const [key, section] of Object.entries(schema.properties ?? {})) {
    const rows: Row[] = [];
    walk(section, key, !!schema.required?.includes(key), rows);
    parts.push(`\n### ${key}\n\n${section.description ?? ''}\n\n| Field | Type | Default | Description |\n|---|---|---|---|\n`);
    parts.push(rows.map((r) => `| \`${r.path}\` | ${cell(r.type)} | ${cell(r.defaultText)} | ${cell(r.description)} |`).join('\n') + '\n');
  }
  return parts.join('');
}

function walk(node: JsonSchema, path: string, required: boolean, rows: Row[]): void {
  rows.push({ path, type: typeText(node), defaultText: defaultText(node, required), description: node.description ?? '' });
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    walk(child, `${path}.${key}`, !!node.required?.includes(key), rows);
  }
  if (node.items?.properties) {
    for (const [key, child] of Object.entries(node.items.properties)) {
      walk(child, `${path}[].${key}`, !!node.items.required?.includes(key), rows);
    }
  }
  const each = node.additionalProperties;
  if (typeof each === 'object' && each.properties) {
    const name = path.split('.').pop()?.replace(/s$/, '') || 'name';
    const at = rows.length;
    walk({ ...each, description: each.description ?? `One ${name}, by name.` }, `${path}.<name>`, false, rows);
    rows[at].defaultText = '';
  }
}

function typeText(node: JsonSchema): string {
  if (node.type === 'array') {
    const list = `${node.minItems ? 'non-empty ' : ''}list`;
    if (!node.items) return list;
    if (node.items.properties) return `${list} of objects`;
    const item = typeText(node.items);
    return /^(non-empty )?string$/.test(item) ? `${list} of ${item}s` : `${list}, each ${item}`;
  }
  if (node.type === 'object') {
    if (typeof node.additionalProperties === 'object') {
      const names = node.propertyNames?.pattern ? `, names matching \`${node.propertyNames.pattern}\`` : '';
      return `mapping of name to object${names}`;
    }
    return 'object';
  }
  if (node.enum) return `one of ${node.enum.map((v) => `\`${String(v)}\``).join(', ')}`;
  if (node.type === 'integer' || node.type === 'number') return `${node.type}${range(node)}`;
  if (node.type === 'string') {
    if (node.format === 'uri') return 'URL';
    const prefix = node.pattern && /^\^((?:\\.|[\w/-])+)\.\*$/.exec(node.pattern)?.[1];
    if (prefix) return `string starting with \`${prefix.replace(/\\(.)/g, '$1')}\``;
    if (node.pattern) return `string matching \`${node.pattern}\``;
    return node.minLength ? 'non-empty string' : 'string';
  }
  return node.type ?? 'any';
}

function range(node: JsonSchema): string {
  // Integers are capped at Number.MAX_SAFE_INTEGER by the schema; not worth printing.
  const max = node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER ? node.maximum : undefined;
  const min = node.minimum;
  if (min !== undefined && max !== undefined) return `, ${min} to ${max}`;
  if (node.exclusiveMinimum !== undefined) return `, > ${node.exclusiveMinimum}${max !== undefined ? ` and <= ${max}` : ''}`;
  if (min !== undefined) return `, >= ${min}`;
  if (max !== undefined) return `, <= ${max}`;
  return '';
}

function defaultText(node: JsonSchema, required: boolean): string {
  if (required) return '**required**';
  if (node.default === undefined) return 'not set';
  if (typeof node.default === 'object' && node.default !== null && !Array.isArray(node.default) && Object.keys(node.default).length === 0) {
    return node.properties ? '(defaults of its fields)' : '`{}`';
  }
  return `\`${JSON.stringify(node.default)}\``;
}

/** Text for a table cell: a pipe would end the cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
