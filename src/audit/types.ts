/** One thing `pinpoint audit` found, with how much it matters and what to change. */
export interface Finding {
  severity: 'high' | 'medium' | 'low' | 'info';
  /** A stable name of the check: key.unused, route.no_authn, authz.scope_unexercised, ... */
  check: string;
  /** What it is about: a key label, a route id, a role, a deny rule. */
  subject: string;
  message: string;
  suggestion: string;
}

export const SEVERITY_ORDER: Record<Finding['severity'], number> = { high: 0, medium: 1, low: 2, info: 3 };
