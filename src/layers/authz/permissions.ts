import type { Config } from '../../config/schema.ts';
import type { RoleConfig } from './schema.ts';

/**
 * Roles and what they grant, compiled once per config. Wildcards (`orders:*`, `*`) are
 * resolved here: for each permission a route requires, the set of roles that grant it is
 * computed at load, so a request costs a Set lookup per role it holds.
 */

export interface CompiledRole {
  name: string;
  actFor: RoleConfig['actFor'];
  grants(permission: string): boolean;
}

/** The grants that cover `permission`: itself, `*`, and every `prefix:*` above it. */
export function coveringGrants(permission: string): string[] {
  const out = ['*', permission];
  for (let i = permission.indexOf(':'); i !== -1; i = permission.indexOf(':', i + 1)) out.push(permission.slice(0, i) + ':*');
  return out;
}

function compileRole(name: string, r: RoleConfig): CompiledRole {
  const set = new Set(r.permissions);
  return {
    name,
    actFor: r.actFor,
    grants: (p) => coveringGrants(p).some((g) => set.has(g)),
  };
}

/** Where a role is defined: top-level `roles:` or a tenant's own `roles:`. */
export type RoleTable = ReadonlyMap<string, CompiledRole>;

export class Roles {
  /** '' = the top-level table; a tenant name = that tenant's table (its own roles over the top-level ones). */
  private readonly tables = new Map<string, RoleTable>();

  constructor(config: Config) {
    const global = new Map<string, CompiledRole>();
    for (const [name, r] of Object.entries(config.roles)) global.set(name, compileRole(name, r));
    this.tables.set('', global);
    for (const [tenant, t] of Object.entries(config.tenants)) {
      if (!t.roles) continue;
      const own = new Map(global);
      for (const [name, r] of Object.entries(t.roles)) own.set(name, compileRole(name, r));
      this.tables.set(tenant, own);
    }
  }

  /** The table that applies to consumers of `tenant`. */
  tableKey(tenant: string | undefined): string {
    return tenant !== undefined && tenant !== '' && this.tables.has(tenant) ? tenant : '';
  }

  keys(): string[] {
    return [...this.tables.keys()];
  }

  table(key: string): RoleTable {
    return this.tables.get(key)!;
  }

  /** Every role name defined anywhere. */
  names(): Set<string> {
    const out = new Set<string>();
    for (const t of this.tables.values()) for (const n of t.keys()) out.add(n);
    return out;
  }

  /** Per table: the roles that grant `permission`, in config order. */
  granting(permission: string): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const [key, table] of this.tables) {
      out.set(key, new Set([...table.values()].filter((r) => r.grants(permission)).map((r) => r.name)));
    }
    return out;
  }
}

/** Whether a credential's scopes cover `permission` (with the same wildcard rules as roles). */
export function scopesCover(scopes: readonly string[], covering: ReadonlySet<string>): boolean {
  for (let i = 0; i < scopes.length; i++) if (covering.has(scopes[i])) return true;
  return false;
}

/** How a credential is limited: delegated credentials (keys, tokens) by their scopes, a consumer's own password or session by its roles only. */
export function carriesScopes(via: string): boolean {
  return via !== 'basic' && via !== 'session';
}
