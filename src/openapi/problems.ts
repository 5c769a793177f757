import { DECISION_CODES } from '../decision/codes.ts';

/** Where every code is documented; the problem's `type` is gateway.errorTypeBase + the code. */
export const ERRORS_DOC = 'docs/errors.md';

export const PROBLEM = 'application/problem+json';

const ref = (kind: 'schemas' | 'responses' | 'headers', name: string) => ({ $ref: `#/components/${kind}/${name}` });
export const schemaRef = (name: string) => ref('schemas', name);
export const responseRef = (name: string) => ref('responses', name);
export const headerRef = (name: string) => ref('headers', name);
/** The header every response of the gateway carries, as a response's headers member. */
export const requestIdHeader = () => ({ 'X-Request-Id': headerRef('XRequestId') });

/**
 * How a route's refusals are written: RFC 9457 problems (ordinary routes; template routes,
 * which may also give ai.* codes), or the error envelope of the AI API a route speaks, which
 * the clients' SDKs turn into their typed errors.
 */
export type Flavor = 'rest' | 'template' | 'openai' | 'anthropic';

/** The statuses the gateway refuses or fails with: each one's component name and what it means. */
export const STATUSES: Record<number, { name: string; what: string }> = {
  400: { name: 'BadRequest', what: 'The request cannot be read or served as sent' },
  401: { name: 'Unauthorized', what: 'No valid credential' },
  403: { name: 'Forbidden', what: 'Refused' },
  404: { name: 'NotFound', what: 'Not found' },
  405: { name: 'MethodNotAllowed', what: 'The route does not allow this method' },
  413: { name: 'PayloadTooLarge', what: 'The request body is too large' },
  415: { name: 'UnsupportedMediaType', what: 'The route does not accept this content type' },
  422: { name: 'UnprocessableContent', what: 'The template variables are missing or invalid; errors lists every failing field' },
  429: { name: 'TooManyRequests', what: 'A rate limit, quota or budget is used up; Retry-After says when to try again' },
  502: { name: 'BadGateway', what: 'The upstream or model provider failed, or its answer is unusable' },
  503: { name: 'ServiceUnavailable', what: 'A check depends on a service that cannot be reached' },
  504: { name: 'GatewayTimeout', what: 'The upstream or model provider did not answer in time' },
};

const FLAVOR_PREFIX: Record<Flavor, string> = { rest: '', template: 'Template', openai: 'OpenAi', anthropic: 'Anthropic' };

/** The component name of a refusal response: Forbidden, TemplateForbidden, OpenAiForbidden... */
export function errorResponseName(status: number | 'default', flavor: Flavor): string {
  return FLAVOR_PREFIX[flavor] + (status === 'default' ? 'Default' : STATUSES[status].name);
}

/**
 * The codes callers can see with this status, sorted, for a response's description: not those
 * shown under another code (publicAs), and AI codes (ai.*) only for AI routes.
 */
export function codesWithStatus(status: number, ai: boolean): string[] {
  return Object.entries(DECISION_CODES as Record<string, { status: number; publicAs?: string }>)
    .filter(([code, spec]) => spec.status === status && spec.publicAs === undefined && (ai || !code.startsWith('ai.')))
    .map(([code]) => code)
    .sort();
}

/** The refusal response of this status and flavor (a components.responses entry). */
export function errorResponse(status: number | 'default', flavor: Flavor): Record<string, unknown> {
  const headers: Record<string, unknown> = requestIdHeader();
  if (status === 429) headers['Retry-After'] = headerRef('RetryAfter');
  if (status === 405) headers.Allow = { description: 'The methods the route allows.', schema: { type: 'string' } };
  if (status === 401 && (flavor === 'rest' || flavor === 'template')) headers['WWW-Authenticate'] = { description: 'A challenge for each credential the route accepts.', schema: { type: 'string' } };
  if (flavor === 'anthropic') headers['request-id'] = { description: 'The request id again, where the Anthropic SDK reads it.', schema: { type: 'string' } };
  const ai = flavor !== 'rest';
  const codes = status === 'default' ? [] : codesWithStatus(status, ai);
  const what = status === 'default' ? 'Any other refusal or failure (malformed HTTP, an upstream or provider that fails)' : STATUSES[status].what;
  const list = codes.length ? ` Codes: ${codes.join(', ')}.` : '';
  const envelope = flavor === 'openai' ? ' In the OpenAI error envelope: error.code is the code.' : flavor === 'anthropic' ? ' In the Anthropic error envelope: error.details.error_code is the code.' : '';
  const description = `${what}.${list}${envelope} Each code is documented in ${ERRORS_DOC}.`;
  const schema = flavor === 'openai' ? schemaRef('OpenAiError') : flavor === 'anthropic' ? schemaRef('AnthropicError') : fieldErrorStatus(status) ? schemaRef('FieldErrors') : schemaRef('Problem');
  const type = flavor === 'openai' || flavor === 'anthropic' ? 'application/json' : PROBLEM;
  return { description, headers, content: { [type]: { schema } } };
}

