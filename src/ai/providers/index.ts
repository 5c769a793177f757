import type { ProviderAdapter, ProviderType } from './types.ts';

/** The provider adapters by type: the one place a new provider folder is registered. */
export const adapters: Partial<Record<ProviderType, ProviderAdapter>> = {};

export function adapterFor(type: ProviderType): ProviderAdapter | undefined {
  return adapters[type];
}
