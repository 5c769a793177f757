/**
 * Ownership records: who created a resource behind the gateway, so that routes can check it
 * later without the upstream's help (routes[].authz.owner.store; the gateway records them on
 * create routes, routes[].authz.owner.record). Kept beside the credentials (the same SQLite
 * file, its own tables: src/store/owners-sqlite.ts); a backend implements OwnerStore and passes
 * the contract tests of src/store/owners-contract.ts.
 *
 * Operators' changes (set, delete) are audit-logged; the gateway's own records are not (one per
 * created resource): each names the request and route that created it instead.
 */
export interface OwnerRecord {
  /** The kind of resource, as routes name it (orders). */
  resource: string;
  /** Its id, as the upstream gave it (decoded, never percent-encoded). */
  id: string;
  consumer: string;
  tenant?: string;
  /** Epoch ms. */
  createdAt: number;
  updatedAt: number;
  /** Who wrote it last: "gateway", "admin-api", "cli:<os user>". */
  by: string;
  /** For a record the gateway made: the request that created the resource, and its route. */
  requestId?: string;
  route?: string;
}

export interface RecordInput {
  resource: string;
  id: string;
  consumer: string;
  tenant?: string;
  requestId: string;
  route: string;
}

/**
 * created: recorded now. unchanged: the same owner was recorded already. conflict: another
 * owner is recorded and stays (the gateway never takes a resource from its owner: an upstream
 * that answers a create with an existing id would otherwise hand it over).
 */
export type RecordOutcome = 'created' | 'unchanged' | 'conflict';

export interface SetOwnerInput {
  resource: string;
  id: string;
  consumer: string;
  tenant?: string;
  /** Who asked: "admin-api", "cli:<os user>". */
  actor: string;
}

export type OwnerAuditAction = 'set_owner' | 'delete_owner';

export interface OwnerAuditEntry {
  id: number;
  at: number;
  actor: string;
  action: OwnerAuditAction;
  resource: string;
  resourceId: string;
  /** The owner set, or the one deleted. */
  consumer: string;
  /** The owner before (set over an existing record), the tenant. */
  details: Record<string, unknown>;
}

export interface OwnerFilter {
  resource?: string;
  consumer?: string;
  tenant?: string;
  /** Default 100, at most 10,000. */
  limit?: number;
}

export interface OwnerStore {
  /** The record of one resource, or undefined. */
  getOwner(resource: string, id: string): Promise<OwnerRecord | undefined>;
  /** The gateway's record after a create: inserted when absent, never replacing another owner. */
  recordOwner(input: RecordInput): Promise<{ outcome: RecordOutcome; record: OwnerRecord }>;
  /** Sets (or replaces) the owner of a resource; audited. */
  setOwner(input: SetOwnerInput): Promise<{ record: OwnerRecord; previous?: OwnerRecord }>;
  /** Removes a record; audited. Refuses (StoreError 'not_found') a resource without one. */
  deleteOwner(resource: string, id: string, actor: string): Promise<OwnerRecord>;
  /** Records, by resource then id. */
  listOwners(filter?: OwnerFilter): Promise<OwnerRecord[]>;
  /** Audit entries of set and delete, newest first. */
  listOwnerAudit(filter?: { since?: number; limit?: number; resource?: string }): Promise<OwnerAuditEntry[]>;
  close(): Promise<void>;
}

/** Resource names: letters, digits, _ . - (as route and service names). */
export const RESOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** Longest resource id stored (a longer one is not an id an upstream gives). */
export const MAX_RESOURCE_ID = 512;

/** Why a resource name or id cannot be stored, or undefined. */
export function ownerKeyProblem(resource: string, id: string): string | undefined {
  if (!RESOURCE_NAME.test(resource)) return `resource ${JSON.stringify(resource)} is not a name (letters, digits, _ . -)`;
  if (id === '' || id.length > MAX_RESOURCE_ID) return `a resource id is 1 to ${MAX_RESOURCE_ID} characters`;
  if (/[\u0000-\u001f\u007f]/.test(id)) return 'a resource id has no control characters';
  return undefined;
}
