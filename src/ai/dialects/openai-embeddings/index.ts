import { openAiError } from '../shared/openai-error.ts';
import type { Dialect } from '../types.ts';
import { parseEmbeddings } from './parse.ts';
import { renderEmbeddings } from './render.ts';

/** OpenAI Embeddings (POST /embeddings). */
export const openAiEmbeddings: Dialect = {
  name: 'openai-embeddings',
  family: 'openai',
  parse: parseEmbeddings,
  renderEmbeddings,
  error: openAiError,
};
