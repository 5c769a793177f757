import type { ProviderPlan } from './plan.ts';

/**
 * Provider error messages can quote the gateway's own credential (OpenAI's 401 names the key
 * with its last characters: "Incorrect API key provided: sk-proj-****abcd"). Before a
 * provider's words go anywhere (the client, the log), every configured secret and anything
 * shaped like a provider key is cut out.
 */
const KEY_SHAPED = /\b(?:sk|rk|pk|sess|AKIA|ASIA|AIza)[A-Za-z0-9_*.-]{6,}/g;

export function scrubSecrets(message: string, provider: ProviderPlan): string {
  let out = message;
  for (const secret of Object.values(provider.credentials)) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out.replace(KEY_SHAPED, '[redacted]').slice(0, 500);
}
