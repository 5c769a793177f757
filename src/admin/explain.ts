// POST /explain: the dry run of `pinpoint explain`, against the running gateway's pipeline
// (or a candidate config compiled with the gateway's stores). Nothing is sent upstream,
// nothing counted. The answer is the operator view: the whole decision, trace and fixes.
import { z } from 'zod';
import { ConfigError, loadConfigText } from '../config/load.ts';
import { describeParsed } from '../explain/describe.ts';
import { aiCaveats } from '../explain/ai.ts';
import { explain } from '../explain/explain.ts';
import { loggedRequest, scopesFromStore } from '../explain/from-log.ts';
import { parseRequestInput, RequestInputError } from '../explain/input/index.ts';
import { badRequest, methods, readBody } from './body.ts';
import { sendJson, sendProblem } from './reply.ts';
import type { AdminRequest, Endpoint } from './types.ts';

export const EXPLAIN_PATH = '/explain';

/** A candidate config and a pasted request (a HAR file, say) can be larger than other admin bodies. */
const EXPLAIN_BODY_LIMIT = 1024 * 1024;

const Body = z
  .strictObject({
    request: z.string().optional(),
    requestId: z.string().optional(),
    as: z.string().optional(),
    peer: z.string().default('127.0.0.1'),
    config: z.string().optional(),
    harEntry: z.number().int().min(0).optional(),
  })
  .refine((b) => (b.request === undefined) !== (b.requestId === undefined), 'give either request (curl, HAR or raw HTTP text) or requestId (a logged request)');

export function explainEndpoint(path: string): Endpoint | undefined {
  return path === EXPLAIN_PATH ? methods({ POST: run }) : undefined;
}

async function run(r: AdminRequest): Promise<void> {
  const body = await readBody(r, Body, EXPLAIN_BODY_LIMIT);
  if (!body) return;
  let candidate;
  if (body.config !== undefined) {
    try {
      candidate = loadConfigText(body.config, 'candidate config');
    } catch (err) {
      if (err instanceof ConfigError) return void badRequest(r, err.issues.map((i) => `candidate config${i.line ? ` line ${i.line}` : ''}: ${i.message}`));
      throw err;
    }
  }
  const target = r.deps.explain!(candidate);
  let request;
  let assume;
  let caveats: string[] = [];
  if (body.requestId !== undefined) {
    const call = r.deps.reader.get(body.requestId);
    if (!call) return sendProblem(r.res, 'admin.not_found', r.requestId, r.typeBase, { detail: `No call log entry has request id ${body.requestId}.` });
    ({ request, assume, caveats } = loggedRequest(call, r.deps.keys ? scopesFromStore(r.deps.keys) : undefined));
  } else {
    try {
      request = parseRequestInput(body.request!, { harEntry: body.harEntry });
    } catch (err) {
      if (err instanceof RequestInputError) return void badRequest(r, [`request: ${err.message}`]);
      throw err;
    }
  }
  const desc = describeParsed(request, { peer: body.peer, derive: target.pipeline.clientAddress });
  const report = await explain(target, desc, { as: body.as, assume });
  // The running gateway's counters are live: only --as can make a budget per key look unused.
  caveats = [...caveats, ...aiCaveats(report.ai, report.decision, { emptyCounters: false, assumedKey: body.as !== undefined })];
  sendJson(r.res, 200, { report, caveats, request: { ...request, body: request.body?.toString('base64') } });
}
