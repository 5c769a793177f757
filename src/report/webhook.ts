// Delivers one notification: a JSON POST, answered 2xx within the timeout, or it is not delivered.
import { request } from 'undici';
import type { Notification } from './alerts.ts';

export interface WebhookTarget {
  url: string;
  token?: string;
  timeoutMs: number;
}

export async function deliver(target: WebhookTarget, n: Notification): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'pinpoint-alerts' };
  if (target.token) headers.authorization = `Bearer ${target.token}`;
  const res = await request(target.url, {
    method: 'POST',
    headers,
    body: JSON.stringify(n),
    headersTimeout: target.timeoutMs,
    bodyTimeout: target.timeoutMs,
    signal: AbortSignal.timeout(target.timeoutMs),
  });
  await res.body.dump();
  if (res.statusCode < 200 || res.statusCode > 299) throw new Error(`the webhook answered ${res.statusCode}`);
}
