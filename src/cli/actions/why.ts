// The work of `pinpoint why` (the command is defined in ../why.ts).
import { renderCall } from '../../calllog/render.ts';
import type { StoredCall } from '../../calllog/types.ts';
import { callAdmin } from '../admin-client.ts';
import { CliError } from '../errors.ts';
import { logFileFrom, openLogReader } from '../log-source.ts';
import type { WhyOptions } from '../why.ts';

export async function runWhy(id: string, opts: WhyOptions): Promise<void> {
  const call = opts.admin ? await fetchFromAdmin(opts.admin, id) : readFromFile(opts, id);
  process.stdout.write(opts.json ? JSON.stringify(call, null, 2) + '\n' : renderCall(call));
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
