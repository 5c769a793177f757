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

/** A consumer's `subjects` entry that cannot be used; `path` points the load at it. */
class SubjectEntryError extends Error {
  constructor(
    message: string,
    readonly path: (string | number)[],
  ) {
    super(message);
  }
}

/**
 * Consumers and tenants of the config, compiled for O(1) lookups by name and token subject.
 * Subjects are scoped by token source (issuer or introspection endpoint): a token of one
 * source never resolves to a consumer through another source's subject. Unscoped subjects,
 * and a subject equal to a consumer's name, are honoured only while one source is configured.
 */
export class Directory {
  private readonly byName = new Map<string, ConsumerEntry>();
  /** `<source>\u0000<subject>` → consumer name; source '' for unscoped subjects. */
  private readonly bySubject = new Map<string, string>();
  private readonly tenants: Config['tenants'];
  private readonly singleSource: boolean;

  constructor(config: Config) {
    this.tenants = config.tenants;
    const sources = [...Object.keys(config.authn.jwt), ...Object.keys(config.authn.introspection)];
    this.singleSource = sources.length <= 1;
    for (const [name, c] of Object.entries(config.consumers)) {
      this.byName.set(name, { name, tenant: c.tenant, roles: c.roles, status: c.status, reason: c.reason });
      c.subjects.forEach((s, j) => {
        const path = ['consumers', name, 'subjects', j];
        if (typeof s === 'string') {
          if (!this.singleSource) throw new SubjectEntryError(`with several token sources (${sources.join(', ')}), a subject names its source: { issuer: <name>, subject: ${JSON.stringify(s)} }`, path);
          this.bySubject.set(`\u0000${s}`, name);
        } else {
          if (!sources.includes(s.issuer)) throw new SubjectEntryError(`no token source is named ${JSON.stringify(s.issuer)} (defined: ${sources.join(', ') || 'none'})`, [...path, 'issuer']);
          this.bySubject.set(`${s.issuer}\u0000${s.subject}`, name);
        }
      });
    }
  }

  /** A declared consumer by name. */
  find(name: string): ConsumerEntry | undefined {
    return this.byName.get(name);
  }

  /** The consumer a token source's subject is, if declared (see the class comment). */
  subject(source: string, subject: string): string | undefined {
    const scoped = this.bySubject.get(`${source}\u0000${subject}`);
    if (scoped !== undefined || !this.singleSource) return scoped;
    return this.bySubject.get(`\u0000${subject}`) ?? (this.byName.has(subject) ? subject : undefined);
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
