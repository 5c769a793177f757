import { stringify } from 'yaml';

export { openApiDocument, type OpenApiOptions } from './document.ts';

/** The document as JSON or YAML text (YAML without anchors: shared objects are written out each time). */
export function renderOpenApi(doc: unknown, format: 'json' | 'yaml'): string {
  return format === 'yaml' ? stringify(doc, { aliasDuplicateObjects: false, lineWidth: 0 }) : JSON.stringify(doc, null, 2) + '\n';
}
