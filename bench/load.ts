// The load: the same POST, keep-alive, from this process, with autocannon.
// Latency percentiles are computed here from every response time (autocannon's own
// histogram keeps whole milliseconds, too coarse at these latencies).
import autocannon from 'autocannon';
import { METHOD, PATH, REQUEST_BODY, REQUEST_HEADERS, UPSTREAM_RESPONSE } from './workload.ts';

export interface LoadSettings {
  duration: number;
  connections: number;
  pipelining: number;
}

export interface Measurement {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  requests: number;
  /** Connection errors, resets and timeouts (autocannon counts a timeout as an error). */
  errors: number;
  non2xx: number;
  seconds: number;
  /** CPU spent during the measured run (Linux only). */
  cpu?: CpuUse;
}

export interface CpuUse {
  /** The target's process (all threads, and nginx's worker): average cores busy. */
  targetCores: number;
  /** The target's CPU time per request, in microseconds. */
  targetUsPerReq: number;
  /** The same, for the target's main thread only (node targets: the event loop; the rest is worker and GC threads). */
  mainThreadUsPerReq?: number;
  /** The upstream's CPU time per request (the same work for every target). */
  upstreamUsPerReq: number;
  /** This process, the load generator: average cores busy. */
  loadGeneratorCores: number;
  /** Cores kept busy by everything else on the machine (other programs): noise when well above 0. */
  otherCores?: number;
}

/**
 * Fails loudly unless the target answers the bench request with 200 and the upstream's
 * exact body: a target that refuses or rewrites the request must not produce numbers.
 */
export async function preflight(name: string, baseUrl: string, mustHaveHeader?: string, extraHeaders: Record<string, string> = {}, body: string = REQUEST_BODY): Promise<void> {
  const url = baseUrl + PATH;
  let res: Response;
  try {
    res = await fetch(url, { method: METHOD, headers: { ...REQUEST_HEADERS, ...extraHeaders }, body, signal: AbortSignal.timeout(5000) });
  } catch (err) {
    const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (err as Error).message;
    throw new Error(`${name}: ${METHOD} ${url} failed: ${why}`, { cause: err });
  }
  const text = await res.text();
  if (res.status !== 200 || text !== UPSTREAM_RESPONSE) {
    throw new Error(`${name}: ${METHOD} ${url} answered ${res.status} ${JSON.stringify(text.slice(0, 500))}; expected 200 ${UPSTREAM_RESPONSE}`);
  }
  if (mustHaveHeader && !res.headers.has(mustHaveHeader)) {
    throw new Error(`${name}: the answer has no ${mustHaveHeader} header, so it did not come through the gateway`);
  }
}

/** `extraHeaders`: the target's credential, the same on every request; `body`: the target's request body (default: the workload's). */
export async function runLoad(baseUrl: string, s: LoadSettings, measure = true, extraHeaders: Record<string, string> = {}, body: string = REQUEST_BODY): Promise<Measurement> {
  const times = new Latencies();
  const instance = autocannon({
    url: baseUrl + PATH,
    method: METHOD,
    headers: { ...REQUEST_HEADERS, ...extraHeaders },
    body,
    connections: s.connections,
    pipelining: s.pipelining,
    duration: s.duration,
    timeout: 10,
  });
  if (measure) instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => times.add(ms));
  const r = await instance;
  const requests = r['2xx'] + r.non2xx;
  return {
    requestsPerSec: requests / r.duration,
    p50Ms: times.percentile(50),
    p99Ms: times.percentile(99),
    meanMs: times.mean(),
    requests,
    errors: r.errors,
    non2xx: r.non2xx,
    seconds: r.duration,
  };
}

/** Every response time of one run, in milliseconds. */
class Latencies {
  private values = new Float64Array(1 << 16);
  private n = 0;

  add(ms: number): void {
    if (this.n === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.n++] = ms;
  }

  percentile(p: number): number {
    if (this.n === 0) return NaN;
    const sorted = this.values.subarray(0, this.n).sort();
    return sorted[Math.min(this.n - 1, Math.ceil((p / 100) * this.n) - 1)];
  }

  mean(): number {
    let sum = 0;
    for (let i = 0; i < this.n; i++) sum += this.values[i];
    return this.n ? sum / this.n : NaN;
  }
}
