// The repository's own WAF corpora (bench/corpora/waf): attack payloads per family and benign values
// and JSON bodies, turned into requests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RequestDescription } from '../../src/pipeline/types.ts';
import { request } from './harness.ts';

export const CORPORA_DIR = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'corpora', 'waf');
export const ATTACK_FAMILIES = ['sqli', 'xss', 'lfi', 'rce', 'protocol', 'size'] as const;

export interface Case {
  label: string;
  req: RequestDescription;
}

function lines(file: string): string[] {
  return readFileSync(join(CORPORA_DIR, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'));
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** Each payload as a query parameter and as a value in a JSON body. */
export function attackCases(family: (typeof ATTACK_FAMILIES)[number]): Case[] {
  return lines(`attacks/${family}.txt`).flatMap((line): Case[] => {
    if (family === 'size') return [{ label: line, req: sizeRequest(line) }];
    if (line.startsWith('raw:')) return [{ label: line, req: request('GET', `/x?${line.slice(4)}`) }];
    return [
      { label: `query: ${line}`, req: request('GET', `/x?q=${encodeURIComponent(line)}`) },
      { label: `body: ${line}`, req: request('POST', '/x', JSON_HEADERS, JSON.stringify({ id: 7, comment: line })) },
    ];
  });
}

function sizeRequest(line: string): RequestDescription {
  const [kind, n] = [line.slice(0, line.indexOf(':')), Number(line.slice(line.indexOf(':') + 1))];
  const a = (k: number) => 'a'.repeat(k);
  switch (kind) {
    case 'value':
      return request('GET', `/x?q=${a(n)}`);
    case 'name':
      return request('GET', `/x?${a(n)}=1`);
    case 'params':
      return request('GET', `/x?${Array.from({ length: n }, (_, i) => `p${i}=1`).join('&')}`);
    case 'header':
      return request('GET', '/x', { 'x-note': a(n) });
    case 'cookie':
      return request('GET', '/x', { cookie: `c=${a(n)}` });
    case 'body':
      return request('POST', '/x', JSON_HEADERS, JSON.stringify({ text: a(n) }));
    case 'fields':
      return request('POST', '/x', JSON_HEADERS, JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, 'v']))));
    default:
      throw new Error(`size corpus: unknown line ${line}`);
  }
}

/** Benign values, in a realistic JSON body and as a query parameter, and the benign JSON bodies as they are. */
export function benignCases(): Case[] {
  const fields = ['description', 'comment', 'name', 'note', 'bio', 'message'];
  const values = lines('benign/values.txt')
    .filter((l) => !l.startsWith('##'))
    .map((l) => l.replaceAll('\\n', '\n'));
  const fromValues = values.flatMap((v, i): Case[] => [
    { label: `body: ${v}`, req: request('POST', '/x', JSON_HEADERS, JSON.stringify({ id: i, [fields[i % fields.length]]: v, tags: ['new'], price: 19.99 })) },
    { label: `query: ${v}`, req: request('GET', `/x?${fields[i % fields.length]}=${encodeURIComponent(v)}&page=1`) },
  ]);
  const bodies = lines('benign/bodies.jsonl').map((b): Case => ({ label: `body: ${b.slice(0, 60)}`, req: request('POST', '/x', JSON_HEADERS, b) }));
  return [...fromValues, ...bodies];
}
