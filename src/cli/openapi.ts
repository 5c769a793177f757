// `pinpoint openapi -c FILE`: the OpenAPI 3.1 document of the routes a config serves (src/openapi).
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { ConfigError, loadConfigFile } from '../config/load.ts';
import { openApiDocument, renderOpenApi } from '../openapi/index.ts';
import { CliError } from './errors.ts';

interface OpenApiCliOptions {
  config: string;
  output?: string;
  yaml?: boolean;
  title?: string;
  server: string[];
}

export function openapiCommand(): Command {
  return new Command('openapi')
    .description('Print the OpenAPI 3.1 document of the routes a config serves: paths, methods, security, request bodies, AI templates and the problem responses of every route')
    .requiredOption('-c, --config <file>', 'the YAML config file')
    .option('-o, --output <file>', 'write the document to this file instead of printing it')
    .option('--yaml', 'YAML instead of JSON')
    .option('--title <title>', 'info.title of the document')
    .option('--server <url>', 'a URL the API is reached at (servers; repeatable)', (v: string, all: string[]) => [...all, v], [])
    .action((opts: OpenApiCliOptions) => {
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
    });
}
