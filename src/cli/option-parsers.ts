import { InvalidArgumentError } from 'commander';

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "10m", "2h", "1d", "30s" ago, or an ISO time; returns epoch ms. */
export function parseSince(value: string, now = Date.now()): number {
  const rel = /^(\d+)([smhd])$/.exec(value.trim());
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2]];
  const at = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(at)) throw new InvalidArgumentError('expected a duration like 30s, 10m, 2h, 1d or an ISO time like 2025-01-31T12:00:00Z');
  return at;
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535');
  return n;
}

export function parseStatus(value: string): number {
  const n = Number(value);
  if (!/^\d{3}$/.test(value) || n < 100) throw new InvalidArgumentError('expected an HTTP status like 404');
  return n;
}

export function parseOutcome(value: string): 'allow' | 'deny' | 'error' {
  if (value === 'allow' || value === 'deny' || value === 'error') return value;
  throw new InvalidArgumentError('expected allow, deny or error');
}
