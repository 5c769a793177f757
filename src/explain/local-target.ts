import { loadConfigFile } from '../config/load.ts';
import { createOwnerLookups } from '../layers/authz/index.ts';
import { createLimitsDeps } from '../layers/limits/deps.ts';
import { compilePipeline, type PipelineDeps } from '../pipeline/order.ts';
import { openConfiguredStore, openStore, type CredentialStore } from '../store/index.ts';
import type { ExplainTarget } from './explain.ts';

export interface LocalTarget {
  target: ExplainTarget;
  store: CredentialStore;
  close(): Promise<void>;
}

/**
 * A target from a config file, as `pinpoint start` would build it: its credential store (read,
 * never written: a dry run records no use) and its limit counters (the Redis ones are the
 * live shared counts, read only; memory counters start empty in this process).
 */
export async function localTarget(configPath: string, opts: { storeFile?: string } = {}): Promise<LocalTarget> {
  const loaded = loadConfigFile(configPath);
  const store = opts.storeFile
    ? openStore(opts.storeFile, { refreshMs: 60_000, touchFlushMs: 60_000 })
    : await openConfiguredStore(loaded.config, configPath, { watch: false });
  const limits = createLimitsDeps({ report: () => {} });
  const deps: PipelineDeps = { authn: { keys: store, passwords: store }, limits, authz: { lookups: createOwnerLookups() } };
  const target: ExplainTarget = {
    config: loaded.config,
    revision: loaded.revision,
    pipeline: compilePipeline(loaded.config, deps),
    compile: (config) => compilePipeline(config, deps),
  };
  await limits.ready();
  return {
    target,
    store,
    async close() {
      await limits.close();
      await store.close();
    },
  };
}
