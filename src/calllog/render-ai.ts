/**
 * The AI part of `pinpoint why`: the alias and the provider model that answered, every
 * provider hop, why the chain stopped, usage, cost, time to first token, the template and
 * the budget warnings; and the budgets of an AI budget denial (its violated_budgets member).
 */
import type { AiCallRecord } from '../ai/record.ts';
import type { Usage } from '../ai/types.ts';
import { printable, renderTable } from './text-table.ts';

/** Dollars: cents from a dollar up, else enough digits to show the figure (never "$0.00" for a priced call). */
export function formatUsd(usd: number): string {
  if (!Number.isFinite(usd)) return '?';
  if (usd === 0) return '$0';
  if (Math.abs(usd) >= 1) return `$${usd.toFixed(2)}`;
  const digits = Math.min(10, Math.max(4, Math.ceil(-Math.log10(Math.abs(usd))) + 2));
  return `$${usd.toFixed(digits).replace(/0+$/, '')}`;
}

/** "12 in (4 cached), 3 out (1 reasoning)", with the estimate marked. */
export function usageText(u: Usage): string {
  const input = `${u.inputTokens} in${u.cachedInputTokens ? ` (${u.cachedInputTokens} cached)` : ''}`;
  const output = `${u.outputTokens} out${u.reasoningTokens ? ` (${u.reasoningTokens} reasoning)` : ''}`;
  return `${input}, ${output}${u.estimated ? ' [estimated: the provider sent no usage, the gateway counted]' : ''}`;
}

/** The cost line: the figure, or why there is none (an unpriced model is never shown as free). */
export function costText(ai: AiCallRecord): string {
  if (ai.unpriced) return 'unpriced (the model has no price: not costed, not counted as zero)';
  if (ai.costUsd !== undefined) return formatUsd(ai.costUsd) + (ai.usage?.estimated ? ' (from estimated usage)' : '');
  return ai.usage ? '(not costed)' : '(no usage: nothing to cost)';
}

/** Field rows of the AI section, for the caller's field list. */
export function aiFields(ai: AiCallRecord): Array<[string, string | undefined]> {
  const answered = ai.provider ? `${ai.provider}/${ai.model ?? '?'}` : '(no provider answered)';
  return [
    ['api', `${ai.api}${ai.stream ? ', streamed' : ''}`],
    ['model', `${ai.alias} → ${answered}`],
    ['template', ai.template && `route ${ai.template.route}, version ${ai.template.version}`],
    ['usage', ai.usage ? usageText(ai.usage) : '(none: no provider answered)'],
    ['cost', costText(ai)],
    ['first token', ai.ttftMs !== undefined ? `${ai.ttftMs.toFixed(1)} ms` : undefined],
    ['finish', ai.finishReason],
    ['stopped', ai.stopped || undefined],
  ];
}

/** The provider hops in order, then the budget warnings. */
export function renderAiDetail(ai: AiCallRecord): string[] {
  const out: string[] = ['', 'Provider hops (in order)'];
  out.push(
    ai.hops.length
      ? renderTable(
          ['#', 'provider', 'model', 'status', 'ms', 'outcome', 'provider request id', 'message'],
          ai.hops.map((h, i) => [String(i + 1), h.provider, h.model, h.status ?? '-', h.ms.toFixed(1), h.outcome, h.providerRequestId ?? '-', h.message ?? '']),
          { indent: '  ', maxCell: 120 },
        )
      : '  (none: no provider was called)',
  );
  if (ai.warnings?.length) {
    out.push('', 'Budget warnings');
    for (const w of ai.warnings) out.push(`  - ${printable(w)}`);
  }
  return out;
}

interface BudgetEntry {
  budget?: unknown;
  per?: unknown;
  who?: unknown;
  kind?: unknown;
  unit?: unknown;
  limit?: unknown;
  used?: unknown;
  this_call?: unknown;
  resets_at?: unknown;
  retry_after_s?: unknown;
}

function amount(unit: unknown, value: unknown): string {
  if (typeof value !== 'number') return printable(value);
  return unit === 'usd' ? formatUsd(value) : `${value} ${printable(unit)}`;
}

/**
 * Budget entries as the ai layer writes them (a denial's violated_budgets, explain's standing):
 * limit, used, this call, reset and retry; `who` (key label, consumer or tenant) when present.
 */
export function renderBudgetTable(list: readonly BudgetEntry[]): string {
  const who = list.some((b) => b.who !== undefined);
  // Reset and retry columns only when some budget has them (a per-minute budget that admits has neither).
  const resets = list.some((b) => b.resets_at !== undefined);
  const retry = list.some((b) => b.retry_after_s !== undefined);
  const headers = ['budget', 'per', 'kind', 'limit', 'used', 'this call', ...(resets ? ['resets at'] : []), ...(retry ? ['retry after'] : [])];
  const rows = list.map((b) => [
    b.budget,
    who ? `${printable(b.per)} ${printable(b.who)}` : b.per,
    b.kind,
    amount(b.unit, b.limit),
    amount(b.unit, b.used),
    amount(b.unit, b.this_call),
    ...(resets ? [b.resets_at ?? '-'] : []),
    ...(retry ? [b.retry_after_s !== undefined ? `${b.retry_after_s} s` : '-'] : []),
  ]);
  return renderTable(headers, rows, { indent: '  ' });
}

/** The budgets an AI denial names (its violated_budgets member), as a table; none when absent. */
export function renderViolatedBudgets(extensions: Record<string, unknown> | undefined): string[] {
  const list = extensions?.violated_budgets;
  if (!Array.isArray(list) || list.length === 0) return [];
  return ['', 'Budgets that refused', renderBudgetTable(list as BudgetEntry[])];
}
