import type { CodeSpec } from '../../decision/code-spec.ts';

/** Decision codes of the limits layer (see src/decision/codes.ts for the whole table). */
export const LIMITS_CODES = {} as const satisfies Record<string, CodeSpec>;
