import type { Denial, Evidence } from '../../decision/types.ts';
import type { RuleMatch } from './engine.ts';
import type { Field } from './fields.ts';

/** The route settings a denial reports. */
export interface DenialContext {
  routeId: string;
  routeIndex: number;
  paranoia: number;
  threshold: number;
  /** Lowercased names of headers that carry secrets (Authorization, Cookie, the API key header). */
  secretHeaders: ReadonlySet<string>;
}

/** Longest fragment shown in the evidence. */
const FRAGMENT_MAX = 80;
/** Field names whose values are secrets: their fragments are never shown. */
const SECRET_NAME = /(?:pass(?:word|wd|phrase)?|secret|token|api[-_]?key|auth|credential|session|otp|cvv|card[-_]?number)/i;

/**
 * The denial of a request whose anomaly score reached the threshold. The caller sees only
 * waf.blocked and the request id (the code discloses nothing else); the operator sees every
 * rule that added to the score, each as one evidence item, and how to exempt a field.
 */
export function wafDenial(score: number, matches: readonly RuleMatch[], c: DenialContext): Denial {
  const ordered = [...matches].sort((a, b) => b.rule.score - a.rule.score);
  const top = ordered[0];
  const evidence: Evidence[] = ordered.map((m) => ({
    where: m.field.pointer ? `${m.field.name} (${m.field.pointer})` : m.field.name,
    expected: `no match of ${m.rule.id} "${m.rule.name}" (${m.rule.family}, paranoia ${m.rule.paranoia}, +${m.rule.score})`,
    observed: `${shown(m, c.secretHeaders)}${m.applied.length ? ` after ${m.applied.join(', ')}` : ''}${m.alsoIn ? `; also in ${m.alsoIn} other field${m.alsoIn > 1 ? 's' : ''}` : ''}`,
  }));
  const list = ordered.map((m) => `${m.rule.id} at ${m.field.name} (+${m.rule.score})`).join(', ');
  const snippet = exclusionSnippet(c, top);
  return {
    code: 'waf.blocked',
    ruleId: top.rule.id,
    ruleName: top.rule.name,
    ruleSource: `src/layers/waf/rules/${top.rule.family}.yaml`,
    detail: `anomaly score ${score} reached the threshold ${c.threshold} of route ${c.routeId} (paranoia ${c.paranoia}); ${ordered.length} rule${ordered.length > 1 ? 's' : ''} matched: ${list}`,
    hint: 'The request was blocked by the web application firewall.',
    evidence,
    fixes: [
      { who: 'client', action: 'Do not send the same request again; if it is legitimate, give the request id to the API owner.', proved: false, retryable: false },
      { who: 'operator', action: `If this is a false positive, exempt the field from the rule on this route: ${snippet}`, proved: false, retryable: false },
    ],
    denyKind: 'threshold',
  };
}

function exclusionSnippet(c: DenialContext, m: RuleMatch): string {
  const field = m.field.name.replace(/\[\d+\]/g, '[*]');
  return `routes[${c.routeIndex}] (${c.routeId}): waf: { exclusions: [{ rule: ${m.rule.id}, field: "${field}" }] }`;
}

function shown(m: RuleMatch, secretHeaders: ReadonlySet<string>): string {
  if (isSecret(m.field, secretHeaders)) return `[redacted: ${m.fragment.length} characters]`;
  return quote(m.fragment);
}

/** Cookie values, secret headers and fields named like secrets are never shown. */
function isSecret(f: Field, secretHeaders: ReadonlySet<string>): boolean {
  if (f.kind === 'cookie.value') return true;
  if (f.kind === 'header') return secretHeaders.has(f.header!) || SECRET_NAME.test(f.header!);
  if (f.kind === 'query.value' || f.kind === 'body.value') return SECRET_NAME.test(lastKey(f.name));
  return false;
}

function lastKey(name: string): string {
  const dot = Math.max(name.lastIndexOf('.'), name.lastIndexOf('['));
  return name.slice(dot + 1);
}

function quote(s: string): string {
  let out = '';
  for (let i = 0; i < s.length && out.length < FRAGMENT_MAX; i++) {
    const c = s.charCodeAt(i);
    out += c < 0x20 || c === 0x7f ? `\\x${c.toString(16).padStart(2, '0')}` : s[i];
  }
  return `"${out}${s.length > FRAGMENT_MAX ? '...' : ''}"`;
}
