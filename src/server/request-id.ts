import { randomFillSync } from 'node:crypto';

// Random bytes are drawn 4 KiB at a time: one system call per ~400 ids instead of one each.
const POOL = Buffer.alloc(4096);
let offset = POOL.length;

/**
 * Ours and unguessable: 80 random bits, after 48 bits of the time in milliseconds. The time
 * prefix keeps ids in order, so the call log's index on them grows at its end instead of
 * touching a random page per insert.
 */
export function newRequestId(): string {
  if (offset + 10 > POOL.length) {
    randomFillSync(POOL);
    offset = 0;
  }
  const random = POOL.toString('hex', offset, offset + 10);
  offset += 10;
  return 'req_' + Date.now().toString(16).padStart(12, '0') + random;
}

const SAFE_ID = /^[A-Za-z0-9._:\-]{1,128}$/;

/** An incoming X-Request-Id is kept only as a correlation id, and only if it is a plain token. */
export function correlationIdFrom(raw: string | string[] | undefined): string | undefined {
  return typeof raw === 'string' && SAFE_ID.test(raw) ? raw : undefined;
}
