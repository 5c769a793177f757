/** What the endpoint said: its JSON answer, or why there is none (the token was not judged). */
export type Answer = { ok: true; body: Record<string, unknown> } | { ok: false; reason: string };

/** An introspection answer is a handful of members; anything much larger is not one. */
const MAX_ANSWER_BYTES = 64 * 1024;

// The HTTP client is loaded at the first call, not with this module: validating a config (the
// CLI) compiles this layer and has no use for it.
let undici: Promise<typeof import('undici')> | undefined;

export interface EndpointClient {
  endpoint: string;
  /** `Basic ...`: client_secret_basic (RFC 6749 §2.3.1). */
  authorization: string;
  timeoutMs: number;
}

/** client_secret_basic encodes id and secret as form values before joining them (RFC 6749 §2.3.1). */
export function basicAuthorization(clientId: string, secret: string): string {
  const form = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return 'Basic ' + Buffer.from(`${form(clientId)}:${form(secret)}`).toString('base64');
}

/**
 * POSTs the token to the RFC 7662 endpoint. Any failure (refused connection, timeout, a status
 * other than 200, an answer that is not a JSON object with a boolean `active`) is an answer
 * with a reason; the caller fails closed on it.
 */
export async function introspect(c: EndpointClient, token: string): Promise<Answer> {
  try {
    const { request } = await (undici ??= import('undici'));
    const res = await request(c.endpoint, {
      method: 'POST',
      headers: {
        authorization: c.authorization,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
      headersTimeout: c.timeoutMs,
      bodyTimeout: c.timeoutMs,
      signal: AbortSignal.timeout(c.timeoutMs),
    });
    if (res.statusCode !== 200) {
      await res.body.dump();
      const why = res.statusCode === 401 || res.statusCode === 403 ? ' (the gateway\'s client credentials were refused)' : '';
      return { ok: false, reason: `the endpoint answered ${res.statusCode}${why}` };
    }
    let size = 0;
    const chunks: Buffer[] = [];
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_ANSWER_BYTES) {
        res.body.destroy();
        return { ok: false, reason: `the answer exceeds ${MAX_ANSWER_BYTES} bytes` };
      }
      chunks.push(chunk as Buffer);
    }
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (typeof body !== 'object' || body === null || Array.isArray(body) || typeof (body as { active?: unknown }).active !== 'boolean') {
      return { ok: false, reason: 'the answer is not a JSON object with a boolean active member' };
    }
    return { ok: true, body: body as Record<string, unknown> };
  } catch (err) {
    return { ok: false, reason: failure(err, c.timeoutMs) };
  }
}

function failure(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; code?: string; message?: string };
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT') {
    return `no answer within ${timeoutMs} ms`;
  }
  if (err instanceof SyntaxError) return 'the answer is not JSON';
  return `the call failed: ${e.code ?? e.name ?? 'error'}${e.message ? ` (${e.message})` : ''}`;
}
