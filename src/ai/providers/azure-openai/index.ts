/**
 * Azure OpenAI: the OpenAI wire at {baseUrl}/openai/deployments/{deployment}/...?api-version=,
 * with the key in an `api-key` header. The target's model is the deployment name. There is
 * no default base URL (each resource has its own, https://<resource>.openai.azure.com).
 */
import { openaiWireAdapter } from '../openai/wire.ts';
import type { ProviderAdapter, ProviderTarget } from '../types.ts';
import { azureParams } from './params.ts';

const DEFAULT_API_VERSION = '2024-10-21';

function deploymentUrl(t: ProviderTarget, operation: 'chat/completions' | 'embeddings'): string {
  const version = t.options.apiVersion ?? DEFAULT_API_VERSION;
  return `${t.baseUrl}/openai/deployments/${encodeURIComponent(t.model)}/${operation}?api-version=${encodeURIComponent(version)}`;
}

export const adapter: ProviderAdapter = openaiWireAdapter({
  type: 'azure-openai',
  name: 'Azure OpenAI',
  params: azureParams,
  credentials: { required: ['apiKey'] },
  options: { apiVersion: DEFAULT_API_VERSION },
  chatUrl: (t) => deploymentUrl(t, 'chat/completions'),
  embeddingsUrl: (t) => deploymentUrl(t, 'embeddings'),
  headers: (t) => ({ 'api-key': t.credentials.apiKey }),
  streamUsage: () => true,
  requireDone: true,
});
