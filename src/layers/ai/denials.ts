import type { AiEstimate } from '../../ai/call-state.ts';
import type { Denial, Fix } from '../../decision/types.ts';
import type { CellOutcome } from '../limits/backend.ts';
import { seconds } from '../limits/headers.ts';
import { usd, type BudgetCell } from './budgets.ts';

/** The route a denial happened on: rule ids point at its config. */
export interface Site {
  routeId: string;
  routeIndex: number;
}

const client = (action: string, retryAfterS?: number): Fix =>
  retryAfterS === undefined ? { who: 'client', action, proved: false, retryable: false } : { who: 'client', action, proved: false, retryable: true, retryAfterS };
const operator = (action: string): Fix => ({ who: 'operator', action, proved: false, retryable: false });

/** 400: the body is not a call of this API (or not JSON); `param` is the JSON path of what is wrong. */
export function requestInvalid(s: Site, param: string, message: string): Denial {
  const where = param ? `body:${param}` : 'body';
  return {
    code: 'ai.request_invalid',
    ruleId: `route:${s.routeId}:ai.request`,
    detail: `route ${s.routeId}: ${param ? `${param}: ` : ''}${message}`,
    hint: param ? `${param}: ${message}` : message,
    evidence: [{ where, expected: 'a valid call of the route\'s AI API', observed: message }],
    fixes: [client(`Correct the request${param ? ` at ${param}` : ''}: ${message}.`)],
    extensions: param ? { param } : undefined,
  };
}

/** 422: the template's variables schema refused the body; every field error is the caller's to see. */
export function templateInvalid(s: Site, errors: readonly { pointer: string; message: string }[], version: string): Denial {
  const first = errors[0];
  return {
    code: 'ai.template_invalid',
    ruleId: `routes[${s.routeIndex}].ai.template.variables`,
    detail: `route ${s.routeId} (template version ${version}): ${errors.map((e) => `${e.pointer || '(body)'} ${e.message}`).join('; ')}`,
    hint: `${first.pointer || 'The body'}: ${first.message}`,
    evidence: errors.map((e) => ({ where: `body:${e.pointer || '/'}`, expected: 'a value the template\'s variables schema accepts', observed: e.message })),
    fixes: [client(`Send the template's variables as its schema describes (first problem at ${first.pointer || 'the body'}: ${first.message}).`)],
    extensions: { param: first.pointer, errors: errors.map((e) => ({ pointer: e.pointer, message: e.message })) },
  };
}

/** 404: no alias of that name under ai.models. The caller learns only that this name does not exist. */
export function modelUnknown(s: Site, alias: string, known: readonly string[]): Denial {
  return {
    code: 'ai.model_unknown',
    ruleId: 'ai.models',
    detail: `route ${s.routeId}: the call names model "${alias}", which is no alias under ai.models (defined: ${known.join(', ') || 'none'})`,
    hint: `The model "${alias}" does not exist.`,
    evidence: [{ where: 'body:model', expected: 'an alias under ai.models', observed: alias }],
    fixes: [client('Name a model the API owner published.'), operator(`Add ai.models.${alias} (targets: provider and model) if clients should call it.`)],
    extensions: { model: alias },
  };
}

/** 400: a chat model called for embeddings, or the other way round. */
export function wrongOperation(s: Site, alias: string, embeddingsModel: boolean): Denial {
  const message = embeddingsModel
    ? `"${alias}" is an embeddings model: call it on the embeddings endpoint`
    : `"${alias}" is a chat model: it does not make embeddings`;
  return requestInvalid(s, 'model', message);
}

