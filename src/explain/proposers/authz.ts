import type { Candidate, DenialCase } from '../candidates.ts';

const MAX_ROLE_TRIALS = 20;

/** The missing scope on the same consumer's credential (the key owner), or a role that grants the permission (the tenant admin). */
export function authzProposals(c: DenialCase): Candidate[] {
  const id = c.trial.ctx.identity;
  if (!id) return [];
  const d = c.trial.decision;
  const out: Candidate[] = [];
  const required = (d.extensions?.required as string[] | undefined) ?? [];
  if (d.code === 'authz.scope_missing' && required.length) {
    const scopes = [...new Set([...id.scopes, ...required])];
    out.push({
      who: 'key_owner',
      action: `Use a credential of ${id.consumer} that also has scope ${required.join(', ')} (its ${id.credential} has ${id.scopes.join(', ') || 'none'}).`,
      assume: { consumer: id.consumer, credential: id.credential, scopes },
    });
  }
  if ((d.code === 'authz.permission_missing' || d.code === 'authz.role_missing') && c.config.consumers[id.consumer]) {
    const held = new Set(id.roles);
    const roles = Object.keys((c.config as { roles?: Record<string, unknown> }).roles ?? {}).filter((r) => !held.has(r)).slice(0, MAX_ROLE_TRIALS);
    for (const role of roles) {
      out.push({
        who: 'tenant_admin',
        action: `Give ${id.consumer} the role ${role} (consumers.${id.consumer}.roles).`,
        config: (cfg) => ({ ...cfg, consumers: { ...cfg.consumers, [id.consumer]: { ...cfg.consumers[id.consumer], roles: [...cfg.consumers[id.consumer].roles, role] } } }),
        // The same credential: a key's scopes still apply.
        assume: { consumer: id.consumer, credential: id.credential, scopes: id.via === 'basic' || id.via === 'session' ? ['*'] : id.scopes },
      });
    }
  }
  return out;
}
