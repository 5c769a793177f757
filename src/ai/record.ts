import type { DialectName } from './dialects/types.ts';
import type { HopFailure } from './failures.ts';
import type { Usage } from './types.ts';

/** One provider call of an AI request, in the order they were made. */
export interface AiHop {
  provider: string;
  model: string;
  /** The provider's HTTP status, when it answered. */
  status?: number;
  ms: number;
  /** ok, or the failure class that ended this hop. */
  outcome: 'ok' | HopFailure | 'stream_error' | 'client_aborted';
  /** The provider's request id, for its support. */
  providerRequestId?: string;
  /** The provider's message (its words; never a credential of ours). */
  message?: string;
}

/** What the call log keeps of an AI call (CallRecord.ai). */
export interface AiCallRecord {
  api: DialectName | 'template';
  alias: string;
  stream: boolean;
  /** The hop that answered (the last one tried when none did). */
  provider?: string;
  model?: string;
  template?: { route: string; version: string };
  usage?: Usage;
  costUsd?: number;
  /** The model has no price: the call was not costed (never counted as zero). */
  unpriced?: boolean;
  /** Time from the request's arrival to the first content byte sent to the client. */
  ttftMs?: number;
  finishReason?: string;
  hops: AiHop[];
  /** Why the chain stopped where it did (operator words). */
  stopped: string;
  /** Budget thresholds crossed by this call. */
  warnings?: string[];
}
