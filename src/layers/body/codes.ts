import type { CodeSpec } from '../../decision/code-spec.ts';

/** Decision codes of the body layer (see src/decision/codes.ts for the whole table). */
export const BODY_CODES = {
  'body.too_large': { layer: 'body', status: 413, title: 'The request body is too large', retryable: false, denyKind: 'threshold', disclose: 'anyone' },
  'body.incomplete': { layer: 'body', status: 400, title: 'The request body ended early', retryable: true, denyKind: 'explicit', disclose: 'anyone' },
  'body.media_type_unsupported': { layer: 'body', status: 415, title: 'The route does not accept this content type', retryable: false, denyKind: 'no_allow', disclose: 'anyone' },
  'body.json_invalid': { layer: 'body', status: 400, title: 'The JSON body is not well-formed', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'body.multipart_invalid': { layer: 'body', status: 400, title: 'The multipart body cannot be read', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'body.schema_invalid': { layer: 'body', status: 400, title: 'The body does not match the schema of the route', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
} as const satisfies Record<string, CodeSpec>;
