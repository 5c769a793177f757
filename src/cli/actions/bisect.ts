// The work of `pinpoint bisect` (the command is defined in ../bisect.ts).
import { readFileSync } from 'node:fs';
import { bisect, BisectError, planOf } from '../../bisect/bisect.ts';
import { DEFAULT_CAUSE_HEADERS, type CauseOptions } from '../../bisect/oracle.ts';
import { renderPlan, renderSummary } from '../../bisect/render.ts';
import { parseRequestInput, RequestInputError, type ParsedRequest } from '../../explain/input/index.ts';
import type { BisectCliOptions } from '../bisect.ts';
import { CliError } from '../errors.ts';

export async function runBisect(file: string | undefined, opts: BisectCliOptions): Promise<void> {
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
