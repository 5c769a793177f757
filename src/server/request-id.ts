import { randomUUID } from 'node:crypto';

/** Ours, unguessable (122 random bits). randomUUID draws from a cached entropy pool: cheap per request. */
export function newRequestId(): string {
  return 'req_' + randomUUID().replaceAll('-', '');
}

const SAFE_ID = /^[A-Za-z0-9._:\-]{1,128}$/;

/** An incoming X-Request-Id is kept only as a correlation id, and only if it is a plain token. */
export function correlationIdFrom(raw: string | string[] | undefined): string | undefined {
  return typeof raw === 'string' && SAFE_ID.test(raw) ? raw : undefined;
}
