import type { Evidence } from '../../decision/types.ts';
import { ConfigPathError } from './errors.ts';
import { compileRef, shown, type Inputs, type Ref, type RefContext, type Value } from './references.ts';
import type { ConditionConfig } from './schema.ts';

/**
 * Conditions: one reference checked by one operator (is, in, notIn, equals, present) or a
 * time window. Compiled at load into closures; nothing is parsed or evaluated as code.
 */
export interface CompiledCondition {
  id: string;
  /** What the condition says, for the operator: "body:/currency in [EUR, USD]". */
  text: string;
  /** What the caller is told when it fails (the condition's hint, or a description without compared values). */
  hint: string;
  needsBody: boolean;
  /** undefined when it holds; otherwise what was compared. */
  check(inputs: Inputs, now: number): Failure | undefined;
}

export interface Failure {
  evidence: Evidence[];
  /** Seconds until the condition can hold again by itself (a time window), when known. */
  retryAfterS?: number;
}

export function compileCondition(c: ConditionConfig, path: (string | number)[], rc: RefContext, fallbackId: string): CompiledCondition {
  const id = c.id ?? fallbackId;
  if (c.time) return timeCondition(id, c.time, c.hint, [...path, 'time']);
  const ref = compileRef(c.value!, rc);
  const make = (text: string, description: string, holds: (v: Value, inputs: Inputs) => boolean, expected: (inputs: Inputs) => string, other?: Ref): CompiledCondition => ({
    id,
    text,
    hint: c.hint ?? `${capital(description)}.`,
    needsBody: ref.needsBody || (other?.needsBody ?? false),
    check(inputs) {
      const v = ref.read(inputs);
      if (holds(v, inputs)) return undefined;
      const evidence: Evidence[] = [{ where: ref.where, expected: expected(inputs), observed: shown(ref, v) }];
      return { evidence };
    },
  });
  if (c.is !== undefined) {
    const want = c.is;
    return make(`${ref.text} is ${JSON.stringify(want)}`, `${ref.label} must have the value the API expects`, (v) => v === want, () => JSON.stringify(want));
  }
  if (c.notIn !== undefined) {
    const set = new Set(c.notIn);
    return make(`${ref.text} not in [${c.notIn.join(', ')}]`, `${ref.label} must be present and none of: ${c.notIn.join(', ')}`, (v) => typeof v === 'string' && !set.has(v), () => `none of ${c.notIn!.join(', ')}`);
  }
  if (c.present !== undefined) {
    const want = c.present;
    return make(`${ref.text} ${want ? 'present' : 'absent'}`, `${ref.label} must be ${want ? 'present' : 'absent'}`, (v) => (v !== undefined) === want, () => (want ? 'present' : 'absent'));
  }
  if (Array.isArray(c.in)) {
    const list = c.in;
    const set = new Set(list);
    return make(`${ref.text} in [${list.join(', ')}]`, `${ref.label} must be one of: ${list.join(', ')}`, (v) => typeof v === 'string' && set.has(v), () => `one of ${list.join(', ')}`);
  }
  // `in` a list attribute, or `equals` another reference: both sides are read from the request.
  const other = compileRef((c.in ?? c.equals) as string, rc);
  const member = c.in !== undefined;
  const holds = (v: Value, inputs: Inputs) => {
    if (typeof v !== 'string') return false;
    const o = other.read(inputs);
    return typeof o === 'string' ? o === v : Array.isArray(o) ? o.includes(v) : false;
  };
  const expected = (inputs: Inputs) => `${member ? 'one of' : 'equal to'} ${other.where} (${shown(other, other.read(inputs))})`;
  return make(`${ref.text} ${member ? 'in' : 'equals'} ${other.text}`, `${ref.label} must ${member ? 'be one of' : 'equal'} ${other.label}`, holds, expected, other);
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

interface ClockReading {
  minute: number;
  day: string;
}

function timeCondition(id: string, t: NonNullable<ConditionConfig['time']>, hint: string | undefined, path: (string | number)[]): CompiledCondition {
  const from = minutes(t.from);
  const to = minutes(t.to);
  const days = t.days && new Set<string>(t.days);
  const read = clock(t.zone, [...path, 'zone']);
  const inWindow = (m: number) => (from <= to ? m >= from && m < to : m >= from || m < to);
  const text = `time ${t.from}-${t.to} ${t.zone}${t.days ? ` on ${t.days.join(', ')}` : ''}`;
  return {
    id,
    text,
    hint: hint ?? `This request is accepted only from ${t.from} to ${t.to} (${t.zone})${t.days ? ` on ${t.days.join(', ')}` : ''}.`,
    needsBody: false,
    check(_inputs, now) {
      const c = read(now);
      if (inWindow(c.minute) && (!days || days.has(c.day))) return undefined;
      const observed = `${String(Math.floor(c.minute / 60)).padStart(2, '0')}:${String(c.minute % 60).padStart(2, '0')} ${c.day} (${t.zone})`;
      // Without a day list the window opens again at `from`: say when.
      const retryAfterS = days ? undefined : ((from - c.minute + 1440) % 1440) * 60;
      return { evidence: [{ where: 'time', expected: text.slice(5), observed }], retryAfterS };
    },
  };
}

function minutes(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** Reads minute of day and weekday in a zone; the zone is checked at load (a typo is a config error). */
function clock(zone: string, path: (string | number)[]): (now: number) => ClockReading {
  if (zone === 'UTC') {
    return (now) => {
      const d = new Date(now);
      return { minute: d.getUTCHours() * 60 + d.getUTCMinutes(), day: WEEKDAYS[d.getUTCDay()] };
    };
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: '2-digit', minute: '2-digit', weekday: 'short', hourCycle: 'h23' });
  } catch {
    throw new ConfigPathError(`unknown time zone ${JSON.stringify(zone)}: use an IANA name such as UTC or Europe/Berlin`, path);
  }
  return (now) => {
    let hour = 0;
    let minute = 0;
    let day = 'mon';
    for (const p of format.formatToParts(now)) {
      if (p.type === 'hour') hour = Number(p.value);
      else if (p.type === 'minute') minute = Number(p.value);
      else if (p.type === 'weekday') day = p.value.slice(0, 3).toLowerCase();
    }
    return { minute: hour * 60 + minute, day };
  };
}

