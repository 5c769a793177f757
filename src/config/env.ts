import { isPair, isScalar, isSeq, parse, visit, type Document, type Scalar } from 'yaml';
import type { ConfigPath } from './locate.ts';

export interface EnvProblem {
  /** Where the reference is written. */
  path: ConfigPath;
  message: string;
}

/** `${NAME}` or `${NAME:-fallback}`; `$${` is a literal `${`. */
const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${NAME}` in every string value of the document with the environment variable,
 * in place, before validation (so a substituted value is checked like a written one).
 * Keys are never substituted. A plain (unquoted) scalar that is one reference and whose
 * value reads as a number or boolean takes that type: `port: ${PORT}` gives a number.
 * A variable that is not set and has no fallback is a problem at that value.
 */
export function substituteEnv(doc: Document, env: NodeJS.ProcessEnv): EnvProblem[] {
  const problems: EnvProblem[] = [];
  visit(doc, {
    Scalar(key, node, ancestors) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('${')) return;
      const text = node.value;
      const missing: string[] = [];
      const replaced = text.replace(REFERENCE, (whole, name: string | undefined, fallback: string | undefined) => {
        if (name === undefined) return '${';
        const value = env[name];
        // As in the shell: the fallback also replaces a variable that is set but empty.
        if (value !== undefined && (value !== '' || fallback === undefined)) return value;
        if (fallback !== undefined) return fallback;
        missing.push(name);
        return whole;
      });
      if (missing.length) {
        problems.push({ path: configPath([...ancestors, node]), message: `environment variable ${missing.join(', ')} is not set (write \${NAME:-default} for a fallback)` });
        return;
      }
      node.value = retype(node, text, replaced);
    },
  });
  return problems;
}

function retype(node: Scalar, text: string, replaced: string): unknown {
  if (node.type !== 'PLAIN' || !/^\$\{[^}]+\}$/.test(text)) return replaced;
  try {
    const typed: unknown = parse(replaced);
    return typeof typed === 'number' || typeof typed === 'boolean' ? typed : replaced;
  } catch {
    return replaced;
  }
}

/** The config path of a node from the chain of its ancestors (document, collections, pairs). */
function configPath(chain: readonly unknown[]): ConfigPath {
  const path: ConfigPath = [];
  chain.forEach((node, i) => {
    if (isPair(node)) path.push(isScalar(node.key) ? String(node.key.value) : String(node.key));
    else if (isSeq(node)) path.push(node.items.indexOf(chain[i + 1] as never));
  });
  return path;
}
