import type { Candidate, DenialCase } from '../candidates.ts';

/** A suspended consumer or tenant made active; a refused credential replaced by a valid one of the same (or the asked) consumer. */
export function authnProposals(c: DenialCase): Candidate[] {
  const d = c.trial.decision;
  const code = d.code ?? '';
  if (code === 'authn.consumer_suspended' && d.consumer) {
    const name = d.consumer;
    return [{ who: 'tenant_admin', action: `Set consumers.${name}.status to active.`, config: (cfg) => ({ ...cfg, consumers: { ...cfg.consumers, [name]: { ...cfg.consumers[name], status: 'active' } } }) }];
  }
  if (code === 'authn.tenant_suspended' && d.tenant && c.config.tenants[d.tenant]) {
    const name = d.tenant;
    return [{ who: 'operator', action: `Set tenants.${name}.status to active.`, config: (cfg) => ({ ...cfg, tenants: { ...cfg.tenants, [name]: { ...cfg.tenants[name], status: 'active' } } }) }];
  }
  // A credential that did not check out: would a valid one of the same (or the asked) consumer pass?
  const who = c.as ?? d.consumer;
  if (!who) return [];
  return [{
    who: 'client',
    action: `Send a valid credential of ${who} (a new API key or token of it).`,
    assume: { consumer: who, credential: `explain:valid-credential-of:${who}`, scopes: ['*'] },
  }];
}
