import type { ParamMap } from '../params.ts';

/** Canonical sampling fields → generateContent body fields. Gemini takes no end-user id. */
export const params: ParamMap = {
  maxOutputTokens: 'generationConfig.maxOutputTokens',
  temperature: 'generationConfig.temperature',
  topP: 'generationConfig.topP',
  stop: 'generationConfig.stopSequences',
};

export const DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';
