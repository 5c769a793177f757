import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';

export type ConfigPath = (string | number)[];

export interface SourcePosition {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

/** What to point at for a path. */
export type Target =
  /** The value at the path (falls back to its key when the value is empty). */
  | 'value'
  /** The key of the last path segment (an unknown key, a bad record key). */
  | 'key'
  /** The object holding the last segment (a missing required field). */
  | 'parent';

/**
 * Finds where a config path is written in the YAML source. A path that goes further than
 * the source (a field that is not written at all) resolves to the deepest node that exists.
 */
export function locate(doc: Document, lines: LineCounter, path: ConfigPath, target: Target = 'value'): SourcePosition | undefined {
  const steps = target === 'parent' ? path.slice(0, -1) : path;
  let node: Node | null | undefined = doc.contents;
  let pair: Pair | undefined;
  for (const step of steps) {
    node = resolveAlias(doc, node);
    const found = child(node, step);
    if (!found) break;
    ({ node, pair } = found);
  }
  let at: Node | null | undefined = node;
  if (target === 'key' && pair && isNode(pair.key)) at = pair.key;
  // `services:` with nothing after it: the empty value has no useful position, its key does.
  if (target === 'value' && pair && isScalar(at) && at.source === '' && isNode(pair.key)) at = pair.key;
  const offset = at?.range?.[0];
  if (offset === undefined) return undefined;
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

function child(node: Node | null | undefined, step: string | number): { node: Node | null | undefined; pair?: Pair } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((p) => keyText(p.key) === String(step));
    return pair ? { node: pair.value as Node | null, pair: pair as Pair } : undefined;
  }
  if (isSeq(node) && typeof step === 'number') {
    const item = node.items[step];
    return item === undefined ? undefined : { node: item as Node };
  }
  return undefined;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' || typeof key === 'number' ? String(key) : undefined;
}

function resolveAlias(doc: Document, node: Node | null | undefined): Node | null | undefined {
  return isAlias(node) ? (node.resolve(doc) as Node | undefined) : node;
}

function isNode(x: unknown): x is Node {
  return typeof x === 'object' && x !== null && 'range' in x;
}
