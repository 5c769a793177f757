import { formatUsd, renderBudgetTable } from '../calllog/render-ai.ts';
import { printable } from '../calllog/text-table.ts';
import type { ExplainedAi } from './ai.ts';

/** The AI part of an explain in a terminal: where the call would go, its estimate, and the budgets. */
export function renderExplainedAi(ai: ExplainedAi, denied: boolean): string[] {
  const out = ['', 'AI call (dry run: nothing reserved or charged)'];
  const fallbacks = ai.fallbacks.length ? `; fallbacks ${ai.fallbacks.join(', ')}` : '';
  out.push(`  model     ${printable(ai.alias)} → ${ai.targets.join(', ') || '(no target)'}${fallbacks}`);
  out.push(`  call      ${ai.operation}${ai.stream ? ', streamed' : ''}`);
  if (ai.template) out.push(`  template  route ${printable(ai.template.route)}, version ${printable(ai.template.version)}`);
  const e = ai.estimate;
  const cost = e.costUsd !== undefined ? `at most ${formatUsd(e.costUsd)} (at the dearest target)` : 'unpriced (no target has a price)';
  out.push(`  estimate  ${e.inputTokens} prompt tokens (counted by the gateway) + up to ${e.maxOutputTokens} output tokens; ${cost}`);
  if (ai.budgets?.length) {
    out.push('', 'Budgets: the call fits every one (used before this call; what it would add)', renderBudgetTable(ai.budgets));
  } else if (!denied) {
    out.push('  budgets   none applies to this caller on this route');
  }
  for (const w of ai.warnings) out.push(`  warning   ${printable(w)}`);
  return out;
}
