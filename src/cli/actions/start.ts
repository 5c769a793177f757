// The work of `pinpoint start` (the command is defined in ../start.ts).
import { ConfigError } from '../../config/load.ts';
import { startPinpoint } from '../../server/start.ts';
import { StoreOpenError } from '../../store/types.ts';
import { CliError } from '../errors.ts';
import type { StartCliOptions } from '../start.ts';

export async function runStart(opts: StartCliOptions): Promise<void> {
  let running: Awaited<ReturnType<typeof startPinpoint>>;
  try {
    running = await startPinpoint({ configPath: opts.config, port: opts.port, adminPort: opts.adminPort });
  } catch (err) {
    if (err instanceof ConfigError || err instanceof StoreOpenError) throw new CliError(err.message);
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE' || e.code === 'EACCES') throw new CliError(`Cannot listen: ${e.message}`);
    throw err;
  }
  const gw = running.gatewayAddress;
  const lines = [`pinpoint: gateway listening on http://${hostPort(gw.address, gw.port)} (config revision ${running.gateway.loaded.revision})`];
  if (running.adminAddress) lines.push(`pinpoint: admin API on http://${hostPort(running.adminAddress.address, running.adminAddress.port)}`);
  lines.push(`pinpoint: call log ${running.logFile}`);
  process.stdout.write(lines.join('\n') + '\n');
  await untilSignal();
  process.stdout.write('pinpoint: stopping (finishing in-flight requests, flushing the call log)\n');
  // A second signal while stopping means: stop now.
  const force = () => process.exit(130);
  process.once('SIGINT', force);
  process.once('SIGTERM', force);
  await running.close();
  process.stdout.write('pinpoint: stopped\n');
  process.off('SIGINT', force);
  process.off('SIGTERM', force);
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const on = () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve();
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
