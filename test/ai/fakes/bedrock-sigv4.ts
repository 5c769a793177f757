/**
 * Checks an AWS SigV4 Authorization header the way AWS does: parse its credential scope and
 * signed headers, then sign the request as received (method, raw path, the signed headers,
 * the body bytes) again with the same secret and the date of its x-amz-date, and compare.
 * Used by the Bedrock fake and the Bedrock adapter's tests.
 */
import { createHash } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface ReceivedRequest {
  method: string;
  /** Path as received, still percent-encoded. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array | string;
}

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

export interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** The Authorization header's parts, or undefined when it is not of the SigV4 form. */
export function parseAuthorization(value: string | undefined): ParsedAuthorization | undefined {
  const m = value ? AUTH.exec(value) : null;
  if (!m) return undefined;
  return { accessKeyId: m[1], date: m[2], region: m[3], service: m[4], signedHeaders: m[5].split(';'), signature: m[6] };
}

/** x-amz-date (20250102T030405Z) as a Date. */
export function amzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : undefined;
}

/** Why the signature does not hold, or undefined when it does. */
export async function signatureProblem(req: ReceivedRequest, creds: AwsCredentials): Promise<string | undefined> {
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v.join(',') : v;
  };
  const auth = parseAuthorization(header('authorization'));
  if (!auth) return 'no Authorization header of the AWS4-HMAC-SHA256 form';
  if (auth.accessKeyId !== creds.accessKeyId) return 'unknown access key id';
  const date = amzDate(header('x-amz-date') ?? '');
  if (!date) return 'no x-amz-date';
  if (creds.sessionToken !== undefined && header('x-amz-security-token') !== creds.sessionToken) return 'wrong or missing session token';
  const signed: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const v = header(name);
    if (v === undefined) return `signed header ${name} is missing`;
    signed[name] = v;
  }
  // The signer trusts x-amz-content-sha256 as the body's hash: AWS checks it against the body.
  const bodyHash = createHash('sha256').update(req.body).digest('hex');
  if (signed['x-amz-content-sha256'] !== undefined && signed['x-amz-content-sha256'] !== bodyHash) return 'x-amz-content-sha256 is not the hash of the body';
  const host = signed.host ?? '';
  const signer = new SignatureV4({ service: auth.service, region: auth.region, credentials: creds, sha256: Sha256 });
  const again = await signer.sign({ method: req.method, protocol: 'https:', hostname: host.split(':')[0], path: req.path, query: {}, headers: signed, body: req.body }, { signingDate: date });
  return again.headers.authorization === header('authorization') ? undefined : 'signature mismatch';
}
