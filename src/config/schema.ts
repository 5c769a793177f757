import { z } from 'zod';
import { DEFAULT_LOGIN_PATH } from './login-route.ts';
import * as ipSchema from '../layers/ip/schema.ts';
import * as bodySchema from '../layers/body/schema.ts';
import * as wafSchema from '../layers/waf/schema.ts';
import * as corsSchema from '../layers/cors/schema.ts';
import * as csrfSchema from '../layers/csrf/schema.ts';
import * as authzSchema from '../layers/authz/schema.ts';
import * as limitsSchema from '../layers/limits/schema.ts';
import * as shadowSchema from '../explain/schema.ts';
import * as reportSchema from '../report/schema.ts';
import * as aiSchema from '../ai/schema.ts';
import * as aiLayerSchema from '../layers/ai/schema.ts';

/**
 * The one source of truth for the config file. The TypeScript types, the defaults,
 * the JSON Schema shipped for editors (schema/pinpoint.schema.json) and docs/config.md
 * are all generated from it (src/config/generate.ts).
 *
 * Objects are strict: an unknown key is an error, never silently ignored.
 * `prefault({})` makes zod apply the inner defaults when a whole section is omitted.
 */

const Listen = (port: number) =>
  z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1').describe('Address to bind.'),
      port: z.number().int().min(0).max(65535).default(port).describe('TCP port (0 picks a free one).'),
    })
    .prefault({})
    .describe('Where to listen.');

