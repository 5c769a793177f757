import type { CodeSpec } from '../../decision/code-spec.ts';

/** Decision codes of the route layer (see src/decision/codes.ts for the whole table). */
export const ROUTE_CODES = {  'route.not_found': {
    layer: 'route',
    status: 404,
    title: 'No route matches this request',
    retryable: false,
    denyKind: 'no_allow',
    disclose: 'anyone',
  },
} as const satisfies Record<string, CodeSpec>;
