import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseBody } from '../body/parse.ts';
import type { EvalContext, RequestDescription } from '../../pipeline/types.ts';
import type { CompiledRule } from './compile.ts';
import { inspect, planLevel } from './engine.ts';
import { requestFields, walkFields, type Field } from './fields.ts';
import { shippedRules } from './index.ts';
import { loadRuleFiles } from './rule-file.ts';
import { applyChain } from './transforms.ts';

/**
 * The engine skips work: groups share transformations, a prefilter stands for a group's rules,
 * the plain-value gate rules out rules before anything runs, the SQL tokenizer stops early.
 * None of that may change a result. The reference here runs every rule of the level on every
 * field it targets, each with its own whole chain, and the engine must find exactly the same:
 * the same rules, first in the same field, with the same fragment and transformations, in as
 * many fields. The values are built to sit on the gate's edges: rule examples and attack corpora
 * cut up, recased and rejoined with spaces, slashes, quotes, commas and comments between them.
 */

const rules = shippedRules();
const CORPORA = join(import.meta.dirname, '..', '..', '..', 'bench', 'corpora', 'waf');

interface Found {
  field: string;
  fragment: string;
  applied: string;
  fields: number;
}

function reference(level: readonly CompiledRule[], fields: readonly Field[]): Map<string, Found> {
  const out = new Map<string, Found>();
  for (const f of fields) {
    const chains = new Map<string, ReturnType<typeof applyChain>>();
    for (const rule of level) {
      if (!rule.test || !rule.kinds.has(f.kind)) continue;
      if (rule.headers && f.header !== undefined && !rule.headers.has(f.header)) continue;
      const t = chains.get(rule.chainKey) ?? chains.set(rule.chainKey, applyChain(f.value, rule.chain)).get(rule.chainKey)!;
      const fragment = rule.test(t.value, f.raw);
      if (fragment === undefined) continue;
      const seen = out.get(rule.id);
      if (seen) seen.fields++;
      else out.set(rule.id, { field: f.name, fragment, applied: t.applied.join(','), fields: 1 });
    }
  }
  return out;
}

function engine(paranoia: number, ctx: EvalContext): Map<string, Found> {
  const { matches } = inspect(planLevel(rules, paranoia), ctx.req, (visit) => walkFields(ctx, true, visit));
  const out = new Map<string, Found>();
  for (const m of matches) if (m.rule.test) out.set(m.rule.id, { field: m.field.name, fragment: m.fragment, applied: m.applied.join(','), fields: m.alsoIn + 1 });
  return out;
}

function sorted(m: Map<string, Found>): Array<[string, Found]> {
  return [...m].sort(([a], [b]) => a.localeCompare(b));
}

/** Characters the transformations act on, or that the gate cuts atoms at. */
const INSERTS = [' ', '  ', '/', '//', './', '/./', '"', "'", '^', ',', ';', '/**/', '/*!', '*/', '--', '#', '(', ')', '|', '=', '<', '.', ':', '$', '`', '-', '+', '\t', '\n', '\r\n', 'é', 'Ü', 'ß', '×', '\u00a0', 'ﬁ', '＜'];

/** Each example a rule must match, with each of INSERTS put at two places in it. */
function edges(): string[] {
  let seed = 5;
  const next = (k: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % k);
  const out: string[] = [];
  for (const example of loadRuleFiles().flatMap((f) => f.rules.flatMap((r) => r.examples?.match ?? []))) {
    out.push(example, example.toUpperCase());
    for (const insert of INSERTS) {
      for (let k = 0; k < 2; k++) {
        const at = 1 + next(Math.max(example.length - 1, 1));
        out.push(example.slice(0, at) + insert + example.slice(at));
      }
    }
  }
  return out;
}

