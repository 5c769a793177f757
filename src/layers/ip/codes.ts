import type { CodeSpec } from '../../decision/code-spec.ts';

/** Decision codes of the ip layer (see src/decision/codes.ts for the whole table). */
export const IP_CODES = {} as const satisfies Record<string, CodeSpec>;
