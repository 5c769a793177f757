import type { CodeSpec } from '../../decision/code-spec.ts';

/** Decision codes of the authz layer (see src/decision/codes.ts for the whole table). */
export const AUTHZ_CODES = {} as const satisfies Record<string, CodeSpec>;
