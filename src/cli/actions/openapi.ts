// The work of `pinpoint openapi` (the command is defined in ../openapi.ts).
import { writeFileSync } from 'node:fs';
import { ConfigError, loadConfigFile } from '../../config/load.ts';
import { openApiDocument, renderOpenApi } from '../../openapi/index.ts';
import { CliError } from '../errors.ts';
import type { OpenApiCliOptions } from '../openapi.ts';

export function runOpenapi(opts: OpenApiCliOptions): void {
  let loaded;
  try {
    loaded = loadConfigFile(opts.config);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
  const doc = openApiDocument(loaded.config, loaded.revision, { title: opts.title, servers: opts.server });
  const text = renderOpenApi(doc, opts.yaml ? 'yaml' : 'json');
  if (!opts.output) {
    process.stdout.write(text);
    return;
  }
  writeFileSync(opts.output, text);
  const operations = Object.values(doc.paths as Record<string, Record<string, unknown>>).reduce((n, item) => n + Object.keys(item).filter((k) => k !== 'description').length, 0);
  process.stdout.write(`${opts.output}: ${Object.keys(doc.paths as object).length} paths, ${operations} operations\n`);
}
