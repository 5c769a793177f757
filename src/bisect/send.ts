// Sends the variants: only to the one URL given, one at a time, no faster than the rate and no
// more than the budget. Redirects are not followed (undici's request does not follow them).
import { Agent, request } from 'undici';
import type { BuiltRequest } from './parts.ts';
import { causeOf, type CauseOptions, type Signature } from './oracle.ts';

export class BudgetExhausted extends Error {
  override name = 'BudgetExhausted';
}

export interface SenderOptions {
  maxRequests: number;
  ratePerSecond: number;
  timeoutMs: number;
  cause: CauseOptions;
  /** Origin and path every variant must go to; anything else is a bug and is refused. */
  target: string;
  /**
   * A Pinpoint admin API to ask for the decision of each answer (GET /why/<request-id>): its
   * precise code and rule id become the cause, finer than what a caller's problem body shows.
   */
  admin?: { url: string; token: string };
}

/** A block page is enough to read a cause from; the rest of a big body is not read. */
const MAX_BODY_CHARS = 64 * 1024;

export class Sender {
  sent = 0;
  private nextAt = 0;
  private readonly agent = new Agent({ connections: 1 });

  constructor(private readonly opts: SenderOptions) {}

  async send(req: BuiltRequest): Promise<Signature> {
    if (req.url !== this.opts.target && !req.url.startsWith(`${this.opts.target}?`)) {
      throw new Error(`refusing to send to ${req.url}: bisect only sends to ${this.opts.target}`);
    }
    if (this.sent >= this.opts.maxRequests) throw new BudgetExhausted(`the budget of ${this.opts.maxRequests} requests is spent`);
    const wait = this.nextAt - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    this.nextAt = Date.now() + 1000 / this.opts.ratePerSecond;
    this.sent++;
    try {
      const res = await request(req.url, {
        method: req.method,
        headers: req.headers.flat(),
        body: req.body,
        dispatcher: this.agent,
        headersTimeout: this.opts.timeoutMs,
        bodyTimeout: this.opts.timeoutMs,
      });
      let body = '';
      for await (const chunk of res.body) {
        body += (chunk as Buffer).toString('utf8');
        if (body.length >= MAX_BODY_CHARS) break;
      }
      if (!res.body.destroyed) res.body.destroy();
      const contentType = String(res.headers['content-type'] ?? '');
      const signature: Signature = { status: res.statusCode };
      const cause = causeOf(res.headers, contentType, body.slice(0, MAX_BODY_CHARS), this.opts.cause);
      if (cause !== undefined) signature.cause = cause;
      const requestId = res.headers['x-request-id'];
      if (typeof requestId === 'string') {
        signature.requestId = requestId;
        if (this.opts.admin && res.statusCode >= 400) signature.cause = await this.decisionCause(requestId);
      }
      return signature;
    } catch (err) {
      return { status: 0, error: (err as Error).message };
    }
  }

  /** The decision's code and rule, once the gateway's call log has it (written a moment after the answer). */
  private async decisionCause(requestId: string): Promise<string> {
    const { url, token } = this.opts.admin!;
    const deadline = Date.now() + this.opts.timeoutMs;
    for (;;) {
      const res = await request(`${url.replace(/\/$/, '')}/why/${encodeURIComponent(requestId)}`, {
        headers: { authorization: `Bearer ${token}` },
        dispatcher: this.agent,
      });
      const text = await res.body.text();
      if (res.statusCode === 200) {
        const entry = JSON.parse(text) as { decision?: { code?: string; rule?: { id?: string } } };
        const d = entry.decision ?? {};
        return `code ${d.code ?? '(none)'}, rule ${d.rule?.id ?? '(none)'}`;
      }
      if (res.statusCode !== 404 || Date.now() > deadline) {
        throw new Error(`the admin API answered ${res.statusCode} for /why/${requestId}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
