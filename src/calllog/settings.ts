import type { Config } from '../config/schema.ts';

/**
 * The call log settings of a config, with every header that carries a credential redacted:
 * a custom API key header (authn.apiKeys.header) is a secret even if log.redactHeaders forgets it.
 */
export function callLogSettings(config: Config, file: string): Config['log'] {
  const keyHeader = config.authn.apiKeys.header.toLowerCase();
  const redactHeaders = config.log.redactHeaders.includes(keyHeader) ? config.log.redactHeaders : [...config.log.redactHeaders, keyHeader];
  return { ...config.log, file, redactHeaders };
}
