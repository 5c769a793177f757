// The OWASP CRS regression tests (go-ftw YAML), read from outside the repository (never copied in),
// turned into requests the way go-ftw builds them, and scored by family.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { RequestDescription } from '../../src/pipeline/types.ts';
import { request } from './harness.ts';

/** CRS rule-file prefix → our family. 931 (remote file inclusion) and 933 (PHP) have no family of their own. */
export const CRS_FAMILIES: Record<string, string> = {
  '920': 'protocol',
  '921': 'protocol',
  '930': 'lfi',
  '931': 'lfi',
  '932': 'rce',
  '933': 'rce',
  '941': 'xss',
  '942': 'sqli',
  '944': 'rce',
};

export interface CrsCase {
  id: string;
  /** The CRS rule-file prefix (942). */
  group: string;
  family: string;
  /** true: a rule of the family should fire; false: it must not. */
  attack: boolean;
  req: RequestDescription;
}

interface Input {
  method?: string;
  uri?: string;
  headers?: Record<string, string>;
  data?: string;
  encoded_request?: string;
}

export function crsDir(root: string): string | undefined {
  const dir = join(root, 'tests', 'regression', 'tests');
  return existsSync(dir) ? dir : undefined;
}

export function crsCases(root: string): CrsCase[] {
  const dir = crsDir(root);
  if (!dir) return [];
  const out: CrsCase[] = [];
  for (const folder of readdirSync(dir).filter((f) => f.startsWith('REQUEST-'))) {
    const group = folder.slice('REQUEST-'.length, 'REQUEST-'.length + 3);
    const family = CRS_FAMILIES[group];
    if (!family) continue;
    for (const file of readdirSync(join(dir, folder)).filter((f) => f.endsWith('.yaml'))) {
      const doc = parse(readFileSync(join(dir, folder, file), 'utf8')) as { rule_id?: number; tests?: Array<{ test_id: number; stages: Array<{ input: Input; output?: { log?: { expect_ids?: number[]; no_expect_ids?: number[] } } }> }> };
      for (const t of doc?.tests ?? []) {
        const stage = t.stages?.[0];
        const log = stage?.output?.log;
        if (!stage || !log) continue;
        const attack = (log.expect_ids ?? []).some((id) => String(id).startsWith(group));
        const clean = (log.no_expect_ids ?? []).some((id) => String(id).startsWith(group));
        if (!attack && !clean) continue;
        const req = toRequest(stage.input);
        if (req) out.push({ id: `${doc?.rule_id ?? file}-${t.test_id}`, group, family, attack, req });
      }
    }
  }
  return out;
}

function toRequest(input: Input): RequestDescription | undefined {
  if (input.encoded_request) return fromRaw(Buffer.from(input.encoded_request, 'base64').toString('latin1'));
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers ?? {})) headers[k.toLowerCase()] = String(v);
  let body: string | undefined = input.data;
  if (body !== undefined) {
    if (!headers['content-type']) headers['content-type'] = 'application/x-www-form-urlencoded';
    if (headers['content-type'].startsWith('application/x-www-form-urlencoded')) body = encodeForm(body);
    delete headers['content-length'];
  }
  return request(input.method ?? 'GET', input.uri ?? '/', headers, body);
}

/** go-ftw sends key=value data URL-encoded: encode what is not encoded yet, keep = and & as separators. */
function encodeForm(data: string): string {
  if (/^[A-Za-z0-9%=&+._~*-]*$/.test(data)) return data;
  return data
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const enc = (s: string) => s.replace(/[^A-Za-z0-9%+._~*-]/g, (c) => encodeURIComponent(c));
      return eq === -1 ? enc(pair) : `${enc(pair.slice(0, eq))}=${enc(pair.slice(eq + 1))}`;
    })
    .join('&');
}

function fromRaw(raw: string): RequestDescription | undefined {
  const headEnd = raw.indexOf('\r\n\r\n');
  const head = headEnd === -1 ? raw : raw.slice(0, headEnd);
  const [line, ...lines] = head.split('\r\n');
  const m = /^(\S+) (\S+) HTTP\/\d\.\d$/.exec(line);
  if (!m) return undefined;
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const c = l.indexOf(':');
    if (c > 0) headers[l.slice(0, c).trim().toLowerCase()] = l.slice(c + 1).trim();
  }
  const body = headEnd === -1 ? undefined : Buffer.from(raw.slice(headEnd + 4), 'latin1');
  return request(m[1], m[2], headers, body && body.length ? body : undefined);
}
