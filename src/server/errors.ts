/**
 * Operational errors of the gateway itself: a bug or a failed dependency inside a layer,
 * not a rule. The gateway answers fail-closed with a problem response and logs the cause.
 */
export const GATEWAY_ERRORS = {
  'gateway.internal': { status: 500, title: 'The gateway failed to decide on this request', retryable: false },
} as const;

export type GatewayErrorCode = keyof typeof GATEWAY_ERRORS;
