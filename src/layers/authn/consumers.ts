import type { Config } from '../../config/schema.ts';
import type { Denial } from '../../decision/types.ts';
import type { Identity } from './types.ts';

interface ConsumerEntry {
  name: string;
  tenant: string;
  roles: readonly string[];
  status: 'active' | 'suspended';
  reason?: string;
}

/** Consumers and tenants of the config, compiled for O(1) lookups by name and token subject. */
export class Directory {
  private readonly byName = new Map<string, ConsumerEntry>();
  private readonly bySubject = new Map<string, string>();
  private readonly tenants: Config['tenants'];

  constructor(config: Config) {
    this.tenants = config.tenants;
    for (const [name, c] of Object.entries(config.consumers)) {
      this.byName.set(name, { name, tenant: c.tenant, roles: c.roles, status: c.status, reason: c.reason });
      for (const s of c.subjects) this.bySubject.set(s, name);
    }
  }

  /** A declared consumer by name, or by a token subject listed under its `subjects`. */
  find(nameOrSubject: string): ConsumerEntry | undefined {
    return this.byName.get(nameOrSubject) ?? this.byName.get(this.bySubject.get(nameOrSubject) ?? '');
  }

  /** Completes an identity with the consumer's tenant and roles, or refuses a suspended one. */
  admit(identity: Identity): Denial | undefined {
    const c = this.find(identity.consumer);
    if (c) {
      identity.consumer = c.name;
      identity.tenant = c.tenant;
      identity.roles = [...new Set([...c.roles, ...identity.roles])];
      if (c.status === 'suspended') return suspended('consumer', c.name, c.reason, identity);
    }
    const tenant = identity.tenant ? this.tenants[identity.tenant] : undefined;
    if (tenant?.status === 'suspended') return suspended('tenant', identity.tenant!, tenant.reason, identity);
    return undefined;
  }
}

function suspended(what: 'consumer' | 'tenant', name: string, reason: string | undefined, identity: Identity): Denial {
  const code = what === 'consumer' ? 'authn.consumer_suspended' : 'authn.tenant_suspended';
  return {
    code,
    ruleId: `${what}s.${name}.status`,
    detail: `${what} ${name} is suspended${reason ? `: ${reason}` : ''} (credential ${identity.credential})`,
    hint: `Your ${what === 'consumer' ? 'account' : 'organisation'} is suspended; retrying will not help. Contact the API owner.`,
    evidence: [{ where: `${what}:${name}`, expected: 'status active', observed: 'status suspended' }],
    fixes: [{ who: what === 'consumer' ? 'tenant_admin' : 'operator', action: `Set ${what}s.${name}.status to active once the cause${reason ? ` (${reason})` : ''} is resolved.`, proved: false, retryable: false }],
  };
}