/** 422 always lists its fields; a 400 may (body.schema_invalid), and FieldErrors is a Problem either way. */
function fieldErrorStatus(status: number | 'default'): boolean {
  return status === 422 || status === 400;
}

/** The bodies of refusals: the problem, and the envelopes of the AI APIs. */
export function errorSchemas(typeBase: string): Record<string, unknown> {
  const str = (description: string) => ({ type: 'string', description });
  const problemCode = str(`The stable Pinpoint code, e.g. ai.model_not_allowed (${ERRORS_DOC}).`);
  return {
    Problem: {
      type: 'object',
      description: `An RFC 9457 problem: every refusal and failure of the gateway on a plain route. Each code is documented in ${ERRORS_DOC}.`,
      required: ['type', 'title', 'status', 'detail', 'instance', 'request_id', 'code', 'retryable'],
      properties: {
        type: { type: 'string', format: 'uri', description: `${typeBase} followed by the code.` },
        title: str('The code\'s fixed title.'),
        status: { type: 'integer', description: 'The HTTP status.' },
        detail: str('What to do, or which request id to quote to the API owner.'),
        instance: str('urn:pinpoint:request:<request id>.'),
        request_id: str('The gateway\'s id of this request (also the X-Request-Id header).'),
        code: str(`The stable code, e.g. authn.credential_missing (${ERRORS_DOC}).`),
        retryable: { type: 'boolean', description: 'Whether sending the same request again (possibly after waiting) can succeed.' },
        layer: str('The layer that refused, for audiences allowed to see it.'),
        hint: str('What to change, for audiences allowed to see it.'),
      },
      additionalProperties: true,
    },
    FieldErrors: {
      description: 'A problem; for a body that does not match its schema (body.schema_invalid, ai.template_invalid) it lists every failing field (at most 20).',
      allOf: [
        schemaRef('Problem'),
        {
          type: 'object',
          properties: {
            errors: {
              type: 'array',
              items: {
                type: 'object',
                required: ['pointer', 'message'],
                properties: { pointer: str('RFC 6901 JSON pointer of the field (\'\' is the whole body), e.g. /items/2/name.'), message: str('What is wrong with it.') },
              },
            },
          },
        },
      ],
    },
    OpenAiError: {
      type: 'object',
      description: 'The OpenAI API\'s error envelope (src/ai/dialects/shared/openai-error.ts), which the OpenAI SDKs raise as their typed errors with .code.',
      required: ['error'],
      properties: {
        error: {
          type: 'object',
          required: ['message', 'type', 'code', 'param', 'pinpoint'],
          properties: {
            message: str('What went wrong.'),
            type: str('OpenAI\'s error type for the status (invalid_request_error, authentication_error, permission_error, rate_limit_error...).'),
            code: problemCode,
            param: { type: ['string', 'null'], description: 'The offending input\'s path, when there is one.' },
            pinpoint: { type: 'object', required: ['request_id'], properties: { request_id: str('The gateway\'s id of this request.') }, additionalProperties: true, description: 'The request id and what the caller may see: which budget or limit, used, resets, the fix.' },
          },
        },
      },
    },
    AnthropicError: {
      type: 'object',
      description: 'The Anthropic API\'s error envelope (src/ai/dialects/anthropic-messages/error.ts), which the Anthropic SDKs raise as their typed errors with .errorCode.',
      required: ['type', 'error', 'request_id'],
      properties: {
        type: { const: 'error' },
        error: {
          type: 'object',
          required: ['type', 'message', 'details'],
          properties: {
            type: str('Anthropic\'s error type for the status (invalid_request_error, authentication_error, permission_error, rate_limit_error...).'),
            message: str('What went wrong.'),
            details: { type: 'object', required: ['error_code'], properties: { error_code: problemCode, param: str('The offending input\'s path, when there is one.') }, additionalProperties: true, description: 'The code and what the caller may see: which budget or limit, used, resets, the fix.' },
          },
        },
        request_id: str('The gateway\'s id of this request.'),
      },
    },
  };
}

export function standardHeaders(): Record<string, unknown> {
  return {
    XRequestId: { description: 'The gateway\'s id of this request, on every response: quote it to the API owner (pinpoint why <id>).', schema: { type: 'string' } },
    RetryAfter: { description: 'Seconds to wait before trying again.', schema: { type: 'integer', minimum: 0 } },
  };
}
