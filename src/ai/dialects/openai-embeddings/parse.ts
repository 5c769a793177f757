/** An Embeddings request body (POST /embeddings) → the canonical EmbeddingsRequest. */
import { z } from 'zod';
import { compact, parseWire, refuseUnsupported, type Unsupported } from '../shared/wire.ts';
import type { ParsedCall } from '../types.ts';

const Body = z.object({
  model: z.string().min(1),
  input: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  dimensions: z.int().min(1).nullish(),
  encoding_format: z.enum(['float', 'base64']).nullish(),
  user: z.string().nullish(),
});

const isTokens = (v: unknown) => typeof v === 'number' || Array.isArray(v);

const UNSUPPORTED: readonly Unsupported[] = [
  {
    path: 'input',
    when: (b) => Array.isArray(b.input) && b.input.some(isTokens),
    why: 'token arrays are not supported: the gateway routes one model name to providers with different tokenizers; send the text as a string or an array of strings',
  },
];

export function parseEmbeddings(json: unknown): ParsedCall {
  refuseUnsupported(json, UNSUPPORTED);
  const b = parseWire(Body, json);
  return {
    operation: 'embeddings',
    request: compact({ model: b.model, input: typeof b.input === 'string' ? [b.input] : b.input, dimensions: b.dimensions ?? undefined, user: b.user ?? undefined }),
    encoding: b.encoding_format ?? 'float',
  };
}
