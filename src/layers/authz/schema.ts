/**
 * The authz layer's part of the config schema (src/config/schema.ts spreads these in).
 * routeShape: keys of a route; topShape: top-level keys; consumerShape / tenantShape:
 * keys of a consumer / tenant. Every key is optional or has a default, so configs
 * that do not use this layer stay valid.
 *
 * Permissions are words separated by ':' (`orders:write`). A grant (a role's permission, a
 * credential's scope) may end in `:*` (`orders:*` grants every permission that starts with
 * `orders:`) or be `*` (everything); a requirement is always exact.
 */
import { z } from 'zod';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const WORD = '[A-Za-z0-9_.-]+';
export const PERMISSION = new RegExp(`^${WORD}(:${WORD})*$`);
export const GRANT = new RegExp(`^(\\*|${WORD}(:${WORD})*(:\\*)?)$`);

const Permission = z.string().regex(PERMISSION, 'a permission is words of letters, digits, _ . - separated by ":" (orders:write), without wildcards');
const Grant = z.string().regex(GRANT, 'a granted permission is exact (orders:write), a prefix ending in ":*" (orders:*) or "*" (everything)');

export const Role = z.strictObject({
  permissions: z.array(Grant).default([]).describe('Permissions this role grants: exact (orders:write), every permission under a prefix (orders:*), or everything (*).'),
  actFor: z
    .enum(['self', 'tenant'])
    .default('self')
    .describe('Whose resources a holder may act on where a route checks ownership: self (only its own), tenant (any consumer of its own tenant). No role crosses tenants.'),
  description: z.string().optional().describe('What the role is for (shown to operators).'),
});
export type RoleConfig = z.output<typeof Role>;

/**
 * A reference to a value of the request or the caller:
 * param:<name> (path parameter), header:<name>, query:<name>, body:<JSON pointer>,
 * consumer:<attribute> (consumers.<name>.attributes), consumer (its name), tenant (its name).
 */
export const REFERENCE = /^(param:[A-Za-z0-9_]+|header:[A-Za-z0-9!#$%&'*+.^_`|~-]+|query:[^\s&=#]+|body:(\/[^\s]*)?|consumer:[A-Za-z0-9_.-]+|consumer|tenant)$/;
const Reference = z
  .string()
  .regex(REFERENCE, 'a reference is param:<name>, header:<name>, query:<name>, body:<JSON pointer>, consumer:<attribute>, consumer or tenant');

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;

const TimeWindow = z.strictObject({
  from: z.string().regex(CLOCK, 'a time of day is HH:MM (00:00 to 23:59)').describe('Start of the window, HH:MM (inclusive).'),
  to: z.string().regex(CLOCK, 'a time of day is HH:MM (00:00 to 23:59)').describe('End of the window, HH:MM (exclusive). Earlier than from: the window spans midnight.'),
  zone: z.string().default('UTC').describe('IANA time zone the times are in (Europe/Berlin); default UTC.'),
  days: z.array(z.enum(DAYS)).min(1).optional().describe('Days of the week (in that zone) the window is open; absent: every day.'),
});

const OPERATORS = ['is', 'in', 'notIn', 'equals', 'present', 'time'] as const;

export const Condition = z
  .strictObject({
    id: z.string().regex(NAME).optional().describe('Name of the condition in decisions; default: conditions[<index>].'),
    value: Reference.optional().describe('What is checked (a reference). Needed by every operator but time.'),
    is: z.string().optional().describe('The value equals this text.'),
    in: z.union([z.array(z.string()).min(1), Reference]).optional().describe('The value is one of these texts, or one of the values of a list attribute (consumer:<attribute>).'),
    notIn: z.array(z.string()).min(1).optional().describe('The value is present and none of these texts.'),
    equals: Reference.optional().describe('The value equals another referenced value (param:account equals consumer:account); both must be present.'),
    present: z.boolean().optional().describe('true: the value is present; false: it is absent.'),
    time: TimeWindow.optional().describe('The time of the request is within this window.'),
    hint: z.string().optional().describe('What the caller is told when the condition fails; default: a description without the values compared.'),
  })
  .superRefine((c, ctx) => {
    const ops = OPERATORS.filter((o) => c[o] !== undefined);
    if (ops.length !== 1) {
      ctx.addIssue({ code: 'custom', message: `a condition has exactly one of ${OPERATORS.join(', ')} (found ${ops.length ? ops.join(', ') : 'none'})` });
      return;
    }
    if (ops[0] === 'time' && c.value !== undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: 'a time condition checks the clock: remove value' });
    if (ops[0] !== 'time' && c.value === undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: `operator ${ops[0]} needs value: the reference it checks (param:<name>, body:/field, ...)` });
  });
export type ConditionConfig = z.output<typeof Condition>;

