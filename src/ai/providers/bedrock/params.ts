import type { ParamMap } from '../params.ts';

/** Canonical sampling fields → Converse body fields. Converse takes no end-user id. */
export const params: ParamMap = {
  maxOutputTokens: 'inferenceConfig.maxTokens',
  temperature: 'inferenceConfig.temperature',
  topP: 'inferenceConfig.topP',
  stop: 'inferenceConfig.stopSequences',
};

/** Bedrock's endpoint is per region; src/ai/plan.ts fills `{region}` from the options. */
export const DEFAULT_BASE_URL = 'https://bedrock-runtime.{region}.amazonaws.com';
export const SIGNING_SERVICE = 'bedrock';
