import type { CodeSpec } from '../../decision/code-spec.ts';

/** Decision codes of the body layer (see src/decision/codes.ts for the whole table). */
export const BODY_CODES = {
  'body.too_large': { layer: 'body', status: 413, title: 'The request body is too large', retryable: false, denyKind: 'threshold', disclose: 'anyone' },
  'body.incomplete': { layer: 'body', status: 400, title: 'The request body ended early', retryable: true, denyKind: 'explicit', disclose: 'anyone' },
} as const satisfies Record<string, CodeSpec>;
