// The alert loop, in a worker thread so that its SQLite queries and webhook calls never hold up
// the gateway's event loop. Started and fed config by alerting.ts.
import { existsSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { CallAggregates } from '../calllog/aggregate.ts';
import { AlertEvaluator } from './alerts.ts';
import type { AlertsConfig } from './schema.ts';
import { deliver } from './webhook.ts';

export interface AlertWorkerData {
  file: string;
  alerts: AlertsConfig;
}

export type AlertWorkerMessage =
  | { type: 'delivered'; kind: 'alert' | 'recovery'; alert: string; summary: string }
  | { type: 'failed'; alert: string; error: string }
  | { type: 'error'; error: string };

const data = workerData as AlertWorkerData;
let alerts = data.alerts;
const evaluator = new AlertEvaluator(alerts.rules);
let queries: CallAggregates | undefined;
let timer: NodeJS.Timeout | undefined;
let running = false;
const post = (m: AlertWorkerMessage) => parentPort!.postMessage(m);

async function tick(): Promise<void> {
  if (running) return; // a slow webhook: the next evaluation waits for this one
  running = true;
  try {
    if (!queries) {
      if (!existsSync(data.file)) return;
      queries = new CallAggregates(data.file);
    }
    const webhook = alerts.webhook;
    if (!webhook) return;
    const token = webhook.tokenEnv ? process.env[webhook.tokenEnv] : undefined;
    for (const n of evaluator.evaluate(queries, Date.now())) {
      try {
        await deliver({ url: webhook.url, timeoutMs: webhook.timeoutMs, ...(token ? { token } : {}) }, n);
        evaluator.delivered(n);
        post({ type: 'delivered', kind: n.kind, alert: n.alert, summary: n.summary });
      } catch (err) {
        post({ type: 'failed', alert: n.alert, error: (err as Error).message });
      }
    }
  } catch (err) {
    post({ type: 'error', error: (err as Error).message });
  } finally {
    running = false;
  }
}

function schedule(): void {
  if (timer) clearInterval(timer);
  timer = setInterval(() => void tick(), alerts.evaluateEveryS * 1000);
}

parentPort!.on('message', (m: { type: 'config'; alerts: AlertsConfig } | { type: 'stop' }) => {
  if (m.type === 'config') {
    const every = alerts.evaluateEveryS;
    alerts = m.alerts;
    evaluator.setRules(alerts.rules);
    if (every !== alerts.evaluateEveryS) schedule();
  } else {
    if (timer) clearInterval(timer);
    const stop = () => {
      queries?.close();
      parentPort!.close();
    };
    if (running) setTimeout(stop, 50);
    else stop();
  }
});

schedule();