/** Values from the rule examples and the corpora, mutated from a fixed seed. */
function values(n: number): string[] {
  const lines = (file: string) =>
    readFileSync(join(CORPORA, file), 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'));
  const pieces = [
    ...loadRuleFiles().flatMap((f) => f.rules.flatMap((r) => [...(r.examples?.match ?? []), ...(r.examples?.pass ?? [])])),
    ...['sqli', 'xss', 'lfi', 'rce'].flatMap((f) => lines(`attacks/${f}.txt`)),
    ...lines('benign/values.txt'),
    ...['union', 'select', 'from', 'sleep', 'etc', 'passwd', 'id_rsa', 'java', 'script:', 'cat', 'or', 'and', '1', 'x', 'jndi:', 'ldap:', 'win.ini', 'information_schema', 'into', 'outfile', 'waitfor', 'delay'],
  ];
  const inserts = INSERTS;
  let seed = 11;
  const next = (k: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % k);
  const mutate = (s: string): string => {
    switch (next(6)) {
      case 0:
        return s;
      case 1:
        return [...s].map((c) => (next(2) ? c.toUpperCase() : c.toLowerCase())).join('');
      case 2: {
        const at = next(s.length + 1);
        return s.slice(0, at) + inserts[next(inserts.length)] + s.slice(at);
      }
      case 3:
        return s + inserts[next(inserts.length)] + pieces[next(pieces.length)];
      case 4:
        return s.replaceAll(' ', inserts[next(inserts.length)]);
      default: {
        // A piece of another value: the middle of an attack, cut anywhere.
        const other = pieces[next(pieces.length)];
        const from = next(other.length + 1);
        return s + ' ' + other.slice(from, from + 1 + next(20));
      }
    }
  };
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let v = pieces[next(pieces.length)];
    for (let k = next(4); k >= 0; k--) v = mutate(v);
    out.push(v);
  }
  return out;
}

function request(batch: readonly string[]): EvalContext {
  const body = JSON.stringify({ v: batch, [batch[0]]: batch[1] ?? '' });
  const req: RequestDescription = {
    method: 'POST',
    httpVersion: '1.1',
    path: '/x',
    // One value encoded, one as it stands (bad percent-encoding, + and % included).
    query: `q=${encodeURIComponent(batch[2] ?? '')}&r=${(batch[4] ?? '').replace(/[&#\s]/g, '')}`,
    host: 'api.example.com',
    headers: { host: 'api.example.com', 'content-type': 'application/json', 'user-agent': (batch[3] ?? '').replace(/[\r\n]/g, ' ') },
    clientIp: '127.0.0.1',
  };
  return { req, audience: 'anyone', body: parseBody(Buffer.from(body), 'application/json') };
}

test('the engine finds what running every rule on every field finds, at paranoia levels 1 and 4 (every rule)', () => {
  const all = [...edges(), ...values(1500)];
  let matched = 0;
  for (let i = 0; i < all.length; i += 10) {
    const ctx = request(all.slice(i, i + 10));
    const fields = requestFields(ctx, true);
    for (const paranoia of [1, 4]) {
      const want = reference(
        rules.filter((r) => r.paranoia <= paranoia),
        fields,
      );
      assert.deepEqual(sorted(engine(paranoia, ctx)), sorted(want), `paranoia ${paranoia}, values ${JSON.stringify(all.slice(i, i + 10))}`);
      matched += want.size;
    }
  }
  // The values must make rules match (and not match) in numbers, or the comparison proves little.
  assert.ok(matched > 1000, `${matched} rule matches`);
});

test('a clean order body makes no rule match and a plain attack in it is found', () => {
  const clean = request(['soft cotton shirt with a relaxed fit and a classic collar', 'SH-1000', 'Shirt model 0', 'EUR']);
  assert.deepEqual(sorted(engine(1, clean)), []);
  const attack = request(['soft cotton shirt', 'SH-1000', 'x', "1' UNION SELECT password FROM users--"]);
  assert.ok(engine(1, attack).has('sqli-110'));
  const plain = request(['etc passwd', 'id', 'the cat', "a' or 'b'='b"]);
  assert.deepEqual([...engine(1, plain).keys()].sort(), ['sqli-100']);
});
