import type { Config } from '../../config/schema.ts';
import type { Denial, Evidence, Fix } from '../../decision/types.ts';
import type { EvalContext, Layer, LayerResult, RequestDescription } from '../../pipeline/types.ts';
import { SKIP } from '../../pipeline/types.ts';
import { firstMatch, parseAddress, parseRange, type Address, type Range } from './address.ts';

export { compileClientAddress, type DeriveClientAddress } from './client-address.ts';

/** What the ip layer needs from outside the config (clients, stores), injected by the runtime. */
export type IpDeps = Record<string, never>;

/** One owner's lists (the gateway's, a route's, a tenant's, a consumer's), compiled. */
interface Lists {
  /** Config path of the lists, e.g. "routes[2].ip", for rule ids. */
  at: string;
  allow?: Range[];
  deny: Range[];
}

type ListsConfig = { allow?: string[]; deny: string[] } | undefined;

function compileLists(at: string, c: ListsConfig): Lists | undefined {
  if (!c || (c.allow === undefined && c.deny.length === 0)) return undefined;
  // The schema admitted only entries that parse.
  const parse = (list: string[]) => list.map((e) => parseRange(e)!);
  return { at, allow: c.allow && parse(c.allow), deny: parse(c.deny) };
}

/**
 * The client address rules that need no identity: the gateway's lists and the matched route's.
 * They run right after the method layer, before the body is read or a credential is checked,
 * so a refused address costs the gateway almost nothing. Undefined when no such list is set.
 */
export function ipLayer(config: Config, _deps: IpDeps = {}): Layer | undefined {
  const gateway = compileLists('ip', config.ip);
  const byRoute = new Map<string, Lists[]>();
  config.routes.forEach((r, i) => {
    const own = compileLists(`routes[${i}].ip`, r.ip);
    if (own) byRoute.set(r.id, gateway ? [gateway, own] : [own]);
  });
  if (!gateway && byRoute.size === 0) return undefined;
  const gatewayOnly = gateway ? [gateway] : [];
  return {
    name: 'ip',
    evaluate(ctx: EvalContext): LayerResult {
      const lists = (ctx.route && byRoute.get(ctx.route.id)) || gatewayOnly;
      return lists.length === 0 ? undefined : check(ctx.req, lists, config);
    },
  };
}

/**
 * The tenant's and the consumer's lists, which need to know who calls: a second instance of
 * the layer, placed right after authn (see src/pipeline/order.ts). Running all the lists after
 * authn instead would let a refused network make the gateway read bodies and check keys,
 * tokens or passwords first (scrypt, introspection calls); splitting keeps the cheap, identity-free
 * refusals first and still applies the identity's lists as soon as the identity is known.
 */
export function ipIdentityLayer(config: Config): Layer | undefined {
  const tenants = new Map<string, Lists>();
  const consumers = new Map<string, Lists>();
  for (const [name, t] of Object.entries(config.tenants)) {
    const l = compileLists(`tenants.${name}.ip`, t.ip);
    if (l) tenants.set(name, l);
  }
  for (const [name, c] of Object.entries(config.consumers)) {
    const l = compileLists(`consumers.${name}.ip`, c.ip);
    if (l) consumers.set(name, l);
  }
  if (tenants.size === 0 && consumers.size === 0) return undefined;
  return {
    name: 'ip.identity',
    evaluate(ctx: EvalContext): LayerResult {
      const id = ctx.identity;
      if (!id) return SKIP;
      const lists: Lists[] = [];
      const t = id.tenant === undefined ? undefined : tenants.get(id.tenant);
      if (t) lists.push(t);
      const c = consumers.get(id.consumer);
      if (c) lists.push(c);
      return lists.length === 0 ? undefined : check(ctx.req, lists, config);
    },
  };
}