const Except = z
  .strictObject({
    consumers: z.array(z.string()).min(1).optional().describe('These consumers are exempt.'),
    tenants: z.array(z.string()).min(1).optional().describe('Consumers of these tenants are exempt.'),
    roles: z.array(z.string()).min(1).optional().describe('Callers holding any of these roles are exempt (admin during a lock-down).'),
  })
  .refine((e) => e.consumers !== undefined || e.tenants !== undefined || e.roles !== undefined, 'except names at least one of consumers, tenants, roles');

/** What every deny rule matches on; a rule refuses when all of its matchers match and except does not. */
const denyMatchers = {
  id: z.string().regex(NAME, 'a rule id is letters, digits, _ . -').describe('Name of the rule, shown in decisions.'),
  reason: z.string().optional().describe('Why the rule exists (operator view only).'),
  consumers: z.array(z.string()).min(1).optional().describe('Matches these consumers only.'),
  tenants: z.array(z.string()).min(1).optional().describe('Matches consumers of these tenants only.'),
  roles: z.array(z.string()).min(1).optional().describe('Matches callers holding any of these roles only.'),
  methods: z.array(z.string().regex(/^[A-Z-]+$/)).min(1).optional().describe('Matches these methods only.'),
  when: z.array(Condition).min(1).optional().describe('Matches only when every condition holds.'),
  except: Except.optional().describe('Callers the rule never refuses, even when everything else matches.'),
};

const DenyRule = z.strictObject(denyMatchers);

/** A route id, or a glob of route ids where * stands for any run of characters (orders-*). */
const RouteSelector = z
  .string()
  .regex(/^[A-Za-z0-9_.*-]+$/, 'a route selector is a route id, or a glob of ids with * (orders-*)')
  .describe('A route id, or a glob of route ids (* for any characters).');

const routesKey = {
  routes: z
    .array(RouteSelector)
    .min(1)
    .optional()
    .describe('Routes the rule covers, by id or glob of ids (orders-*); absent: every route with authn. Each entry must name at least one route with authn.'),
};

const GatewayDenyRule = z.strictObject({ ...denyMatchers, ...routesKey });
const { tenants: _tenants, ...tenantMatchers } = denyMatchers;
const TenantDenyRule = z.strictObject({ ...tenantMatchers, ...routesKey });
export type DenyRuleConfig = z.output<typeof DenyRule>;
export type GatewayDenyRuleConfig = z.output<typeof GatewayDenyRule>;
export type TenantDenyRuleConfig = z.output<typeof TenantDenyRule>;

