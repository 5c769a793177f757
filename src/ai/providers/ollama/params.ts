import type { ParamMap } from '../params.ts';

/** Ollama's sampling settings live in `options` (num_predict is its output token limit); it has no `user`. */
export const ollamaParams: ParamMap = {
  maxOutputTokens: 'options.num_predict',
  temperature: 'options.temperature',
  topP: 'options.top_p',
  stop: 'options.stop',
};
