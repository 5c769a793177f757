import type { DecisionCode } from '../../decision/codes.ts';
import type { Denial, Evidence, Fix } from '../../decision/types.ts';

export interface ProtocolRefusal {
  code: DecisionCode;
  ruleId: string;
  /** For the operator: what exactly was wrong. */
  detail: string;
  /** For the client developer: what to change. Protocol codes disclose it to anyone. */
  hint: string;
  evidence: Evidence[];
  /** When an operator setting could make the request pass (a limit), what to change. */
  operatorAction?: string;
}

/** The one shape of every protocol denial, from the layer and from the parser alike. */
export function protocolDenial(r: ProtocolRefusal): Denial {
  const fixes: Fix[] = [{ who: 'client', action: r.hint, proved: false, retryable: false }];
  if (r.operatorAction) fixes.push({ who: 'operator', action: r.operatorAction, proved: false, retryable: false });
  return { code: r.code, ruleId: r.ruleId, detail: r.detail, hint: r.hint, evidence: r.evidence, fixes };
}

/** Shows a short piece of untrusted text safely: printable ASCII and space as is, anything else as %XX. */
export function printable(text: string, max = 80): string {
  let out = '';
  for (let i = 0; i < text.length && out.length < max; i++) {
    const c = text.charCodeAt(i);
    out += c >= 0x20 && c < 0x7f ? text[i] : '%' + (c & 0xff).toString(16).toUpperCase().padStart(2, '0');
  }
  return text.length > max ? out + '...' : out;
}
