import type { ParamMap } from '../params.ts';

/** Canonical sampling fields → Messages API body fields. */
export const params: ParamMap = {
  maxOutputTokens: 'max_tokens',
  temperature: 'temperature',
  topP: 'top_p',
  stop: 'stop_sequences',
  user: 'metadata.user_id',
};

/**
 * API version 2026-10-21 removed temperature, top_p and top_k: a call that sends any of them
 * (even at its default) is a 400. Under that version and later ones they are not sent.
 */
export const paramsSince20261021: ParamMap = {
  maxOutputTokens: 'max_tokens',
  stop: 'stop_sequences',
  user: 'metadata.user_id',
};

export function paramsFor(version: string): ParamMap {
  return version >= '2026-10-21' ? paramsSince20261021 : params;
}

/** Anthropic requires max_tokens; a call that sets none gets this. */
export const DEFAULT_MAX_TOKENS = 4096;
export const DEFAULT_VERSION = '2023-06-01';
export const DEFAULT_BASE_URL = 'https://api.anthropic.com';