const Lookup = z.strictObject({
  service: z.string().describe('Service (under services:) asked for the owner.'),
  path: z
    .string()
    .regex(/^\/[^?#\s]*$/)
    .describe('Path of the GET that answers the owner, with {param} standing for a path parameter of the route: /orders/{id}/owner.'),
  field: z.string().regex(/^(\/[^\s]*)?$/).default('/owner').describe('JSON pointer of the owner in the answer.'),
  cacheTtlS: z.number().int().min(0).max(86400).default(30).describe('How long a found owner is reused.'),
  notFoundTtlS: z.number().int().min(0).max(86400).default(5).describe('How long a "no such resource" answer (404, 410) is reused.'),
  timeoutMs: z.number().int().positive().max(60000).default(2000).describe('Time allowed for the answer; beyond it the request is refused with 503 authz.owner_unavailable.'),
});
export type LookupConfig = z.output<typeof Lookup>;

const StoreOwner = z.strictObject({
  resource: z.string().regex(NAME, 'a resource name is letters, digits, _ . -').describe('Kind of resource, as recorded (owner.record.resource on its create route): orders.'),
  param: z.string().regex(/^[A-Za-z0-9_]+$/).describe('Path parameter that holds the resource id (/orders/:id: id).'),
  cacheTtlS: z.number().int().min(0).max(3600).default(30).describe('How long a found owner is reused from memory. Changes made through this gateway (its records, the admin API) apply at once; the CLI\'s within this time.'),
  notFoundTtlS: z.number().int().min(0).max(3600).default(2).describe('How long "no record" is reused from memory.'),
  release: z
    .array(z.string().regex(/^[A-Z-]+$/))
    .default([])
    .describe('Methods whose 2xx answer deletes the resource itself (DELETE): its record is then removed, so its id can be created again by anyone. Not for a route whose DELETE removes something inside the resource (an item of an order).'),
});
export type StoreOwnerConfig = z.output<typeof StoreOwner>;

const RecordOwner = z.strictObject({
  resource: z.string().regex(NAME, 'a resource name is letters, digits, _ . -').describe('Kind of resource created here: orders.'),
  id: z
    .string()
    .regex(/^(body:\/[^\s]*|location)$/, 'id is body:<JSON pointer> (in the 2xx answer) or location (the last segment of its Location header)')
    .describe('Where the new resource\'s id is in the upstream\'s 2xx answer: body:<JSON pointer> (body:/id) or location (the last path segment of the Location header).'),
  methods: z.array(z.string().regex(/^[A-Z-]+$/)).min(1).default(['POST']).describe('Methods whose 2xx answers create a resource here.'),
});
export type RecordOwnerConfig = z.output<typeof RecordOwner>;

const Owner = z
  .strictObject({
    param: z.string().regex(/^[A-Za-z0-9_]+$/).optional().describe('Path parameter that names the owner (/users/:user/orders: user).'),
    query: z.string().min(1).optional().describe('Query parameter that names the owner (refused when sent more than once).'),
    body: z.string().regex(/^\/[^\s]*$/).optional().describe('JSON pointer of the owner in a JSON body (/owner); refused when a key on its way appears twice.'),
    lookup: Lookup.optional().describe('Ask the upstream who owns the resource (GET, cached).'),
    store: StoreOwner.optional().describe('Read the owner from the gateway\'s ownership records (recorded by owner.record on the create route, or set by operators; cached). A resource without a record is refused as someone else\'s.'),
    record: RecordOwner.optional().describe('On a create route: after the upstream answers 2xx, record the caller (and its tenant) as the owner of the new resource. Recorded after the answer is relayed; a failure is logged, never the client\'s problem.'),
    is: z.enum(['consumer', 'tenant']).default('consumer').describe('What the owner names: the consumer or its tenant. It must be the caller\'s (or, for consumer, one its role may act for).'),
  })
  .superRefine((o, ctx) => {
    if (o.param === undefined && o.query === undefined && o.body === undefined && o.lookup === undefined && o.store === undefined && o.record === undefined) {
      ctx.addIssue({ code: 'custom', message: 'an owner check needs at least one of param, query, body, lookup, store (or record, on a create route)' });
    }
    if (o.lookup !== undefined && o.store !== undefined) ctx.addIssue({ code: 'custom', path: ['store'], message: 'the owner comes from the upstream (lookup) or from the gateway\'s records (store), not both' });
  });
export type OwnerConfig = z.output<typeof Owner>;

const Requirements = z.union([
  z.array(Permission),
  z.record(z.string().regex(/^([A-Z-]+|\*)$/, 'a key is a method (GET, POST) or *'), z.array(Permission)),
]);

export const routeShape = {
  authz: z
    .strictObject({
      require: Requirements.optional().describe(
        'Permissions the request needs: a list for every method, or a map method → list (with * for the others). The consumer\'s roles must grant each one, and so must the credential\'s scopes when it carries scopes (API keys, tokens).',
      ),
      roles: z.array(z.string()).min(1).optional().describe('The caller must hold one of these roles.'),
      tenants: z.array(z.string()).min(1).optional().describe('Only consumers of these tenants may use the route.'),
      conditions: z.array(Condition).default([]).describe('Conditions on the request and the caller, all of which must hold.'),
      owner: Owner.optional().describe('Who owns the resource the request acts on (BOLA protection): it must be the caller.'),
      deny: z.array(DenyRule).default([]).describe('Explicit deny rules: a matching rule refuses the request whatever else allows it.'),
    })
    .optional()
    .describe('Authorization: what an authenticated caller may do on this route. Needs authn on the same route.'),
};

export const topShape = {
  authz: z
    .strictObject({
      deny: z
        .array(GatewayDenyRule)
        .default([])
        .describe('Gateway-wide deny rules (lock-downs): each covers the routes it names (every route with authn when absent) and refuses a matching request whatever else allows it. Checked before tenants\' and routes\' deny rules.'),
    })
    .prefault({})
    .describe('Authorization rules of the whole gateway.'),
  roles: z.record(z.string().regex(NAME), Role).default({}).describe('Roles by name: what each grants. Consumers get roles under consumers.<name>.roles (and tokens through the issuer\'s rolesClaim).'),
};

export const consumerShape = {
  attributes: z
    .record(z.string().regex(NAME), z.union([z.string(), z.array(z.string())]))
    .default({})
    .describe('Attributes of the consumer (text or list of texts) that route conditions compare (consumer:<attribute>).'),
};

export const tenantShape = {
  roles: z.record(z.string().regex(NAME), Role).optional().describe('Roles of this tenant, replacing the top-level roles of the same name for its consumers.'),
  routes: z.array(z.string()).min(1).optional().describe('When set, this tenant\'s consumers may use only these routes (by id) among those with authz.'),
  deny: z
    .array(TenantDenyRule)
    .optional()
    .describe('Deny rules for this tenant\'s consumers (a lock-down of one tenant): as authz.deny, on the routes each names (every route with authn when absent). Checked after the gateway\'s, before the route\'s.'),
};
