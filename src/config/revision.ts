import { createHash } from 'node:crypto';

/**
 * The revision of a config: a hash of its parsed value (defaults applied, environment
 * substituted) in a canonical form, so reordering keys or reformatting the file keeps the
 * revision, while any change of meaning gives a new one. Lists keep their order: it matters.
 */
export function configRevision(config: unknown): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 12);
}

/** JSON with object keys sorted at every level. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}
