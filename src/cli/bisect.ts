// `pinpoint bisect`: the command's flags and help; its work is in ./actions/bisect.ts (see main.ts).
import { Command, InvalidArgumentError } from 'commander';
import { parsePositiveInt, parseStatus } from './option-parsers.ts';

export interface BisectCliOptions {
  harEntry?: number;
  maxRequests: number;
  rate: number;
  timeout: number;
  status?: number;
  causeHeader: string[];
  causePattern?: RegExp;
  admin?: string;
  dryRun?: boolean;
  json?: boolean;
}

function parseRegExp(value: string): RegExp {
  try {
    return new RegExp(value);
  } catch (err) {
    throw new InvalidArgumentError(`not a regular expression: ${(err as Error).message}`);
  }
}

function parseIndex(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected an entry index from 0');
  return Number(value);
}

export function bisectCommand(): Command {
  return new Command('bisect')
    .description('Find the part of a refused request (header, cookie, query parameter, form or JSON body field) that makes it refused, by delta debugging against the URL it names')
    .argument('[file]', 'a curl command, HAR file or entry, or raw HTTP message (default: standard input)')
    .option('--har-entry <n>', 'the entry of a HAR file with several (from 0)', parseIndex)
    .option('--max-requests <n>', 'send at most this many requests', parsePositiveInt, 200)
    .option('--rate <n>', 'send at most this many requests per second', parsePositiveInt, 20)
    .option('--timeout <ms>', 'give up on one answer after this long', parsePositiveInt, 10_000)
    .option('--status <code>', 'the status the original must get (default: any failure, 400 or more)', parseStatus)
    .option('--cause-header <name>', 'a response header that names the cause (repeatable; added to the usual ones)', (v: string, all: string[]) => [...all, v.toLowerCase()], [] as string[])
    .option('--cause-pattern <regex>', 'a pattern whose first group, in the response body, names the cause', parseRegExp)
    .option('--admin <url>', "a Pinpoint gateway's admin API: its decision code and rule id become the cause (token from $PINPOINT_ADMIN_TOKEN)")
    .option('--dry-run', 'print the parts and the plan, send nothing')
    .option('--json', 'print the result as JSON')
    .action(async (file: string | undefined, opts: BisectCliOptions) => (await import('./actions/bisect.ts')).runBisect(file, opts));
}
