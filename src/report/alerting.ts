// The gateway's side of alerting: starts the alert worker when the config has rules (none: no
// worker, no cost), hands it each reloaded config, stops it on close.
import type { Worker } from 'node:worker_threads';
import { siblingModule, spawnWorker } from '../calllog/spawn-worker.ts';
import type { AlertWorkerData, AlertWorkerMessage } from './alert-worker.ts';
import type { AlertsConfig } from './schema.ts';

export interface Alerting {
  update(alerts: AlertsConfig): void;
  close(): Promise<void>;
}

export function startAlerting(file: string, alerts: AlertsConfig, report: (message: AlertWorkerMessage) => void): Alerting {
  let worker: Worker | undefined;
  const start = (config: AlertsConfig) => {
    const data: AlertWorkerData = { file, alerts: config };
    const w = spawnWorker(siblingModule(import.meta.url, 'alert-worker'), { workerData: data });
    w.on('message', report);
    w.on('error', (err) => report({ type: 'error', error: err.message }));
    w.unref();
    worker = w;
  };
  const stop = async () => {
    const w = worker;
    worker = undefined;
    if (!w) return;
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    w.postMessage({ type: 'stop' });
    const timeout = setTimeout(() => void w.terminate(), 2000);
    await exited;
    clearTimeout(timeout);
  };
  if (alerts.rules.length > 0) start(alerts);
  return {
    update(next) {
      if (next.rules.length === 0) void stop();
      else if (worker) worker.postMessage({ type: 'config', alerts: next });
      else start(next);
    },
    close: stop,
  };
}

/** One line for the gateway's operational report (stderr). */
export function describeAlertMessage(m: AlertWorkerMessage): string {
  if (m.type === 'delivered') return `alert ${m.kind === 'alert' ? 'sent' : 'recovery sent'}: ${m.summary}`;
  if (m.type === 'failed') return `alert ${m.alert} not delivered (tried again at the next evaluation): ${m.error}`;
  return `alerts: ${m.error}`;
}
