import type { CodeSpec } from '../../decision/code-spec.ts';

/** Decision codes of the method layer (see src/decision/codes.ts for the whole table). */
export const METHOD_CODES = {  'method.not_allowed': {
    layer: 'method',
    status: 405,
    title: 'The route does not allow this method',
    retryable: false,
    denyKind: 'no_allow',
    disclose: 'anyone',
  },
} as const satisfies Record<string, CodeSpec>;
