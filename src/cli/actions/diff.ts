// The work of `pinpoint diff` (the command is defined in ../diff.ts).
import { readFileSync } from 'node:fs';
import type { StoredCall } from '../../calllog/types.ts';
import { ConfigError } from '../../config/load.ts';
import { describeParsed } from '../../explain/describe.ts';
import { diffRequests, renderDiff, type DiffSide } from '../../explain/diff.ts';
import { parseRequestInput, RequestInputError } from '../../explain/input/index.ts';
import { localTarget, type LocalTarget } from '../../explain/local-target.ts';
import { dryRun } from '../../explain/run.ts';
import type { DiffOptions } from '../diff.ts';
import { CliError } from '../errors.ts';
import { logFileFrom, openLogReader } from '../log-source.ts';

const REQUEST_ID = /^req_[A-Za-z0-9_-]{6,}$/;

export async function runDiff(a: string, b: string, opts: DiffOptions): Promise<void> {
  let local: LocalTarget | undefined;
  try {
    if (opts.config) local = await localTarget(opts.config);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
  try {
    const sides = [];
    for (const [label, input] of [['A', a], ['B', b]] as const) sides.push(await side(`${label} ${input}`, input, opts, local));
    const report = diffRequests(sides[0], sides[1], local?.store);
    process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : renderDiff(report));
  } finally {
    await local?.close();
  }
}

async function side(label: string, input: string, opts: DiffOptions, local: LocalTarget | undefined): Promise<DiffSide> {
  if (REQUEST_ID.test(input)) return fromLog(label, input, opts);
  if (!local) throw new CliError('Give -c FILE: a pasted request is decided by that config\'s pipeline.');
  let parsed;
  try {
    parsed = parseRequestInput(readFileSync(input, 'utf8'));
  } catch (err) {
    if (err instanceof RequestInputError) throw new CliError(`${input}: ${err.message}`);
    throw new CliError(`Cannot read ${input}: ${(err as Error).message}`);
  }
  const desc = describeParsed(parsed, { peer: opts.peer, derive: local.target.pipeline.clientAddress });
  const { decision, ctx } = await dryRun(local.target.pipeline, local.target.revision, desc);
  let body: unknown;
  try {
    body = parsed.body ? JSON.parse(parsed.body.toString('utf8')) : undefined;
  } catch {
    body = undefined;
  }
  return { label, method: desc.method, path: desc.path, query: desc.query, clientIp: ctx.req.clientIp, clientIpVia: ctx.req.clientIpVia, headers: desc.headers, body, decision };
}

function fromLog(label: string, id: string, opts: DiffOptions): DiffSide {
  const reader = openLogReader(logFileFrom({ config: opts.config, db: opts.db }));
  let call: StoredCall | undefined;
  try {
    call = reader.get(id);
  } finally {
    reader.close();
  }
  if (!call) throw new CliError(`No call log entry has request id ${id}.`);
  return { label, method: call.method, path: call.path, query: call.query ?? '', clientIp: call.clientIp ?? '', headers: call.requestHeaders ?? {}, decision: call.decision };
}
