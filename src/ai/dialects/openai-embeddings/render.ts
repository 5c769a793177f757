/** A canonical EmbeddingsResponse → OpenAI's `list` object of embeddings, float or base64. */
import type { EmbeddingsResponse } from '../../types.ts';
import type { RenderContext } from '../types.ts';

export function renderEmbeddings(resp: EmbeddingsResponse, ctx: RenderContext, encoding?: string): unknown {
  const input = resp.usage?.inputTokens ?? 0;
  return {
    object: 'list',
    data: resp.vectors.map((v, index) => ({ object: 'embedding', index, embedding: encoding === 'base64' ? base64Float32(v) : v })),
    model: ctx.model,
    usage: { prompt_tokens: input, total_tokens: input },
  };
}

/** OpenAI's base64 form: the vector as little-endian float32s. */
export function base64Float32(v: readonly number[]): string {
  const buf = Buffer.alloc(v.length * 4);
  v.forEach((x, i) => buf.writeFloatLE(x, i * 4));
  return buf.toString('base64');
}
