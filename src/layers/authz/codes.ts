import type { CodeSpec } from '../../decision/code-spec.ts';

/** Decision codes of the authz layer (see src/decision/codes.ts for the whole table). */
// authz: the caller is known (authn passed) but may not do this. 403 for every refusal of a
// rule, told to the caller (it is its own request and account); what a caller is shown about
// a resource never depends on whether the resource exists or whose it is beyond "not yours".
// owner_unavailable (the ownership lookup failed) is the one 503: nobody's rule refused.
export const AUTHZ_CODES = {
  'authz.explicit_deny': { layer: 'authz', status: 403, title: 'The request is blocked by a deny rule', retryable: false, denyKind: 'explicit', disclose: 'caller' },
  'authz.tenant_not_allowed': { layer: 'authz', status: 403, title: 'The route is not open to the caller\'s tenant', retryable: false, denyKind: 'no_allow', disclose: 'caller' },
  'authz.role_missing': { layer: 'authz', status: 403, title: 'The caller does not hold a role the route requires', retryable: false, denyKind: 'no_allow', disclose: 'caller' },
  'authz.permission_missing': { layer: 'authz', status: 403, title: 'No role of the caller grants a required permission', retryable: false, denyKind: 'no_allow', disclose: 'caller' },
  'authz.scope_missing': { layer: 'authz', status: 403, title: 'The credential lacks a required scope', retryable: false, denyKind: 'no_allow', disclose: 'caller' },
  'authz.condition_failed': { layer: 'authz', status: 403, title: 'A condition of the route does not hold', retryable: false, denyKind: 'explicit', disclose: 'caller' },
  'authz.owner_unclear': { layer: 'authz', status: 403, title: 'The owner of the resource cannot be read unambiguously from the request', retryable: false, denyKind: 'explicit', disclose: 'caller' },
  'authz.not_owner': { layer: 'authz', status: 403, title: 'The resource is not the caller\'s', retryable: false, denyKind: 'explicit', disclose: 'caller' },
  'authz.other_tenant': { layer: 'authz', status: 403, title: 'The resource is not in the caller\'s tenant', retryable: false, denyKind: 'explicit', disclose: 'caller' },
  'authz.owner_unavailable': { layer: 'authz', status: 503, title: 'The owner of the resource could not be checked', retryable: true, denyKind: 'dependency_failed', disclose: 'caller' },
} as const satisfies Record<string, CodeSpec>;
