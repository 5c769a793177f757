import type { ParamMap } from '../params.ts';

/** Canonical sampling fields → Messages API body fields. */
export const params: ParamMap = {
  maxOutputTokens: 'max_tokens',
  temperature: 'temperature',
  topP: 'top_p',
  stop: 'stop_sequences',
  user: 'metadata.user_id',
};

/** Anthropic requires max_tokens; a call that sets none gets this. */
export const DEFAULT_MAX_TOKENS = 4096;
export const DEFAULT_VERSION = '2023-06-01';
export const DEFAULT_BASE_URL = 'https://api.anthropic.com';
