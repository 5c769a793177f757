import { Command } from 'commander';
import { renderCall } from '../calllog/render.ts';
import type { StoredCall } from '../calllog/types.ts';
import { callAdmin } from './admin-client.ts';
import { CliError } from './errors.ts';
import { logFileFrom, openLogReader } from './log-source.ts';

interface WhyOptions {
  config?: string;
  db?: string;
  admin?: string;
  json?: boolean;
}

export function whyCommand(): Command {
  return new Command('why')
    .description('Explain what refused (or allowed) one request: rule, evidence, fixes and the whole trace')
    .argument('<request-id>', 'the X-Request-Id the gateway answered with (a correlation id works too)')
    .option('-c, --config <file>', "the gateway's config file (its log.file is read)")
    .option('--db <file>', 'the call log SQLite file')
    .option('--admin <url>', 'ask a running gateway\'s admin API instead (token from $PINPOINT_ADMIN_TOKEN)')
    .option('--json', 'print the stored record as JSON')
    .action(async (id: string, opts: WhyOptions) => {
      const call = opts.admin ? await fetchFromAdmin(opts.admin, id) : readFromFile(opts, id);
      process.stdout.write(opts.json ? JSON.stringify(call, null, 2) + '\n' : renderCall(call));
    });
}

function readFromFile(opts: WhyOptions, id: string): StoredCall {
  const file = logFileFrom(opts);
  const reader = openLogReader(file);
  try {
    const call = reader.get(id);
    if (!call) throw notFound(id, file);
    return call;
  } finally {
    reader.close();
  }
}

async function fetchFromAdmin(base: string, id: string): Promise<StoredCall> {
  const { status, ok, text, origin } = await callAdmin(base, `why/${encodeURIComponent(id)}`);
  if (status === 404) throw notFound(id, origin);
  if (!ok) throw new CliError(`The admin API answered ${status}: ${text.slice(0, 500)}`);
  try {
    return JSON.parse(text) as StoredCall;
  } catch {
    throw new CliError(`The admin API answered something that is not JSON: ${text.slice(0, 200)}`);
  }
}

function notFound(id: string, where: string): CliError {
  return new CliError(
    `No request ${JSON.stringify(id)} in the call log (${where}). Check the id (the X-Request-Id response header); ` +
      'it may also be older than the retention period, or was dropped under overload.',
  );
}
