/** The shape of one entry of the decision code table (src/decision/codes.ts). */
export type DenyKind = 'explicit' | 'no_allow' | 'threshold' | 'missing_context' | 'dependency_failed';
export type Audience = 'anyone' | 'caller' | 'operator';

export interface CodeSpec {
  layer: string;
  status: number;
  title: string;
  retryable: boolean;
  denyKind: DenyKind;
  disclose: Audience;
  /**
   * The code responses show instead of this one: operators see the precise code in the
   * call log, callers a coarser one that tells an attacker less (e.g. unknown vs revoked key).
   */
  publicAs?: string;
}
