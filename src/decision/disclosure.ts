import type { Audience } from './codes.ts';

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
