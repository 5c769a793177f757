import type { CodeSpec } from '../../decision/code-spec.ts';

/** Decision codes of the csrf layer (see src/decision/codes.ts for the whole table). */
export const CSRF_CODES = {} as const satisfies Record<string, CodeSpec>;
