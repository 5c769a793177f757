import type { Config } from '../config/schema.ts';

/**
 * The call log settings of a config, with every header that carries a credential redacted:
 * a custom API key header (authn.apiKeys.header) is a secret even if log.redactHeaders forgets it,
 * and so is the CSRF token header (csrf.header) of a gateway with sessions.
 */
export function callLogSettings(config: Config, file: string): Config['log'] {
  const secretHeaders = [config.authn.apiKeys.header.toLowerCase()];
  if (config.authn.sessions) secretHeaders.push(config.csrf.header.toLowerCase());
  const missing = secretHeaders.filter((h) => !config.log.redactHeaders.includes(h));
  const redactHeaders = missing.length ? [...config.log.redactHeaders, ...missing] : config.log.redactHeaders;
  return { ...config.log, file, redactHeaders };
}
