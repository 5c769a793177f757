import type { Candidate, DenialCase } from '../candidates.ts';
import { configPath, updateAt } from './config-edit.ts';

/**
 * IP lists: the rule id is the list's config path (`ip.deny[0]`, `routes[2].ip.allow`), so the
 * operator's change (drop the deny entry, add the address to the allow list) is made on a copy
 * of the config and tried.
 */
export function ipProposals(c: DenialCase): Candidate[] {
  const d = c.trial.decision;
  const rule = d.rule?.id ?? '';
  const deny = /^(.*)\.deny\[(\d+)\]$/.exec(rule);
  if (deny) {
    const path = [...configPath(deny[1]), 'deny'];
    const index = Number(deny[2]);
    return [{ who: 'operator', action: `Remove entry ${index} of ${deny[1]}.deny.`, config: (cfg) => updateAt(cfg, path, (list) => (list as unknown[]).filter((_, i) => i !== index)) }];
  }
  const allow = /^(.*)\.allow$/.exec(rule);
  const address = c.trial.ctx.req.clientIp;
  if (allow && address) {
    const path = [...configPath(allow[1]), 'allow'];
    return [{ who: 'operator', action: `Add ${address} to ${allow[1]}.allow.`, config: (cfg) => updateAt(cfg, path, (list) => [...((list as string[] | undefined) ?? []), address]) }];
  }
  return [];
}

