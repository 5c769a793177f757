// How the CLI talks to a running gateway's admin API (--admin URL): the token from
// $PINPOINT_ADMIN_TOKEN, and one wording for an unreachable or refusing API.
import { CliError } from './errors.ts';

export interface AdminAnswer {
  status: number;
  ok: boolean;
  text: string;
  /** The admin API's origin, for messages. */
  origin: string;
}

/** GET (or POST `json`) `path` of the admin API at `base`; a refused token is a CliError, other statuses are the caller's. */
export async function callAdmin(base: string, path: string, init: { query?: URLSearchParams; json?: unknown } = {}): Promise<AdminAnswer> {
  const url = new URL(path, base.endsWith('/') ? base : base + '/');
  if (init.query) url.search = init.query.toString();
  const token = process.env.PINPOINT_ADMIN_TOKEN;
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  let res: Response;
  try {
    res =
      init.json === undefined
        ? await fetch(url, { headers: { accept: 'application/json', ...auth } })
        : await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', ...auth }, body: JSON.stringify(init.json) });
  } catch (err) {
    throw new CliError(`Cannot reach the admin API at ${url.origin}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`);
  }
  const text = await res.text();
  if (res.status === 401 || res.status === 403) {
    throw new CliError(`The admin API refused the request (${res.status})${token ? '' : '; set PINPOINT_ADMIN_TOKEN to its token'}.`);
  }
  return { status: res.status, ok: res.ok, text, origin: url.origin };
}
