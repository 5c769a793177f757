import type { Config } from '../../config/schema.ts';
import { ownerKeyProblem } from '../../store/owners.ts';
import { pointerTokens, readPointer } from './json.ts';
import { canonicalSegment } from './owner.ts';

/**
 * owner.record on a create route: where the id of the created resource is in the upstream's
 * 2xx answer. Compiled at load; the server runs it after the answer was relayed
 * (src/server/owner-record.ts), so recording never delays or changes the client's response.
 */
export interface RecordPlan {
  resource: string;
  methods: ReadonlySet<string>;
  /** JSON pointer tokens of the id in the answer body; undefined: the Location header. */
  pointer?: readonly string[];
  /** "body:/id" or "location", for messages. */
  from: string;
}

/** The most of a create's answer kept to read the id from (an answer to a create is small). */
export const RECORD_BODY_LIMIT = 256 * 1024;

export function compileRecordPlans(config: Config): Map<string, RecordPlan> {
  const out = new Map<string, RecordPlan>();
  for (const route of config.routes) {
    const r = route.authz?.owner?.record;
    if (!r) continue;
    out.set(route.id, {
      resource: r.resource,
      methods: new Set(r.methods),
      pointer: r.id === 'location' ? undefined : pointerTokens(r.id.slice('body:'.length)),
      from: r.id,
    });
  }
  return out;
}

/** What the answer says the new resource's id is, or why it says nothing usable. */
export function createdId(plan: RecordPlan, answer: { location?: string; body?: Buffer; bodyIncomplete?: string }): { id: string } | { failed: string } {
  let id: string;
  if (plan.pointer === undefined) {
    if (!answer.location) return { failed: 'the answer has no Location header' };
    const read = lastSegment(answer.location);
    if ('failed' in read) return read;
    id = read.id;
  } else {
    if (answer.bodyIncomplete) return { failed: answer.bodyIncomplete };
    let doc: unknown;
    try {
      doc = JSON.parse((answer.body ?? Buffer.alloc(0)).toString('utf8'));
    } catch {
      return { failed: 'the answer body is not JSON' };
    }
    const v = readPointer(doc, plan.pointer);
    if (typeof v !== 'string' && typeof v !== 'number') return { failed: `the answer body has no text or number at ${plan.from.slice('body:'.length)}` };
    id = String(v);
  }
  const problem = ownerKeyProblem(plan.resource, id);
  return problem ? { failed: `the id ${JSON.stringify(id.slice(0, 100))} cannot be recorded: ${problem}` } : { id };
}

/**
 * The last path segment of a Location (absolute or relative; a trailing slash ignored), decoded
 * as a path parameter is (owner.ts canonicalSegment), so the id recorded is the id the routes read.
 */
function lastSegment(location: string): { id: string } | { failed: string } {
  let path: string;
  try {
    path = new URL(location, 'http://gateway.invalid').pathname;
  } catch {
    return { failed: `the Location header ${JSON.stringify(location.slice(0, 100))} is not a URL` };
  }
  const segments = path.split('/').filter((s, i, all) => !(s === '' && i === all.length - 1));
  const read = canonicalSegment(segments[segments.length - 1]);
  return 'unclear' in read ? { failed: `the Location header ${JSON.stringify(location.slice(0, 100))}: ${read.unclear}` } : { id: read.value };
}