/** 400: the prompt plus the output asked for do not fit the model's window (counted before any call). */
export function contextTooLong(s: Site, alias: string, prompt: number, askedOutput: number | undefined, window: number): Denial {
  const asked = askedOutput ?? 0;
  const sum = askedOutput === undefined ? `${prompt} prompt tokens` : `${prompt} prompt tokens + ${asked} output tokens asked = ${prompt + asked}`;
  const over = prompt + asked - window;
  return {
    code: 'ai.context_too_long',
    ruleId: `ai.models.${alias}.contextWindow`,
    detail: `route ${s.routeId}: ${sum}, over the context window of ${alias} (${window} tokens, ai.models.${alias}.contextWindow) by ${over}. Prompt counted by the gateway (o200k_base; an estimate for non-OpenAI models).`,
    hint: `The prompt (about ${prompt} tokens)${askedOutput === undefined ? '' : ` plus the ${asked} output tokens asked for`} exceeds the model's context window of ${window} tokens by ${over}.`,
    evidence: [{ where: 'body:messages', expected: `at most ${window} tokens in all`, observed: sum }],
    fixes: [client(askedOutput === undefined || prompt > window ? `Shorten the prompt by at least ${over} tokens.` : `Shorten the prompt or ask for at most ${Math.max(0, window - prompt)} output tokens.`)],
    extensions: { prompt_tokens: prompt, max_output_tokens: askedOutput ?? null, context_window: window },
  };
}

/** 400: the call asks for more output tokens than the model is configured to give. */
export function outputOverModel(s: Site, alias: string, asked: number, max: number): Denial {
  const d = requestInvalid(s, '', `asks for up to ${asked} output tokens; model "${alias}" gives at most ${max}`);
  d.ruleId = `ai.models.${alias}.maxOutputTokens`;
  d.extensions = { max_output_tokens: asked, model_max_output_tokens: max };
  return d;
}

const UNIT: Record<BudgetCell['kind'], string> = { requests: 'requests', tokens: 'tokens', spend: 'usd' };
const LIMIT_KEY: Record<BudgetCell['kind'], string> = { requests: 'requestsPerMinute', tokens: 'tokensPerMinute', spend: 'spend.limitUsd' };

function amount(info: BudgetCell, units: number): number {
  return info.kind === 'spend' ? units / 1e6 : units;
}

function text(info: BudgetCell, units: number): string {
  return info.kind === 'spend' ? usd(units) : `${units} ${info.kind}`;
}

function window(info: BudgetCell): string {
  return info.kind === 'spend' ? `per UTC ${info.budget.spend!.period}` : 'per minute';
}

function who(info: BudgetCell): string {
  return `${info.budget.per} ${info.who}`;
}

function ruleOf(info: BudgetCell): string {
  return `ai.budgets.${info.budget.name}.${LIMIT_KEY[info.kind]}`;
}

/** How the estimate was made, for the operator. */
function reservedText(info: BudgetCell, alias: string, e: AiEstimate): string {
  if (info.kind === 'requests') return 'this call counts 1';
  const tokens = `${e.inputTokens} prompt tokens + up to ${e.maxOutputTokens} output`;
  return info.kind === 'tokens' ? `this call reserves ${tokens}` : `this call reserves ${usd(info.cost)} (${tokens} on ${alias}, at the dearest of its targets)`;
}

/**
 * 400: the call alone is more than a budget allows in a whole minute or period, so no wait
 * could admit it (a 429 would have the SDKs retry in vain).
 */
export function callExceedsBudget(s: Site, info: BudgetCell, alias: string, e: AiEstimate): Denial {
  const kind = info.kind === 'spend' ? 'its cost' : 'its tokens';
  return {
    code: 'ai.call_exceeds_budget',
    ruleId: ruleOf(info),
    ruleName: info.budget.name,
    detail: `route ${s.routeId}: budget ${info.budget.name} (per ${who(info)}) allows ${text(info, info.limit)} ${window(info)}; ${reservedText(info, alias, e)}, more than the whole budget. Raise ai.budgets.${info.budget.name}.${LIMIT_KEY[info.kind]} to at least ${text(info, info.cost)}, or have the client ask for fewer output tokens.`,
    hint: `This call alone would use ${text(info, info.cost)}, more than the budget ${info.budget.name} allows ${window(info)} (${text(info, info.limit)}): ask for fewer output tokens or send a shorter prompt.`,
    evidence: [{ where: `ai:budget:${info.budget.name} (${who(info)})`, expected: `at most ${text(info, info.limit)} ${window(info)}`, observed: `this call: ${text(info, info.cost)} (${kind})` }],
    fixes: [
      client(`Ask for fewer output tokens (max_tokens) or shorten the prompt, so the call needs at most ${text(info, info.limit)}.`),
      operator(`Raise ai.budgets.${info.budget.name}.${LIMIT_KEY[info.kind]} to at least ${text(info, info.cost)}.`),
    ],
    extensions: { violated_budgets: [entry(info, { used: 0 }, undefined, undefined, 'Ask for fewer output tokens or shorten the prompt.')] },
  };
}

