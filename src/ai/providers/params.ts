import type { ChatRequest } from '../types.ts';

/**
 * A provider's parameter map: which canonical sampling field goes to which field of its
 * request body (a dotted path: 'generationConfig.maxOutputTokens'). Only fields that are set
 * are written. Messages, tools and formats differ in shape, not just name: each adapter
 * transforms those in code.
 */
export type ParamMap = Partial<Record<'maxOutputTokens' | 'temperature' | 'topP' | 'stop' | 'user', string>>;

export function applyParams(map: ParamMap, req: ChatRequest, body: Record<string, unknown>): Record<string, unknown> {
  for (const field of Object.keys(map) as (keyof ParamMap)[]) {
    const value = req[field];
    if (value === undefined) continue;
    setPath(body, map[field]!, value);
  }
  return body;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let at = obj;
  for (let i = 0; i < keys.length - 1; i++) {
    const next = at[keys[i]];
    if (typeof next === 'object' && next !== null) at = next as Record<string, unknown>;
    else at = at[keys[i]] = {};
  }
  at[keys[keys.length - 1]] = value;
}
