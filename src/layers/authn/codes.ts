import type { CodeSpec } from '../../decision/code-spec.ts';

/** Decision codes of the authn layer (see src/decision/codes.ts for the whole table). */
// authn: who is calling. 401 (with a WWW-Authenticate challenge) while the caller is not
  // authenticated; 403 once it is known but may not proceed. The caller presented the
  // credential, so telling it that its own key expired or has a typo helps it and nobody else;
  // "unknown" and "revoked" are told apart to operators only (publicAs).
export const AUTHN_CODES = {
  'authn.credential_missing': { layer: 'authn', status: 401, title: 'Authentication is required', retryable: false, denyKind: 'missing_context', disclose: 'anyone' },
  'authn.credential_malformed': { layer: 'authn', status: 401, title: 'The credential is malformed', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'authn.key_checksum_invalid': { layer: 'authn', status: 401, title: 'The API key is mistyped', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'authn.key_invalid': { layer: 'authn', status: 401, title: 'The API key is not valid', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'authn.key_unknown': { layer: 'authn', status: 401, title: 'The API key is unknown', retryable: false, denyKind: 'explicit', disclose: 'anyone', publicAs: 'authn.key_invalid' },
  'authn.key_revoked': { layer: 'authn', status: 401, title: 'The API key was revoked', retryable: false, denyKind: 'explicit', disclose: 'anyone', publicAs: 'authn.key_invalid' },
  'authn.key_expired': { layer: 'authn', status: 401, title: 'The API key has expired', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'authn.key_in_query_not_allowed': { layer: 'authn', status: 401, title: 'API keys are not accepted in the URL here', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'authn.password_invalid': { layer: 'authn', status: 401, title: 'The user name or password is not valid', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'authn.session_invalid': { layer: 'authn', status: 401, title: 'The session cookie is not valid', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'authn.session_expired': { layer: 'authn', status: 401, title: 'The session has expired', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'authn.token_malformed': { layer: 'authn', status: 401, title: 'The token is malformed', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'authn.token_signature_invalid': { layer: 'authn', status: 401, title: 'The token signature is not valid', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'authn.token_algorithm_not_allowed': { layer: 'authn', status: 401, title: 'The token is signed with an algorithm that is not accepted', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'authn.token_expired': { layer: 'authn', status: 401, title: 'The token has expired', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'authn.token_not_yet_valid': { layer: 'authn', status: 401, title: 'The token is not valid yet', retryable: true, denyKind: 'explicit', disclose: 'anyone' },
  'authn.token_issuer_invalid': { layer: 'authn', status: 401, title: 'The token comes from an issuer that is not accepted', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'authn.token_audience_invalid': { layer: 'authn', status: 401, title: 'The token is not meant for this API', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'authn.token_inactive': { layer: 'authn', status: 401, title: 'The token is not active', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'authn.issuer_unavailable': { layer: 'authn', status: 503, title: 'The token could not be checked', retryable: true, denyKind: 'dependency_failed', disclose: 'anyone' },
  'authn.consumer_suspended': { layer: 'authn', status: 403, title: 'The consumer is suspended', retryable: false, denyKind: 'explicit', disclose: 'caller' },
  'authn.tenant_suspended': { layer: 'authn', status: 403, title: 'The tenant is suspended', retryable: false, denyKind: 'explicit', disclose: 'caller' },
} as const satisfies Record<string, CodeSpec>;