/** Deny wins: every deny list is checked before any allow list; then every allow list must admit. */
function check(req: RequestDescription, lists: Lists[], config: Config): Denial | undefined {
  const addr = parseAddress(req.clientIp);
  if (addr !== undefined) {
    for (const l of lists) {
      const hit = firstMatch(addr, l.deny);
      if (hit) return denied(req, l, hit, config);
    }
  }
  for (const l of lists) {
    if (l.allow && (addr === undefined || !firstMatch(addr, l.allow))) return notAllowed(req, addr, l, config);
  }
  return undefined;
}

const HINT = 'Requests from your network address are not accepted here. If this is unexpected, quote the request id to the API owner.';

function denied(req: RequestDescription, l: Lists, hit: Range, config: Config): Denial {
  const index = l.deny.indexOf(hit);
  return {
    code: 'ip.address_denied',
    ruleId: `${l.at}.deny[${index}]`,
    ruleName: hit.text,
    detail: `client address ${req.clientIp} is in ${l.at}.deny[${index}] (${hit.text}); derived: ${derivation(req)}`,
    hint: HINT,
    evidence: [{ where: 'ip:client', expected: `not in ${hit.text}`, observed: req.clientIp }, derivationEvidence(req, config)],
    fixes: [
      { who: 'operator', action: `Remove ${hit.text} from ${l.at}.deny if this client should be served.`, proved: false, retryable: false },
      ...proxyFixes(req, config),
    ],
  };
}

function notAllowed(req: RequestDescription, addr: Address | undefined, l: Lists, config: Config): Denial {
  const allowed = l.allow!.map((r) => r.text);
  const shown = allowed.length > 8 ? `${allowed.slice(0, 8).join(', ')}, … (${allowed.length} entries)` : allowed.join(', ');
  const what = addr === undefined ? `client address ${JSON.stringify(req.clientIp)} is not an IP address, so no allow list admits it` : `client address ${req.clientIp} is in no entry of ${l.at}.allow`;
  return {
    code: 'ip.address_not_allowed',
    ruleId: `${l.at}.allow`,
    detail: `${what} (${shown}); derived: ${derivation(req)}`,
    hint: HINT,
    evidence: [{ where: 'ip:client', expected: `in ${l.at}.allow: ${shown}`, observed: req.clientIp || '(none)' }, derivationEvidence(req, config)],
    fixes: [
      { who: 'operator', action: `Add the client's address or network to ${l.at}.allow if it should be served.`, proved: false, retryable: false },
      ...proxyFixes(req, config),
    ],
  };
}

function derivation(req: RequestDescription): string {
  const peer = req.peerIp ?? req.clientIp;
  return req.clientIpVia && req.clientIpVia !== 'peer' ? `${req.clientIpVia} (socket peer ${peer})` : `the socket peer ${peer}`;
}

function derivationEvidence(req: RequestDescription, config: Config): Evidence {
  const trusted = config.ip.trustedProxies;
  return {
    where: 'ip:derived',
    expected: trusted.length ? `client address from ${config.ip.forwardedHeader} behind trusted proxies ${trusted.join(', ')}` : 'the socket peer (no trusted proxies)',
    observed: derivation(req),
  };
}

/**
 * A refusal of a proxy's own address is usually a missing ip.trustedProxies entry: the request
 * carried a forwarding header from a peer that is not trusted, so the header was not read.
 */
function proxyFixes(req: RequestDescription, config: Config): Fix[] {
  const forwarded = req.headers[config.ip.forwardedHeader] !== undefined;
  if (!forwarded || (req.clientIpVia !== undefined && req.clientIpVia !== 'peer')) return [];
  const peer = req.peerIp ?? req.clientIp;
  return [
    {
      who: 'operator',
      action: `The request came from ${peer} with a ${config.ip.forwardedHeader} header that was not read because ${peer} is not in ip.trustedProxies. If ${peer} is your proxy or load balancer, add it there; then the client's own address is used.`,
      proved: false,
      retryable: false,
    },
  ];
}
