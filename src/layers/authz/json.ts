import { visit } from 'jsonc-parser';

/**
 * JSON pointers (RFC 6901), split into tokens at config load. Written here rather than taken
 * from a pointer library: the ones at hand re-split the pointer on every read and follow
 * inherited properties (`/constructor` answers a function); this reads own properties only.
 */
export function pointerTokens(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const ARRAY_INDEX = /^(0|[1-9]\d*)$/;

export function readPointer(doc: unknown, tokens: readonly string[]): unknown {
  let at = doc;
  for (const t of tokens) {
    if (Array.isArray(at)) {
      if (!ARRAY_INDEX.test(t)) return undefined;
      at = at[Number(t)];
    } else if (typeof at === 'object' && at !== null && Object.hasOwn(at, t)) {
      at = (at as Record<string, unknown>)[t];
    } else {
      return undefined;
    }
  }
  return at;
}

/**
 * Paths of the objects in which a key appears twice, with the key (["items", 0, "owner"]).
 * JSON.parse keeps the last of two equal keys; other parsers (the upstream's) may keep the
 * first, so a value read behind a duplicate is ambiguous. The body already parsed as JSON.
 */
export function duplicateKeys(text: string): (string | number)[][] {
  const found: (string | number)[][] = [];
  const open: Set<string>[] = [];
  visit(text, {
    onObjectBegin: () => void open.push(new Set()),
    onObjectEnd: () => void open.pop(),
    onObjectProperty: (key, _o, _l, _sl, _sc, path) => {
      const keys = open[open.length - 1];
      if (keys.has(key)) found.push([...path(), key]);
      keys.add(key);
    },
  });
  return found;
}

/** Whether a duplicate key lies on the way to (or at) the pointed value. */
export function onPath(duplicate: readonly (string | number)[], tokens: readonly string[]): boolean {
  if (duplicate.length > tokens.length) return false;
  return duplicate.every((part, i) => String(part) === tokens[i]);
}
