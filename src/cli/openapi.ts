// `pinpoint openapi -c FILE`: the OpenAPI 3.1 document of the routes a config serves (src/openapi).
// The command's flags and help; its work is in ./actions/openapi.ts (see main.ts).
import { Command } from 'commander';

export interface OpenApiCliOptions {
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
    .action(async (opts: OpenApiCliOptions) => (await import('./actions/openapi.ts')).runOpenapi(opts));
}