function entry(info: BudgetCell, o: { used: number }, resetsAt: number | undefined, retryAfterS: number | undefined, fix?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    budget: info.budget.name,
    per: info.budget.per,
    kind: info.kind === 'spend' ? `spend_per_${info.budget.spend!.period}` : `${info.kind}_per_minute`,
    unit: UNIT[info.kind],
    limit: amount(info, info.limit),
    used: amount(info, o.used),
    this_call: amount(info, info.cost),
  };
  if (resetsAt !== undefined) out.resets_at = new Date(resetsAt).toISOString();
  if (retryAfterS !== undefined) out.retry_after_s = retryAfterS;
  if (fix !== undefined) out.fix = fix;
  return out;
}

/**
 * Where each budget of an admitted dry run stands (explain): used before this call, what the
 * call would add, for whom (the operator's view: the key label, consumer or tenant), and when a
 * spend period resets. The same members as violated_budgets, so one renderer shows both.
 */
export function budgetStanding(infos: readonly BudgetCell[], outcomes: readonly CellOutcome[]): Array<Record<string, unknown>> {
  return infos.map((info, i) => ({
    ...entry(info, { used: Math.max(0, outcomes[i].used - info.cost) }, info.kind === 'spend' ? info.period!.end : undefined, undefined),
    who: info.who,
  }));
}

/**
 * The cells that refused: 403 ai.budget_exhausted when a spend budget is among them (waiting
 * minutes does not help; see codes.ts), else 429 ai.token_rate_exceeded or
 * ai.request_rate_exceeded with the longest wait as Retry-After. Every refusing budget is
 * listed in violated_budgets for the caller, with the figures.
 */
