import type { Audience, CodeSpec } from './codes.ts';

const RANK: Record<Audience, number> = { anyone: 0, caller: 1, operator: 2 };

/** True when `audience` may see what is disclosed from `minimum` up. */
export function maySee(audience: Audience, minimum: Audience): boolean {
  return RANK[audience] >= RANK[minimum];
}

/**
 * The lowest audience of each field a decision can show. The problem body takes the
 * fields the audience may see; rule, evidence, fixes and trace are for operators only
 * and reach them through `pinpoint why` and the admin API, never through a response.
 */
export const FIELD_AUDIENCE = {
  status: 'anyone',
  type: 'anyone',
  title: 'anyone',
  request_id: 'anyone',
  code: 'anyone',
  retryable: 'anyone',
  layer: 'caller',
  hint: 'caller',
  extensions: 'caller',
  rule: 'operator',
  evidence: 'operator',
  fixes: 'operator',
  trace: 'operator',
  detail: 'operator',
} as const satisfies Record<string, Audience>;

export type DisclosedField = keyof typeof FIELD_AUDIENCE;

/** The fields a code may open to a lower audience than the default: its `disclose` level. */
const CODE_OPENS: ReadonlySet<DisclosedField> = new Set(['layer', 'hint', 'extensions']);

/** May `audience` see `field` of a denial with this code? */
export function fieldVisible(field: DisclosedField, audience: Audience, spec: CodeSpec): boolean {
  const minimum = CODE_OPENS.has(field) ? spec.disclose : FIELD_AUDIENCE[field];
  return maySee(audience, minimum);
}
