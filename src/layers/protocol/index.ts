import type { Config } from '../../config/schema.ts';
import type { Denial } from '../../decision/types.ts';
import type { EvalContext, Layer, RequestDescription } from '../../pipeline/types.ts';
import { printable, protocolDenial } from './deny.ts';
import { hostLineCount, hostValueProblem } from './host.ts';
import { checkPath, checkQuery, targetForm, type TargetProblem } from './target.ts';

/**
 * The first layer: refuses what Node's HTTP parser accepted but a strict gateway must not
 * forward (RFC 9112). What the parser itself refuses never reaches the pipeline; it is
 * answered in src/server/protocol-errors.ts with codes of the same family.
 *
 * One side effect, on purpose: an absolute-form target whose authority equals Host is
 * rewritten to its origin-form path, so the router, later layers, the call log and the
 * upstream all see one form.
 */
export interface ProtocolOptions {
  maxUrlLength: number;
}

export function compileProtocol(config: Config): ProtocolOptions {
  return { maxUrlLength: config.gateway.maxUrlLength };
}

export function protocolLayer(opts: ProtocolOptions): Layer {
  return {
    name: 'protocol',
    evaluate: (ctx: EvalContext) => checkRequest(ctx.req, opts),
  };
}

export function checkRequest(req: RequestDescription, opts: ProtocolOptions): Denial | undefined {
  const v = req.httpVersion;
  if (v !== '1.1' && v !== '1.0') {
    return protocolDenial({
      code: 'protocol.version_unsupported',
      ruleId: 'protocol:version',
      detail: `HTTP/${printable(v, 10)} is not served; the gateway speaks HTTP/1.1 and HTTP/1.0`,
      hint: 'Send the request as HTTP/1.1.',
      evidence: [{ where: 'version', expected: 'HTTP/1.1 or HTTP/1.0', observed: `HTTP/${printable(v, 10)}` }],
    });
  }

  const length = req.path.length + (req.query ? req.query.length + 1 : 0);
  if (length > opts.maxUrlLength) {
    return protocolDenial({
      code: 'protocol.url_too_long',
      ruleId: 'protocol:max-url-length',
      detail: `the request target is ${length} characters, above gateway.maxUrlLength ${opts.maxUrlLength}`,
      hint: 'Shorten the request target; send large parameters in the request body instead of the query.',
      evidence: [{ where: 'target', expected: `at most ${opts.maxUrlLength} characters`, observed: `${length} characters` }],
      operatorAction: 'Raise gateway.maxUrlLength if such long targets are legitimate.',
    });
  }

  const host = hostDenial(req);
  if (host) return host;

  const form = targetForm(req.path, req.method, firstHost(req.headers.host));
  if (form.form === 'invalid') return targetDenial(form.problem, req.path);
  if (form.form === 'absolute') req.path = form.originPath;
  if (form.form !== 'asterisk') {
    const path = checkPath(req.path);
    if (path) return targetDenial(path, req.path);
  }
  const query = checkQuery(req.query);
  if (query) return targetDenial(query, '');

  return framingDenial(req);
}

function firstHost(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}

function hostDenial(req: RequestDescription): Denial | undefined {
  const raw = req.headers.host;
  const lines = hostLineCount(req.rawHeaders, raw);
  if (lines > 1) {
    return protocolDenial({
      code: 'protocol.host_invalid',
      ruleId: 'protocol:host-single',
      detail: `the request carries ${lines} Host header lines`,
      hint: 'Send exactly one Host header.',
      evidence: [{ where: 'header:Host', expected: 'exactly one Host line', observed: `${lines} lines` }],
    });
  }
  if (lines === 0) {
    if (req.httpVersion === '1.0') return undefined;
    return protocolDenial({
      code: 'protocol.host_missing',
      ruleId: 'protocol:host-required',
      detail: 'an HTTP/1.1 request without a Host header',
      hint: 'HTTP/1.1 requires a Host header; send the host name of the API, e.g. "Host: api.example.com".',
      evidence: [{ where: 'header:Host', expected: 'present (HTTP/1.1)', observed: 'absent' }],
    });
  }
  const value = firstHost(raw) ?? '';
  const problem = hostValueProblem(value);
  if (!problem) return undefined;
  return protocolDenial({
    code: 'protocol.host_invalid',
    ruleId: 'protocol:host-syntax',
    detail: problem,
    hint: 'Send a Host header of the form host or host:port (a DNS name, an IPv4 address or [IPv6]).',
    evidence: [{ where: 'header:Host', expected: 'host[:port]', observed: printable(value, 100) }],
  });
}

function targetDenial(p: TargetProblem, text: string): Denial {
  // Show the path around the problem; the query is never shown (it may carry keys).
  const observed = p.where === 'query' ? `'%' or '#' at position ${p.at} of the query` : printable(text.slice(Math.max(0, p.at - 20), p.at + 20), 60);
  return protocolDenial({
    code: 'protocol.url_invalid',
    ruleId: `protocol:${p.rule}`,
    detail: p.detail,
    hint: p.hint,
    evidence: [{ where: p.where, expected: p.expected, observed }],
  });
}

/** Framing the parser accepts but this gateway does not forward. */
function framingDenial(req: RequestDescription): Denial | undefined {
  const te = req.headers['transfer-encoding'];
  if (te === undefined) return undefined;
  const value = Array.isArray(te) ? te.join(', ') : te;
  if (req.httpVersion === '1.0') {
    // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 means the framing is faulty.
    return protocolDenial({
      code: 'protocol.ambiguous_length',
      ruleId: 'protocol:te-http10',
      detail: 'an HTTP/1.0 request with Transfer-Encoding',
      hint: 'HTTP/1.0 has no Transfer-Encoding; send the body with Content-Length, or use HTTP/1.1.',
      evidence: [{ where: 'header:Transfer-Encoding', expected: 'absent in HTTP/1.0', observed: printable(value, 60) }],
    });
  }
  if (value.trim().toLowerCase() !== 'chunked') {
    // A coding besides chunked (gzip, chunked) would be stripped as hop-by-hop and leave the
    // upstream a body it cannot read.
    return protocolDenial({
      code: 'protocol.transfer_coding_unsupported',
      ruleId: 'protocol:te-chunked-only',
      detail: `Transfer-Encoding "${printable(value, 60)}" is not exactly "chunked"`,
      hint: 'Use "Transfer-Encoding: chunked" alone; to compress the body, use Content-Encoding.',
      evidence: [{ where: 'header:Transfer-Encoding', expected: 'chunked', observed: printable(value, 60) }],
    });
  }
  return undefined;
}
