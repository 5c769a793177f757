import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { bisect, BisectError, planOf } from '../bisect/bisect.ts';
import { DEFAULT_CAUSE_HEADERS, type CauseOptions } from '../bisect/oracle.ts';
import { renderPlan, renderSummary } from '../bisect/render.ts';
import { parseRequestInput, RequestInputError, type ParsedRequest } from '../explain/input/index.ts';
import { CliError } from './errors.ts';
import { parsePositiveInt, parseStatus } from './option-parsers.ts';

interface BisectCliOptions {
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

function readRequest(file: string | undefined, harEntry: number | undefined): ParsedRequest {
  let text: string;
  try {
    text = file === undefined || file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file ?? 'standard input'}: ${(err as Error).message}`);
  }
  try {
    const request = parseRequestInput(text, harEntry === undefined ? {} : { harEntry });
    if (!/^https?:\/\//i.test(request.url)) {
      throw new CliError('the request has no host to send to: give an absolute URL (a raw HTTP message needs a Host header)');
    }
    return request;
  } catch (err) {
    if (err instanceof RequestInputError) throw new CliError(`cannot read the request: ${err.message}`);
    throw err;
  }
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
    .action(async (file: string | undefined, opts: BisectCliOptions) => {
      const request = readRequest(file, opts.harEntry);
      const cause: CauseOptions = { headers: [...DEFAULT_CAUSE_HEADERS, ...opts.causeHeader] };
      if (opts.causePattern) cause.pattern = opts.causePattern;
      let admin: { url: string; token: string } | undefined;
      if (opts.admin) {
        const token = process.env.PINPOINT_ADMIN_TOKEN;
        if (!token) throw new CliError('--admin needs the admin token in $PINPOINT_ADMIN_TOKEN');
        admin = { url: opts.admin, token };
      }
      if (opts.dryRun) {
        const plan = planOf(request);
        process.stdout.write(opts.json
          ? JSON.stringify({ method: plan.method, target: plan.target, parts: plan.parts.map((p) => p.label), maxRequests: opts.maxRequests, ratePerSecond: opts.rate }, null, 2) + '\n'
          : renderPlan(plan, { maxRequests: opts.maxRequests, ratePerSecond: opts.rate, cause, admin }));
        return;
      }
      try {
        const result = await bisect(request, {
          maxRequests: opts.maxRequests,
          ratePerSecond: opts.rate,
          timeoutMs: opts.timeout,
          cause,
          ...(opts.status !== undefined ? { expectStatus: opts.status } : {}),
          ...(admin ? { admin } : {}),
          progress: (line) => process.stderr.write(`${line}\n`),
        });
        if (opts.json) {
          const { minimalRequest, ...rest } = result;
          process.stdout.write(JSON.stringify({
            ...rest,
            parts: result.parts.map((p) => p.label),
            minimalRequest: { method: minimalRequest.method, url: minimalRequest.url, headers: minimalRequest.headers.map(([n]) => n), bodyBytes: minimalRequest.body?.length ?? 0 },
          }, null, 2) + '\n');
        } else process.stdout.write(renderSummary(result));
      } catch (err) {
        if (err instanceof BisectError) throw new CliError(err.message);
        throw err;
      }
    });
}
