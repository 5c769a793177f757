/**
 * Route path patterns (find-my-way's syntax, src/layers/route/compile.ts) as OpenAPI path
 * templates: `:id` → `{id}`, `:id(^\d+$)` → `{id}` with that pattern, `/:a-:b` → `/{a}-{b}`,
 * `::` → a literal colon, `*` → `{wildcard}` (the rest of the path, slashes included), an
 * optional last parameter `/:id?` → two paths, with and without it. A trailing slash is
 * dropped, as the router ignores it.
 */

export interface PathParameter {
  name: string;
  in: 'path';
  required: true;
  description?: string;
  schema: { type: 'string'; pattern?: string };
}

export interface OpenApiPath {
  path: string;
  parameters: PathParameter[];
}

/** find-my-way's own rule for an optional last parameter. */
const OPTIONAL = /(\/:[^/()]*?)\?(\/?)$/;
const WILDCARD = 'wildcard';

export function openApiPaths(pattern: string): OpenApiPath[] {
  const m = OPTIONAL.exec(pattern);
  if (!m) return [convert(pattern)];
  return [convert(pattern.replace(OPTIONAL, '$1$2')), convert(pattern.replace(OPTIONAL, '$2') || '/')];
}

function convert(pattern: string): OpenApiPath {
  let path = '';
  const parameters: PathParameter[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === ':' && pattern[i + 1] === ':') {
      path += ':';
      i += 2;
    } else if (c === ':') {
      let j = i + 1;
      while (j < pattern.length && !'(-./'.includes(pattern[j])) j++;
      const name = pattern.slice(i + 1, j);
      const param: PathParameter = { name, in: 'path', required: true, schema: { type: 'string' } };
      if (pattern[j] === '(') {
        const end = closingParen(pattern, j);
        param.schema.pattern = `^(?:${pattern.slice(j + 1, end).replace(/^\^/, '').replace(/\$$/, '')})$`;
        j = end + 1;
      }
      parameters.push(param);
      path += `{${name}}`;
      i = j;
    } else if (c === '*') {
      // The router ignores whatever follows a wildcard.
      const name = parameters.some((p) => p.name === WILDCARD) ? `${WILDCARD}_` : WILDCARD;
      parameters.push({ name, in: 'path', required: true, description: 'The rest of the path, slashes included (the * of the route\'s pattern).', schema: { type: 'string' } });
      path += `{${name}}`;
      break;
    } else {
      path += c;
      i++;
    }
  }
  return { path: path.length > 1 ? path.replace(/\/+$/, '') || '/' : path, parameters };
}

/** As find-my-way reads a parameter's regex: up to the matching parenthesis, backslash escapes skipped. */
function closingParen(pattern: string, open: number): number {
  let depth = 1;
  for (let i = open + 1; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === '(') depth++;
    else if (pattern[i] === ')' && --depth === 0) return i;
  }
  return pattern.length - 1;
}
