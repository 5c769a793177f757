// The gateway configs of the AI bench, one per case and process, written to the run's folder.
// Every case is the gateway as users run it: the composition root, the call log on (SQLite
// file, the default), no admin listener. They differ only in the route that is measured.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_CONSUMER, BENCH_TENANT } from '../identity.ts';
import { CHAT_PATH, MODEL } from './workload.ts';

/** The gateway's key for the fake provider; the fake accepts any, the gateway needs one set. */
export const PROVIDER_KEY_ENV = 'PINPOINT_BENCH_PROVIDER_KEY';
export const PROVIDER_KEY = 'sk-bench-provider-0123456789abcdef';

export const STORE_FILE = 'store.db';
/** The call log, next to the config (the AI bench reads the gateway's own TTFT from it). */
export const CALL_LOG_FILE = 'calls.db';

export type RouteKind =
  /** serve: ai, public (no authn, no budget): only the AI serving cost. */
  | 'ai'
  /** serve: ai with authn: [apiKey] and a token budget per key (set so high nothing is refused). */
  | 'ai-apikey'
  /** An ordinary route whose service is the same fake: the gateway's plain proxying of the same bytes. */
  | 'proxy';

/** Writes `<dir>/<name>/pinpoint.yaml` for a route of this kind in front of the fake at `fakeOrigin`; returns its path. */
export function writeAiGatewayConfig(dir: string, name: string, kind: RouteKind, fakeOrigin: string): string {
  const caseDir = join(dir, name);
  mkdirSync(caseDir, { recursive: true });
  const file = join(caseDir, 'pinpoint.yaml');
  const head = `gateway:
  listen: { host: 127.0.0.1, port: 0 }
admin:
  enabled: false
log:
  file: ${CALL_LOG_FILE}
`;
  writeFileSync(file, head + (kind === 'proxy' ? proxySections(fakeOrigin) : aiSections(fakeOrigin, kind === 'ai-apikey')));
  return file;
}

function proxySections(fakeOrigin: string): string {
  return `services:
  fake-openai:
    upstreams:
      - url: ${fakeOrigin}
routes:
  - id: chat-proxy
    service: fake-openai
    paths: [${CHAT_PATH}]
    methods: [POST]
`;
}

function aiSections(fakeOrigin: string, apiKey: boolean): string {
  const identity = apiKey
    ? `tenants:
  ${BENCH_TENANT}: {}
consumers:
  ${BENCH_CONSUMER}: { tenant: ${BENCH_TENANT} }
store:
  file: ${STORE_FILE}
`
    : '';
  return `${identity}ai:
  providers:
    fake: { type: openai, baseUrl: "${fakeOrigin}/v1", credentials: { apiKey: { env: ${PROVIDER_KEY_ENV} } } }
  models:
    ${MODEL}:
      targets: [{ provider: fake, model: ${MODEL} }]
${apiKey ? '  budgets:\n    bench: { key: key, tokensPerMinute: 1000000000000 }\n' : ''}routes:
  - id: chat-ai
    serve: ai
    paths: [${CHAT_PATH}]
    methods: [POST]
${apiKey ? '    authn: [apiKey]\n' : ''}    ai: { api: openai${apiKey ? ', budgets: [bench]' : ''} }
`;
}
