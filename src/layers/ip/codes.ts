import type { CodeSpec } from '../../decision/code-spec.ts';

/**
 * Decision codes of the ip layer (see src/decision/codes.ts for the whole table). Callers are
 * told only that their address is refused (ip.address_refused): which list or entry refused
 * it would tell an attacker where the edges of the lists are. Operators see the precise code,
 * the entry or list, and how the address was derived.
 */
export const IP_CODES = {
  'ip.address_refused': { layer: 'ip', status: 403, title: 'The client address may not call this API', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'ip.address_denied': { layer: 'ip', status: 403, title: 'The client address is on a deny list', retryable: false, denyKind: 'explicit', disclose: 'operator', publicAs: 'ip.address_refused' },
  'ip.address_not_allowed': { layer: 'ip', status: 403, title: 'The client address is not on an allow list', retryable: false, denyKind: 'no_allow', disclose: 'operator', publicAs: 'ip.address_refused' },
} as const satisfies Record<string, CodeSpec>;
