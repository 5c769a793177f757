// Composition root: boots the call log, the gateway, the admin listener and config reload
// from one config file. The CLI's `start` and the quickstart call this.
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { createMetrics, type Metrics } from '../admin/metrics.ts';
import { startAdmin, type AdminDeps, type AdminServer } from '../admin/server.ts';
import { openCallLog, openCallLogReader } from '../calllog/index.ts';
import { callLogSettings } from '../calllog/settings.ts';
import type { CallLog, CallLogReader } from '../calllog/types.ts';
import { loadConfigFile } from '../config/load.ts';
import { watchConfig } from '../config/watch.ts';
import { openConfiguredOwnerStore, openConfiguredStore, type CredentialStore } from '../store/index.ts';
import { createOwnerLookups, createOwnerRecords, type OwnerRecords } from '../layers/authz/index.ts';
import { createLimitsDeps } from '../layers/limits/deps.ts';
import { Gateway } from './gateway.ts';
import { CallAggregates } from '../calllog/aggregate.ts';
import { startAlerting, describeAlertMessage } from '../report/alerting.ts';

export interface StartOptions {
  configPath: string;
  /** Overrides gateway.listen.port (0 = ephemeral). */
  port?: number;
  /** Overrides admin.listen.port. */
  adminPort?: number;
  /** Reload on SIGHUP and file change (default true). */
  watch?: boolean;
  /** Where reloads and operational problems are reported (default: stderr). */
  report?(message: string): void;
}

export interface Running {
  gateway: Gateway;
  callLog: CallLog;
  gatewayAddress: AddressInfo;
  adminAddress?: AddressInfo;
  /** The call log file in use. */
  logFile: string;
  /** The credential store (API keys, passwords, audit log): config store.file, or PostgreSQL. */
  store: CredentialStore;
  /** The ownership records (owner.store, owner.record), in tables of their own beside the credentials (store.file, or PostgreSQL). */
  owners: OwnerRecords;
  close(): Promise<void>;
}

export async function startPinpoint(opts: StartOptions): Promise<Running> {
  const report = opts.report ?? ((m: string) => process.stderr.write(m + '\n'));
  const loaded = loadConfigFile(opts.configPath);
  const { config } = loaded;
  // First: a node whose credential store cannot be opened (PostgreSQL down) refuses to start, leaving nothing open.
  const store = await openConfiguredStore(config, opts.configPath, { watch: true, report });
  // Ownership records live beside the credentials (the SQLite file or the PostgreSQL schema), in tables of their own.
  const owners = createOwnerRecords(
    await openConfiguredOwnerStore(config, opts.configPath, { report }).catch(async (err: unknown) => {
      await store.close();
      throw err;
    }),
  );
  const logFile = resolve(dirname(resolve(opts.configPath)), config.log.file);
  const callLog = openCallLog(callLogSettings(config, logFile));
  const metrics = createMetrics();
  // Limit counters and the Redis client outlive config reloads: they live here, not in the compiled layer.
  const limits = createLimitsDeps({ report });
  const gateway = new Gateway({ loaded, callLog, observe: (r) => metrics.observe(r), deps: { authn: { keys: store, passwords: store }, limits, authz: { lookups: createOwnerLookups(), owners, report } } });
  await limits.ready();
  const gatewayAddress = await gateway.listen(opts.port ?? config.gateway.listen.port, config.gateway.listen.host);

  let admin: AdminServer | undefined;
  const reader = config.admin.enabled ? openCallLogReader(logFile) : undefined;
  const aggregates = reader ? new CallAggregates(logFile) : undefined;
  if (reader) {
    admin = await startAdmin({
      host: config.admin.listen.host,
      port: opts.adminPort ?? config.admin.listen.port,
      token: process.env[config.admin.tokenEnv] || undefined,
      ...adminSources({ gateway, callLog, metrics, reader, aggregates, store, owners }),
    }).catch(async (err: Error) => {
      // Leave nothing half-started behind: the caller gets the error and no open listener.
      await gateway.close();
      await callLog.close();
      await store.close();
      await owners.close();
      await limits.close();
      reader.close();
      aggregates?.close();
      throw err;
    });
  }

  // Alert rules are evaluated in a worker thread, off the request path (src/report/alerting.ts).
  const alerting = startAlerting(logFile, config.alerts, (m) => report(describeAlertMessage(m)));
  const watcher =
    opts.watch === false
      ? undefined
      : watchConfig(
          opts.configPath,
          (next) => {
            gateway.reload(next);
            alerting.update(next.config.alerts);
            report(`config reloaded: revision ${next.revision}`);
          },
          (err) => report(`config reload refused, still serving revision ${gateway.loaded.revision}:\n${err.message}`),
          { currentRevision: loaded.revision },
        );

  return {
    gateway,
    callLog,
    gatewayAddress,
    adminAddress: admin?.address,
    logFile,
    store,
    owners,
    async close() {
      watcher?.close();
      await alerting.close();
      await gateway.close();
      await admin?.close();
      await callLog.close();
      await store.close();
      await owners.close();
      await limits.close();
      reader?.close();
      aggregates?.close();
    },
  };
}

/** What the admin API reads of a running gateway: its config, call log, health, metrics, store and explain. */
export function adminSources(g: {
  gateway: Gateway;
  callLog: CallLog;
  metrics: Metrics;
  reader: CallLogReader;
  aggregates?: CallAggregates;
  store?: CredentialStore;
  owners?: OwnerRecords;
}): Omit<AdminDeps, 'host' | 'port' | 'token'> {
  const { gateway, callLog } = g;
  return {
    loaded: () => gateway.loaded,
    reader: g.reader,
    callLogStats: () => callLog.stats(),
    upstreamHealth: () => gateway.proxies.health(),
    metrics: g.metrics,
    ready: () => gateway.server.listening,
    keys: g.store,
    owners: g.owners,
    explain: (candidate) => gateway.explainTarget(candidate),
    aggregates: g.aggregates,
  };
}
