// Routes anyone can call: no authn entry. Fine for a public read; worth a look for writes.
import type { Config } from '../config/schema.ts';
import type { Finding } from './types.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function auditRoutes(config: Config): Finding[] {
  const out: Finding[] = [];
  for (const route of config.routes) {
    if (route.authn || route.serve !== undefined) continue; // a route the gateway serves itself (login) is public by design
    const methods = route.methods ? [...route.methods] : undefined;
    const writes = methods ? methods.filter((m) => !SAFE.has(m)) : ['every method'];
    out.push({
      severity: writes.length > 0 ? 'medium' : 'low',
      check: 'route.no_authn',
      subject: `route ${route.id}`,
      message: `route ${route.id} (${route.paths.join(', ')}) has no authentication: anyone can call it${writes.length > 0 ? `, including ${writes.join(', ')}` : ' (reads only)'}`,
      suggestion: `add authn to route ${route.id} (e.g. authn: [apiKey]), or leave it public on purpose`,
    });
  }
  return out;
}
