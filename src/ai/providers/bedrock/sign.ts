import type { HttpCall, ProviderTarget } from '../types.ts';
import { SIGNING_SERVICE } from './params.ts';

/**
 * A Bedrock call signed with AWS Signature Version 4 (service 'bedrock'). The secret key
 * only keys the HMAC: it appears nowhere in the call; the access key id is in the
 * Authorization header's credential scope and a session token in x-amz-security-token,
 * as AWS wants them.
 */
export async function signedCall(t: ProviderTarget, path: string, body: string, accept: string, signingDate?: Date): Promise<HttpCall> {
  const region = t.options.region;
  if (!region) throw new Error(`provider '${t.provider}' (bedrock) needs options.region to sign its calls`);
  const { accessKeyId, secretAccessKey, sessionToken } = t.credentials;
  if (!accessKeyId || !secretAccessKey) throw new Error(`provider '${t.provider}' (bedrock) needs credentials accessKeyId and secretAccessKey`);
  const url = new URL(t.baseUrl + path);
  // The signer is loaded at the first Bedrock call, not with this module: every config load
  // (the CLI's too) registers the provider adapters, and most never call Bedrock.
  const { SignatureV4, Sha256 } = await (signing ??= loadSigning());
  const signer = new SignatureV4({ service: SIGNING_SERVICE, region, credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) }, sha256: Sha256 });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: {},
      headers: { host: url.host, 'content-type': 'application/json', accept },
      body,
    },
    signingDate ? { signingDate } : {},
  );
  return { url: url.href, headers: { ...(signed.headers as Record<string, string>) }, body };
}

let signing: ReturnType<typeof loadSigning> | undefined;

async function loadSigning() {
  const [{ SignatureV4 }, { Sha256 }] = await Promise.all([import('@smithy/signature-v4'), import('@aws-crypto/sha256-js')]);
  return { SignatureV4, Sha256 };
}

/** The path of a model's operation: the model id (which may hold ':' or be an ARN) is one escaped segment, as the AWS SDK sends it. */
export function modelPath(model: string, operation: 'converse' | 'converse-stream'): string {
  return `/model/${encodeURIComponent(model)}/${operation}`;
}
