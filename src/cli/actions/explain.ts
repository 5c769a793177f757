// The work of `pinpoint explain` (the command is defined in ../explain.ts).
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../config/load.ts';
import { aiCaveats } from '../../explain/ai.ts';
import { describeParsed } from '../../explain/describe.ts';
import { explain, type ExplainReport } from '../../explain/explain.ts';
import { loggedRequest, scopesFromStore } from '../../explain/from-log.ts';
import type { KeyIndex } from '../../layers/authn/types.ts';
import { parseRequestInput, RequestInputError } from '../../explain/input/index.ts';
import { localTarget } from '../../explain/local-target.ts';
import { renderReport } from '../../explain/render.ts';
import { saveCase } from '../../explain/save-case.ts';
import type { ParsedRequest } from '../../explain/types.ts';
import type { Assumed } from '../../pipeline/types.ts';
import { callAdmin } from '../admin-client.ts';
import { CliError } from '../errors.ts';
import type { ExplainCliOptions } from '../explain.ts';
import { logFileFrom, openLogReader } from '../log-source.ts';

const REQUEST_ID = /^req_[A-Za-z0-9_-]{6,}$/;

export async function runExplain(input: string | undefined, opts: ExplainCliOptions): Promise<void> {
  const report = opts.admin ? await viaAdmin(input, opts) : await locally(input, opts);
  if (opts.saveTest) saveCase(opts.saveTest, report.case, opts.config);
  process.stdout.write(opts.json ? JSON.stringify(report.report, null, 2) + '\n' : renderReport(report.report) + caveats(report.caveats));
}

interface Outcome {
  report: ExplainReport;
  caveats: string[];
  case: { request: ParsedRequest; as?: string; assume?: Assumed; peer: string; decision: ExplainReport['decision'] };
}

async function locally(input: string | undefined, opts: ExplainCliOptions): Promise<Outcome> {
  if (!opts.config) throw new CliError('Give -c FILE (the config to decide with), or --admin URL for a running gateway.');
  let local;
  try {
    local = await localTarget(opts.config);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
  try {
    const { request, assume, caveats } = input !== undefined && REQUEST_ID.test(input) ? fromLog(input, opts, local.store) : { request: readRequest(input, opts), assume: undefined, caveats: [] };
    const peer = opts.peer ?? '127.0.0.1';
    const desc = describeParsed(request, { peer, derive: local.target.pipeline.clientAddress });
    const report = await explain(local.target, desc, { as: opts.as, assume });
    const emptyCounters = local.target.config.limits.backend === 'memory';
    caveats.push(...aiCaveats(report.ai, report.decision, { emptyCounters, assumedKey: opts.as !== undefined }));
    return { report, caveats, case: { request, as: opts.as, assume, peer, decision: report.decision } };
  } finally {
    await local.close();
  }
}

function fromLog(id: string, opts: ExplainCliOptions, keys: KeyIndex) {
  const reader = openLogReader(logFileFrom({ config: opts.config }));
  try {
    const call = reader.get(id);
    if (!call) throw new CliError(`No call log entry has request id ${id}.`);
    return loggedRequest(call, scopesFromStore(keys));
  } finally {
    reader.close();
  }
}

function readRequest(input: string | undefined, opts: ExplainCliOptions): ParsedRequest {
  let text: string;
  try {
    text = input === undefined || input === '-' ? readFileSync(0, 'utf8') : readFileSync(input, 'utf8');
  } catch (err) {
    throw new CliError(`Cannot read the request from ${input ?? 'stdin'}: ${(err as Error).message}`);
  }
  try {
    return parseRequestInput(text, { harEntry: opts.harEntry === undefined ? undefined : Number(opts.harEntry) });
  } catch (err) {
    if (err instanceof RequestInputError) throw new CliError(`Cannot read the request: ${err.message}`);
    throw err;
  }
}

async function viaAdmin(input: string | undefined, opts: ExplainCliOptions): Promise<Outcome> {
  const body: Record<string, unknown> = { as: opts.as, peer: opts.peer };
  if (input !== undefined && REQUEST_ID.test(input)) body.requestId = input;
  else body.request = input === undefined || input === '-' ? readFileSync(0, 'utf8') : readFileSync(input, 'utf8');
  if (opts.config) body.config = readFileSync(opts.config, 'utf8');
  const res = await callAdmin(opts.admin!, 'explain', { json: body });
  const answer = parseJson(res.text) as { report?: ExplainReport; caveats?: string[]; request?: ParsedRequest; detail?: string };
  if (!res.ok || !answer.report) throw new CliError(`The admin API answered ${res.status}: ${answer.detail ?? JSON.stringify(answer).slice(0, 300)}`);
  return { report: answer.report, caveats: answer.caveats ?? [], case: { request: answer.request!, as: opts.as, peer: opts.peer ?? '127.0.0.1', decision: answer.report.decision } };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

function caveats(list: string[]): string {
  return list.length ? '\nNote: ' + list.join('; ') + '.\n' : '';
}
