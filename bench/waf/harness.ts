// Runs requests through the WAF layer exactly as the gateway does (same compiled layer, same body
// parser), at each paranoia level, without HTTP: the scorer measures rules, not sockets.
import { loadConfigText } from '../../src/config/load.ts';
import type { Denial } from '../../src/decision/types.ts';
import { parseBody } from '../../src/layers/body/parse.ts';
import { compileRoutes, type CompiledRoute } from '../../src/layers/route/compile.ts';
import { wafLayer } from '../../src/layers/waf/index.ts';
import type { EvalContext, Layer, RequestDescription } from '../../src/pipeline/types.ts';

export const LEVELS = [1, 2, 3, 4] as const;

export interface Verdict {
  blocked: boolean;
  /** Score of each family among the rules that matched (all of them when the request was blocked). */
  families: Record<string, number>;
  rules: string[];
}

export interface Harness {
  run(req: RequestDescription, level: number): Verdict;
  /** The would-be denial of the request at that level (detect mode), if its score reached the threshold. */
  denial(req: RequestDescription, level: number): Denial | undefined;
}

/** `threshold`: the routes' blocking score (1: every rule that matches shows in the denial). */
export function harness(threshold = 5): Harness {
  const yaml = `services: { s: { upstreams: [{ url: "http://127.0.0.1:9" }] } }
body: { maxBytes: 4194304 }
routes:
${LEVELS.map((l) => `  - { id: pl${l}, service: s, paths: [/pl${l}], waf: { paranoia: ${l}, mode: detect, threshold: ${threshold} } }`).join('\n')}
`;
  const { config } = loadConfigText(yaml, 'waf-score.yaml');
  const layer: Layer = wafLayer(config)!;
  const routes = new Map<number, CompiledRoute>(compileRoutes(config).all.map((r, i) => [LEVELS[i], r]));
  return {
    run(req, level) {
      const denial = this.denial(req, level);
      const families: Record<string, number> = {};
      const rules: string[] = [];
      for (const e of denial?.evidence ?? []) {
        const m = /^no match of (\S+) ".*" \((\w+), paranoia \d, \+(\d+)\)$/.exec(e.expected);
        if (!m) continue;
        rules.push(m[1]);
        families[m[2]] = (families[m[2]] ?? 0) + Number(m[3]);
      }
      return { blocked: denial !== undefined, families, rules };
    },
    denial(req, level) {
      const ctx: EvalContext = { req, audience: 'anyone', route: routes.get(level) };
      if (req.rawBody && req.rawBody.length) ctx.body = parseBody(req.rawBody, req.headers['content-type']);
      layer.evaluate(ctx);
      return ctx.shadowed?.[0]?.denial;
    },
  };
}

export function request(method: string, target: string, headers: Record<string, string> = {}, body?: string | Buffer): RequestDescription {
  const q = target.indexOf('?');
  const lower: Record<string, string> = { host: 'api.example.com', 'user-agent': 'waf-score', accept: '*/*' };
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
  const rawBody = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  if (rawBody && lower['content-length'] === undefined && lower['transfer-encoding'] === undefined) lower['content-length'] = String(rawBody.length);
  return {
    method,
    httpVersion: '1.1',
    path: q === -1 ? target : target.slice(0, q),
    query: q === -1 ? '' : target.slice(q + 1),
    host: 'api.example.com',
    headers: lower,
    clientIp: '127.0.0.1',
    rawBody,
  };
}
