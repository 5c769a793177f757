/** A canonical ChatResponse → a Responses API `response` object. */
import type { ChatResponse } from '../../types.ts';
import type { RenderContext } from '../types.ts';
import { finishStatus, responseIds, responseObject, type OutputItem } from './response.ts';

export function renderResponse(resp: ChatResponse, ctx: RenderContext): unknown {
  return responseObject(ctx, { ...finishStatus(resp.finishReason), output: outputItems(resp, ctx), ...(resp.usage ? { usage: resp.usage } : {}) });
}

/** Consecutive text parts make one message item; each tool call is a function_call item. */
function outputItems(resp: ChatResponse, ctx: RenderContext): OutputItem[] {
  const ids = responseIds(ctx);
  const items: OutputItem[] = [];
  for (const p of resp.parts) {
    const last = items[items.length - 1];
    if (p.type === 'text') {
      if (last?.kind === 'message') last.text += p.text;
      else items.push({ kind: 'message', id: ids.item('msg', items.length), text: p.text });
    } else if (p.type === 'tool_call') {
      items.push({ kind: 'function_call', id: ids.item('fc', items.length), callId: p.id, name: p.name, args: p.arguments });
    }
  }
  return items;
}
