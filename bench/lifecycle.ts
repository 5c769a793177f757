// What every bench script does around its measurements: report a gateway's call log counters,
// run its cleanups once, and stop its servers and remove its folder on Ctrl-C.
import { rmSync } from 'node:fs';
import { stopAll, type Child } from './children.ts';

const log = (line: string) => process.stderr.write(line + '\n');

/** The call log must keep up for the comparison to be fair: report what it wrote and dropped. */
export async function callLogNote(gateway: Child): Promise<string> {
  type Stats = { written: number; dropped: number; queued: number };
  let stats = (await gateway.stats()) as Stats | null;
  for (let i = 0; i < 50 && stats && stats.queued > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    stats = (await gateway.stats()) as Stats | null;
  }
  if (!stats) return 'call log counters unavailable';
  const warning = stats.dropped > 0 ? ' (entries were DROPPED: the gateway did less work than a full log)' : '';
  return `call log so far: ${stats.written} written, ${stats.dropped} dropped, ${stats.queued} queued${warning}`;
}

/** Runs each cleanup once (servers of the bench process itself, such as the JWKS server), whatever the others do. */
export async function runCleanups(cleanups: Array<() => Promise<void>>): Promise<void> {
  const pending = cleanups.splice(0);
  await Promise.allSettled(pending.map((c) => c()));
}

export function onInterrupt(dir: string, cleanups: Array<() => Promise<void>>): void {
  let stopping = false;
  const bail = (signal: string) => {
    // `on`, not `once`: a repeated signal (tsx relays Ctrl-C to this process too) must not
    // end the process before the servers are stopped.
    if (stopping) return;
    stopping = true;
    log(`\n${signal}: stopping the servers`);
    void Promise.allSettled([stopAll(), runCleanups(cleanups)]).finally(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.on('SIGINT', () => bail('SIGINT'));
  process.on('SIGTERM', () => bail('SIGTERM'));
}