const Upstream = z.strictObject({
  url: z
    .string()
    .regex(/^https?:\/\/[^/?#\s]+\/?$/, 'an upstream url is scheme://host[:port] with no path, e.g. http://127.0.0.1:9000')
    .describe('Base URL of one upstream server: http(s)://host[:port], with no path.'),
  weight: z.number().int().min(1).max(1000).default(1).describe('Relative share of traffic (weighted round-robin).'),
});

const Service = z.strictObject({
  upstreams: z.array(Upstream).min(1).describe('Servers of this service.'),
  timeouts: z
    .strictObject({
      connectMs: z.number().int().positive().default(2000).describe('Time to open a TCP connection (504 when it runs out).'),
      headersMs: z.number().int().positive().default(30000).describe('Time until the upstream sends its response headers (504).'),
      bodyMs: z.number().int().positive().default(30000).describe('Longest silence while the upstream sends its body.'),
    })
    .prefault({})
    .describe('Time limits of each call to an upstream.'),
  health: z
    .strictObject({
      failures: z.number().int().min(1).default(3).describe('Consecutive failures that eject an upstream.'),
      cooldownMs: z.number().int().positive().default(10000).describe('How long an ejected upstream is left out.'),
    })
    .prefault({})
    .describe('Passive health: upstreams that keep failing are left out for a while.'),
  connections: z.number().int().min(1).default(128).describe('Connection pool size per upstream.'),
  idempotentRetries: z
    .number()
    .int()
    .min(0)
    .max(3)
    .default(1)
    .describe('Retries on another upstream for GET/HEAD/OPTIONS when the connection failed before any byte was sent. POST and other non-idempotent methods are never retried.'),
});

/**
 * The methods Node's HTTP parser accepts, spelled out rather than read from `http.METHODS`:
 * that list changes between Node releases, and the generated schema must not.
 */
const HTTP_METHODS = [
  'ACL', 'BIND', 'CHECKOUT', 'CONNECT', 'COPY', 'DELETE', 'GET', 'HEAD', 'LINK', 'LOCK', 'M-SEARCH', 'MERGE',
  'MKACTIVITY', 'MKCALENDAR', 'MKCOL', 'MOVE', 'NOTIFY', 'OPTIONS', 'PATCH', 'POST', 'PROPFIND', 'PROPPATCH',
  'PURGE', 'PUT', 'QUERY', 'REBIND', 'REPORT', 'SEARCH', 'SOURCE', 'SUBSCRIBE', 'TRACE', 'UNBIND', 'UNLINK',
  'UNLOCK', 'UNSUBSCRIBE',
] as const;

const HttpMethod = z.enum(HTTP_METHODS);

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const Route = z.strictObject({
  id: z.string().regex(NAME, 'a route id is letters, digits, _ . - (starting with a letter or digit)').describe('Stable id, shown in decisions.'),
  service: z.string().optional().describe('Name of the service (under services:) that serves this route. Every route has a service, except the one the gateway serves itself (serve).'),
  serve: z
    .enum(['login', 'ai'])
    .optional()
    .describe('A route the gateway answers itself instead of a service: `login` is the session login route (authn.sessions). The gateway adds it as route pinpoint.login at authn.sessions.loginPath; declare it yourself only to give it settings of its own (limits, ip, cors). `ai` serves model providers (its ai: section says how).'),
  paths: z
    .array(z.string().startsWith('/', 'a path starts with /'))
    .min(1)
    .describe('Path patterns: /orders, /orders/:id, /static/*.'),
  methods: z.array(HttpMethod).min(1).optional().describe('Methods allowed; absent means every method. GET implies HEAD.'),
  hosts: z.array(z.string().min(1)).min(1).optional().describe('Host names this route answers for; absent means any host.'),
  version: z.string().min(1).optional().describe('Only requests whose version header (gateway.versionHeader) equals this value.'),
  stripPrefix: z.string().startsWith('/').optional().describe('Removed from the path before it is sent upstream (for /v2/... versioning).'),
  authn: z
    .array(z.string().regex(/^(apiKey|jwt(:[A-Za-z0-9_.-]+)?|introspection:[A-Za-z0-9_.-]+|basic|session)$/, 'an authn entry is apiKey, jwt, jwt:<issuer>, introspection:<name>, basic or session'))
    .min(1)
    .optional()
    .describe('Credentials this route accepts, in order (apiKey, jwt, jwt:<issuer>, introspection:<name>, basic, session). Absent: the route is public.'),
  apiKeyInQuery: z.boolean().default(false).describe('Accept an API key from the query parameter authn.apiKeys.queryParam on this route (off: keys in URLs end up in logs and browser history).'),
  ...ipSchema.routeShape,
  ...bodySchema.routeShape,
  ...wafSchema.routeShape,
  ...corsSchema.routeShape,
  ...csrfSchema.routeShape,
  ...authzSchema.routeShape,
  ...limitsSchema.routeShape,
  ...aiSchema.routeShape,
});

const Status = z.enum(['active', 'suspended']);

const Tenant = z.strictObject({
  status: Status.default('active').describe('A suspended tenant\'s consumers are refused with 403 authn.tenant_suspended.'),
  reason: z.string().optional().describe('Why the tenant is suspended (operator view only).'),
  ...ipSchema.tenantShape,
  ...bodySchema.tenantShape,
  ...wafSchema.tenantShape,
  ...corsSchema.tenantShape,
  ...csrfSchema.tenantShape,
  ...authzSchema.tenantShape,
  ...limitsSchema.tenantShape,
  ...aiLayerSchema.tenantShape,
});

const Consumer = z.strictObject({
  tenant: z.string().describe('The tenant (under tenants:) this consumer belongs to.'),
  roles: z.array(z.string()).default([]).describe('Roles granted to this consumer.'),
  status: Status.default('active').describe('A suspended consumer is refused with 403 authn.consumer_suspended.'),
  reason: z.string().optional().describe('Why the consumer is suspended (operator view only).'),
  subjects: z
    .array(
      z.union([
        z.string().min(1),
        z.strictObject({
          issuer: z.string().describe('Name of the token source: an issuer under authn.jwt or an endpoint under authn.introspection.'),
          subject: z.string().min(1).describe('The value of that source\'s consumerClaim.'),
        }),
      ]),
    )
    .default([])
    .describe('Token subjects that are this consumer: { issuer, subject } names the token source. A plain string (any source) is accepted only while a single token source is configured, so that one issuer cannot claim another\'s subjects.'),
  ...ipSchema.consumerShape,
  ...bodySchema.consumerShape,
  ...wafSchema.consumerShape,
  ...corsSchema.consumerShape,
  ...csrfSchema.consumerShape,
  ...authzSchema.consumerShape,
  ...limitsSchema.consumerShape,
  ...aiLayerSchema.consumerShape,
});

const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

const JwtIssuer = z.strictObject({
  issuer: z.string().describe('Expected `iss` claim.'),
  jwksUri: z.string().url().describe('Where the issuer publishes its signing keys (JWKS).'),
  audiences: z.array(z.string()).min(1).describe('Accepted `aud` values; a token must name one of them.'),
  algorithms: z.array(z.enum(JWT_ALGORITHMS)).min(1).default(['RS256', 'ES256']).describe('Signature algorithms accepted (never none or HMAC).'),
  clockSkewS: z.number().int().min(0).max(300).default(30).describe('Tolerance for exp and nbf, in seconds.'),
  consumerClaim: z.string().default('sub').describe('Claim naming the consumer: matched against consumer names and their subjects.'),
  tenantClaim: z.string().optional().describe('Claim naming the tenant, for tokens of consumers not declared in the config.'),
  scopeClaims: z.array(z.string()).default(['scope', 'scp']).describe('Claims that carry scopes (space-separated string or array).'),
  rolesClaim: z.string().optional().describe('Claim that carries roles.'),
  jwksRefreshMinMs: z.number().int().min(0).default(30000).describe('Least time between two JWKS fetches caused by an unknown kid.'),
  jwksMaxAgeMs: z.number().int().positive().default(600000).describe('How long fetched signing keys are used before they are fetched again.'),
});

const Introspection = z.strictObject({
  endpoint: z.string().url().describe('The RFC 7662 introspection endpoint.'),
  clientId: z.string().describe('Client id the gateway authenticates with at the endpoint.'),
  clientSecretEnv: z.string().describe('Environment variable holding the client secret.'),
  cacheTtlS: z.number().int().min(0).default(30).describe('How long an active answer is reused (never beyond the token\'s exp).'),
  negativeCacheTtlS: z.number().int().min(0).default(5).describe('How long an inactive answer is reused.'),
  timeoutMs: z.number().int().positive().default(2000).describe('Time allowed for the endpoint to answer (fail closed beyond).'),
  consumerClaim: z.string().default('client_id').describe('Member of the introspection answer naming the consumer.'),
  tenantClaim: z.string().optional().describe('Member of the introspection answer naming the tenant.'),
});

const NAMED = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const Authn = z.strictObject({
  realm: z.string().default('pinpoint').describe('Realm named in WWW-Authenticate challenges.'),
  apiKeys: z
    .strictObject({
      header: z.string().default('x-api-key').describe('Header that carries an API key.'),
      bearer: z.boolean().default(true).describe('Also accept an API key as Authorization: Bearer <key>.'),
      queryParam: z.string().default('api_key').describe('Query parameter for keys, on routes with apiKeyInQuery only.'),
    })
    .prefault({})
    .describe('Where API keys are read from.'),
  jwt: z.record(z.string().regex(NAMED), JwtIssuer).default({}).describe('Token issuers by name (OAuth2 / OIDC).'),
  introspection: z.record(z.string().regex(NAMED), Introspection).default({}).describe('RFC 7662 introspection endpoints by name, for opaque tokens.'),
  sessions: z
    .strictObject({
      loginPath: z.string().regex(/^\/[^?#\s]*$/).default(DEFAULT_LOGIN_PATH).describe('Path of the login route the gateway serves itself: POST {"username", "password"} answers with the session cookie.'),
      cookie: z.string().regex(/^[A-Za-z0-9_-]+$/).default('pp_session').describe('Name of the session cookie.'),
      ttlS: z.number().int().min(60).max(30 * 86400).default(8 * 3600).describe('How long a session lasts from login.'),
      secretEnv: z.string().default('PINPOINT_SESSION_SECRET').describe('Environment variable holding the HMAC key that signs session cookies (at least 32 characters).'),
      sameSite: z.enum(['Lax', 'Strict', 'None']).default('Lax').describe('SameSite attribute of the cookie.'),
      secure: z.boolean().default(true).describe('Set the Secure attribute (the browser then sends the cookie over HTTPS only). Turn off only for plain-HTTP development on loopback.'),
    })
    .optional()
    .describe('Session cookies for browser apps: a login route checks a consumer password and sets a signed cookie that routes with a `session` entry accept.'),
});

export const ConfigSchema = z.strictObject({
  gateway: z
    .strictObject({
      listen: Listen(8080),
      errorTypeBase: z
        .string()
        .url()
        .default('https://pinpoint.dev/errors/')
        .describe('Base of the `type` URL of problem responses; point it at your own docs.'),
      versionHeader: z.string().default('x-api-version').describe('Header that selects a route version.'),
      maxHeaderBytes: z.number().int().min(1024).default(16384).describe('Largest request head accepted (431 beyond).'),
      maxUrlLength: z.number().int().min(64).default(8192).describe('Longest request target accepted (414 beyond).'),
      keepAliveTimeoutMs: z.number().int().positive().default(5000).describe('How long an idle client connection is kept open.'),
      requestTimeoutMs: z.number().int().positive().default(60000).describe('Longest time to receive a whole request.'),
    })
    .prefault({})
    .describe('The data-plane listener that serves API traffic.'),
  admin: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Whether the admin listener runs at all.'),
      listen: Listen(8081),
      tokenEnv: z.string().default('PINPOINT_ADMIN_TOKEN').describe('Environment variable that holds the admin bearer token.'),
    })
    .prefault({})
    .describe('The admin API (health, config, call log, metrics) on its own listener.'),
  log: z
    .strictObject({
      file: z.string().default('pinpoint-calls.db').describe('SQLite file of the call log, relative to the config file.'),
      retentionDays: z.number().positive().default(7).describe('Entries older than this are deleted.'),
      maxRows: z.number().int().positive().default(1_000_000).describe('The oldest entries beyond this count are deleted.'),
      batchSize: z.number().int().min(1).default(256).describe('Entries written per SQLite transaction.'),
      flushIntervalMs: z.number().int().min(1).default(50).describe('Longest time an entry waits before its batch is written.'),
      queueLimit: z.number().int().min(1).default(20000).describe('Entries waiting to be written; beyond it new ones are dropped and counted.'),
      redactHeaders: z.array(z.string()).default([]).describe('Headers redacted in the log besides authorization, cookie, set-cookie, x-api-key, proxy-authorization.'),
      redactQueryParams: z
        .array(z.string())
        .default(['api_key', 'apikey', 'key', 'token', 'access_token', 'password'])
        .describe('Query parameters whose values are redacted in the log.'),
    })
    .prefault({})
    .describe('The call log: every request, allowed or denied, with its decision.'),
  services: z
    .record(z.string().regex(NAME, 'a service name is letters, digits, _ . - (starting with a letter or digit)'), Service)
    .default({})
    .describe('Upstream services by name; routes refer to them.'),
  routes: z.array(Route).default([]).describe('Routes, matched by host, path, method and version.'),
  tenants: z.record(z.string().regex(NAMED), Tenant).default({}).describe('Tenants by name.'),
  consumers: z.record(z.string().regex(NAMED), Consumer).default({}).describe('Consumers (applications or users) by name.'),
  authn: Authn.prefault({}).describe('How callers are authenticated: API keys, token issuers, introspection.'),
  store: z
    .strictObject({
      backend: z
        .enum(['sqlite', 'postgres'])
        .default('sqlite')
        .describe('sqlite: a file beside the config (one node, no server). postgres: one PostgreSQL database shared by every node; a change made on one node reaches the others at once (LISTEN/NOTIFY).'),
      file: z.string().default('pinpoint-store.db').describe('SQLite file of credentials and the audit log, relative to the config file (backend sqlite).'),
      url: z
        .string()
        .regex(/^postgres(ql)?:\/\/[^\s]+$/, 'a PostgreSQL url is postgres://user@host:port/database')
        .optional()
        .describe('The PostgreSQL database (backend postgres): postgres://user@host:port/database. Keep passwords out of it: use passwordEnv.'),
      passwordEnv: z.string().optional().describe('Environment variable that holds the PostgreSQL password (backend postgres).'),
      schema: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]{0,47}$/, 'a schema name is letters, digits and _ (at most 48, not starting with a digit)')
        .default('pinpoint')
        .describe('PostgreSQL schema that holds the tables (created on start); nodes that share credentials use the same one.'),
      poolSize: z.number().int().min(1).max(100).default(4).describe('PostgreSQL connections per node for management and last-used writes (one more listens for changes).'),
      connectTimeoutMs: z.number().int().positive().default(5000).describe('Time to connect to PostgreSQL.'),
      queryTimeoutMs: z.number().int().positive().default(10000).describe('Longest wait for one PostgreSQL statement; then an admin change answers 503 admin.store_unavailable.'),
      refreshMs: z
        .number()
        .int()
        .min(100)
        .default(5000)
        .describe('Safety net besides LISTEN/NOTIFY (backend postgres): how often each node also reads the changes it may have missed. The worst case for a revoked key to stop working on a node that reaches PostgreSQL.'),
    })
    .superRefine((s, ctx) => {
      if (s.backend === 'postgres' && s.url === undefined) ctx.addIssue({ code: 'custom', path: ['url'], message: 'backend postgres needs store.url (postgres://user@host:port/database)' });
      if (s.backend === 'sqlite' && (s.url !== undefined || s.passwordEnv !== undefined)) {
        ctx.addIssue({ code: 'custom', path: [s.url !== undefined ? 'url' : 'passwordEnv'], message: 'store.url and store.passwordEnv are for backend postgres: add backend: postgres, or remove them to keep the SQLite file' });
      }
    })
    .prefault({})
    .describe('Where credentials (hashed) and the audit log are kept: a SQLite file by default, PostgreSQL for several nodes.'),
  ...ipSchema.topShape,
  ...bodySchema.topShape,
  ...wafSchema.topShape,
  ...corsSchema.topShape,
  ...csrfSchema.topShape,
  ...authzSchema.topShape,
  ...limitsSchema.topShape,
  ...shadowSchema.topShape,
  ...reportSchema.topShape,
  ...aiSchema.topShape,
});

export type ConfigInput = z.input<typeof ConfigSchema>;
export type Config = z.output<typeof ConfigSchema>;
export type RouteConfig = Config['routes'][number];
export type ServiceConfig = Config['services'][string];
export type JwtIssuerConfig = Config['authn']['jwt'][string];
export type IntrospectionConfig = Config['authn']['introspection'][string];
export type ConsumerConfig = Config['consumers'][string];