export function budgetDenial(s: Site, infos: readonly BudgetCell[], outcomes: readonly CellOutcome[], now: number, alias: string, e: AiEstimate): Denial {
  const violated = outcomes.flatMap((o, i) => (o.allowed ? [] : [i]));
  const spend = violated.find((i) => infos[i].kind === 'spend');
  const tokens = violated.find((i) => infos[i].kind === 'tokens');
  const lead = infos[spend ?? tokens ?? violated[0]];
  const waitMs = Math.max(...violated.filter((i) => infos[i].kind !== 'spend').map((i) => outcomes[i].retryAfterMs), 0);
  const retryAfterS = Math.max(1, seconds(waitMs));
  const entries = violated.map((i) => {
    const info = infos[i];
    const o = outcomes[i];
    if (info.kind === 'spend') {
      return entry(info, o, info.period!.end, undefined, `Wait for the budget to reset (${new Date(info.period!.end).toISOString()}), or ask the API owner to raise it.`);
    }
    const wait = Math.max(1, seconds(o.retryAfterMs));
    const fix = info.kind === 'tokens' ? `Wait ${wait} s, or ask for fewer output tokens (this call reserves its prompt plus its max output).` : `Wait ${wait} s before the next call.`;
    return entry(info, o, now + o.retryAfterMs, wait, fix);
  });
  const evidence = violated.map((i) => ({
    where: `ai:budget:${infos[i].budget.name} (${who(infos[i])})`,
    expected: `at most ${text(infos[i], infos[i].limit)} ${window(infos[i])}`,
    observed: `${text(infos[i], outcomes[i].used)} used; ${reservedText(infos[i], alias, e)}; ${infos[i].kind === 'spend' ? `resets at ${new Date(infos[i].period!.end).toISOString()}` : `fits again in ${(outcomes[i].retryAfterMs / 1000).toFixed(3)} s`}`,
  }));
  const detail = violated
    .map((i) => {
      const info = infos[i];
      const need = outcomes[i].used + info.cost;
      return `budget ${info.budget.name} allows ${text(info, info.limit)} ${window(info)} per ${who(info)}: ${text(info, outcomes[i].used)} used, ${reservedText(info, alias, e)} (rule ${ruleOf(info)}; to admit it now the limit would have to be at least ${text(info, need)})`;
    })
    .join('; ');
  if (spend !== undefined) {
    const sp = lead.budget.spend!;
    return {
      code: 'ai.budget_exhausted',
      ruleId: ruleOf(lead),
      ruleName: lead.budget.name,
      detail: `route ${s.routeId}: ${detail}. Resets at ${new Date(lead.period!.end).toISOString()}.`,
      hint: `The spend budget ${lead.budget.name} (per ${lead.budget.per}, ${usd(lead.limit)} per UTC ${sp.period}) has ${usd(Math.max(0, lead.limit - outcomes[spend].used))} left; this call may cost up to ${usd(lead.cost)}. It resets at ${new Date(lead.period!.end).toISOString()}.`,
      evidence,
      fixes: [
        client(`Wait until ${new Date(lead.period!.end).toISOString()}, or ask for fewer output tokens so the call costs less.`),
        { who: lead.budget.per === 'tenant' ? 'tenant_admin' : 'operator', action: `Raise ai.budgets.${lead.budget.name}.spend.limitUsd (at least ${usd(outcomes[spend].used + lead.cost)} admits this call now).`, proved: false, retryable: false },
      ],
      extensions: { violated_budgets: entries },
    };
  }
  const isTokens = tokens !== undefined;
  return {
    code: isTokens ? 'ai.token_rate_exceeded' : 'ai.request_rate_exceeded',
    ruleId: ruleOf(lead),
    ruleName: lead.budget.name,
    detail: `route ${s.routeId}: ${detail}. Fits again at ${new Date(now + waitMs).toISOString()}; Retry-After ${retryAfterS} s (rounded up).`,
    hint: isTokens
      ? `The budget ${lead.budget.name} (per ${lead.budget.per}) allows ${lead.limit} tokens per minute; this call needs ${lead.cost}. Retry after ${retryAfterS} s, or ask for fewer output tokens.`
      : `The budget ${lead.budget.name} (per ${lead.budget.per}) allows ${lead.limit} calls per minute. Retry after ${retryAfterS} s.`,
    evidence,
    fixes: [client(`Wait ${retryAfterS} s (Retry-After) before sending this call again.`, retryAfterS), operator(`Raise ai.budgets.${lead.budget.name}.${LIMIT_KEY[lead.kind]}.`)],
    headers: { 'retry-after': String(retryAfterS) },
    extensions: { violated_budgets: entries },
  };
}

/** 503: the counters could not be reached and a budget of the route fails closed. */
export function budgetUnavailable(budgets: readonly string[], reason: string): Denial {
  return {
    code: 'ai.budget_unavailable',
    ruleId: `ai.budgets.${budgets[0]}.failMode`,
    ruleName: budgets[0],
    detail: `The budget counters could not be reached (${reason}); ${budgets.join(', ')} ${budgets.length === 1 ? 'fails' : 'fail'} closed.`,
    hint: 'The AI budget could not be checked just now; retry shortly.',
    evidence: [{ where: 'ai:budgets', expected: 'the counters answer', observed: reason }],
    fixes: [client('Retry in a few seconds.', 1), operator('Bring Redis back (limits.redis.url), or set failMode: open on these budgets to let calls through unchecked while it is down.')],
    headers: { 'retry-after': '1' },
  };
}
