// The handshake between a bench server (a child process) and the harness:
// the child announces its URL over IPC, answers `stats` requests, and exits cleanly
// on SIGTERM or when the harness goes away (so no server outlives a crashed run).

export interface ChildHooks {
  /** Extra facts for the harness (e.g. call log counters). */
  stats?(): unknown;
  close(): Promise<void>;
}

export function announce(url: string, hooks: ChildHooks): void {
  if (!process.send) throw new Error('a bench server runs as a child process of bench/run.ts');
  let closing = false;
  const shutdown = async (code: number): Promise<void> => {
    if (closing) return;
    closing = true;
    // Bounded: a server that cannot close still exits (and still writes its --cpu-prof).
    const timer = setTimeout(() => process.exit(code), 3000);
    timer.unref();
    try {
      await hooks.close();
    } finally {
      process.exit(code);
    }
  };
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGINT', () => void shutdown(0));
  process.on('disconnect', () => void shutdown(0));
  process.on('message', (msg: { type?: string }) => {
    if (msg?.type === 'stats') process.send?.({ type: 'stats', stats: hooks.stats?.() ?? null });
  });
  process.send({ type: 'ready', url });
}
