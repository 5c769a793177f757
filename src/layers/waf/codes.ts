import type { CodeSpec } from '../../decision/code-spec.ts';

/** Decision codes of the waf layer (see src/decision/codes.ts for the whole table). */
export const WAF_CODES = {} as const satisfies Record<string, CodeSpec>;
