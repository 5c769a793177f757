import { adapter as anthropic } from './anthropic/index.ts';
import { adapter as azureOpenai } from './azure-openai/index.ts';
import { adapter as bedrock } from './bedrock/index.ts';
import { adapter as gemini } from './gemini/index.ts';
import { adapter as ollama } from './ollama/index.ts';
import { adapter as openaiCompatible } from './openai-compatible/index.ts';
import { adapter as openai } from './openai/index.ts';
import type { ProviderAdapter, ProviderType } from './types.ts';

/** The provider adapters by type: the one place a new provider folder is registered. */
export const adapters: Record<ProviderType, ProviderAdapter> = {
  openai,
  'azure-openai': azureOpenai,
  'openai-compatible': openaiCompatible,
  ollama,
  anthropic,
  gemini,
  bedrock,
};

export function adapterFor(type: ProviderType): ProviderAdapter | undefined {
  return adapters[type];
}
