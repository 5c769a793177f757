import type { ProviderAdapter } from '../types.ts';
import { bedrockError } from './errors.ts';
import { DEFAULT_BASE_URL } from './params.ts';
import { converseBody } from './request.ts';
import { converseResponse } from './response.ts';
import { modelPath, signedCall } from './sign.ts';
import { BedrockStreamDecoder } from './stream.ts';

/**
 * AWS Bedrock's Converse API (POST /model/{model}/converse and /converse-stream), signed with
 * SigV4. No embeddings: Bedrock has no common embeddings API (each model family's InvokeModel
 * body differs, Titan takes one input per call).
 */
export const adapter: ProviderAdapter = {
  type: 'bedrock',
  credentials: { required: ['accessKeyId', 'secretAccessKey'], optional: ['sessionToken'] },
  // No default region: a call signed for the wrong one is refused, so the config must say.
  options: { region: undefined },
  defaultBaseUrl: DEFAULT_BASE_URL,
  chat: {
    call: (req, t) => signedCall(t, modelPath(t.model, req.stream ? 'converse-stream' : 'converse'), JSON.stringify(converseBody(req)), req.stream ? 'application/vnd.amazon.eventstream' : 'application/json'),
    response: converseResponse,
    stream: () => new BedrockStreamDecoder(),
  },
  error: bedrockError,
};
