import type { Config, RouteConfig } from '../config/schema.ts';

/** An OpenAPI Security Scheme Object (the kinds the gateway accepts). */
export type SecurityScheme =
  | { type: 'apiKey'; in: 'header' | 'query' | 'cookie'; name: string; description: string }
  | { type: 'http'; scheme: 'bearer' | 'basic'; bearerFormat?: string; description: string };

export type SecurityRequirement = Record<string, string[]>;

/**
 * The security of a route from its authn entries: one requirement per way of authenticating
 * (any one is enough, in the order the route tries them), and the schemes they name. A route
 * without authn is public and has none.
 */
export function routeSecurity(config: Config, route: RouteConfig): { requirements: SecurityRequirement[]; schemes: Map<string, SecurityScheme> } {
  const schemes = new Map<string, SecurityScheme>();
  const requirements: SecurityRequirement[] = [];
  const add = (name: string, scheme: SecurityScheme) => {
    schemes.set(name, scheme);
    requirements.push({ [name]: [] });
  };
  const keys = config.authn.apiKeys;
  for (const entry of route.authn ?? []) {
    const [kind, name] = entry.split(':') as [string, string | undefined];
    if (kind === 'apiKey') {
      add('apiKey', { type: 'apiKey', in: 'header', name: keys.header, description: `A Pinpoint API key in the ${keys.header} header.` });
      if (keys.bearer) add('apiKeyBearer', { type: 'http', scheme: 'bearer', description: 'A Pinpoint API key as Authorization: Bearer <key>.' });
      if (route.apiKeyInQuery) add('apiKeyQuery', { type: 'apiKey', in: 'query', name: keys.queryParam, description: `A Pinpoint API key in the ${keys.queryParam} query parameter (accepted on some routes only: URLs end up in logs).` });
    } else if (kind === 'jwt') {
      const issuers = name ? [name] : Object.keys(config.authn.jwt).sort();
      const from = issuers.map((n) => config.authn.jwt[n]?.issuer ?? n).join(', ');
      add(name ? `jwt.${name}` : 'jwt', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: `A JWT access token as Authorization: Bearer <token>, issued by ${from || 'a configured issuer'}.` });
    } else if (kind === 'introspection') {
      add(`introspection.${name}`, { type: 'http', scheme: 'bearer', description: 'An OAuth 2 access token as Authorization: Bearer <token>, checked by token introspection (RFC 7662).' });
    } else if (kind === 'basic') {
      add('basic', { type: 'http', scheme: 'basic', description: 'A consumer\'s name and password (HTTP Basic).' });
    } else if (kind === 'session') {
      const s = config.authn.sessions;
      const cookie = s?.cookie ?? 'pp_session';
      add('session', { type: 'apiKey', in: 'cookie', name: cookie, description: `The session cookie ${cookie} that POST ${s?.loginPath ?? '/login'} sets.` });
    }
  }
  return { requirements, schemes };
}
