import type { CodeSpec } from '../../decision/code-spec.ts';

/** Decision codes of the cors layer (see src/decision/codes.ts for the whole table). */
export const CORS_CODES = {} as const satisfies Record<string, CodeSpec>;
