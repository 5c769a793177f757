// The work of `pinpoint keys ...` and `pinpoint audit-log` (the commands are defined in ../keys.ts).
import { checkConsumer, expiryFromDays, overlapFromHours } from '../../store/key-input.ts';
import { keyView, SHOWN_ONCE } from '../../store/key-view.ts';
import type { CredentialStore } from '../../store/types.ts';
import { CliError } from '../errors.ts';
import { renderAudit, renderIssued, renderKey, renderKeyList } from '../keys-render.ts';
import type { KeysOptions } from '../keys.ts';
import { cliActor, sentence, storeCliError, storeFromConfig, type StoreSource } from '../store-source.ts';

/** Opens the store, runs, closes; a store refusal becomes one clear line. */
async function withStore<T>(opts: KeysOptions, run: (s: StoreSource) => Promise<T>): Promise<T> {
  const source = await storeFromConfig(opts.config);
  try {
    return await run(source);
  } catch (err) {
    throw storeCliError(err);
  } finally {
    await source.store.close();
  }
}

async function mustGet(store: CredentialStore, id: string) {
  const key = await store.getKey(id);
  if (!key) throw new CliError(`No key has id ${id}. See pinpoint keys list.`);
  return key;
}

const out = (text: string) => process.stdout.write(text);
const json = (value: unknown) => out(JSON.stringify(value, null, 2) + '\n');

export function runKeysAudit(opts: KeysOptions & { since?: number; key?: string; limit: number }): Promise<void> {
  return withStore(opts, async ({ store }) => {
    const entries = await store.listAudit({ since: opts.since, keyId: opts.key, limit: opts.limit });
    if (opts.json) json(entries.map((e) => ({ ...e, at: new Date(e.at).toISOString() })));
    else out(renderAudit(entries));
  });
}

export function runKeysCreate(opts: KeysOptions & { consumer: string; scopes: string[]; expiresIn?: number; name?: string }): Promise<void> {
  return withStore(opts, async ({ config, store }) => {
    const unknown = checkConsumer(config, opts.consumer);
    if (unknown) throw new CliError(sentence(unknown));
    const expiry = opts.expiresIn !== undefined ? expiryFromDays(opts.expiresIn / 24) : undefined;
    if (expiry && !expiry.ok) throw new CliError(`--expires-in: ${expiry.error}`);
    const issued = await store.createKey({ consumer: opts.consumer, scopes: opts.scopes, name: opts.name, expiresAt: expiry?.ok ? expiry.value : undefined, actor: cliActor() });
    if (opts.json) json({ key: issued.key, warning: SHOWN_ONCE, ...keyView(issued.record) });
    else out(renderIssued(issued.key, keyView(issued.record)));
  });
}

export function runKeysList(opts: KeysOptions & { consumer?: string }): Promise<void> {
  return withStore(opts, async ({ store }) => {
    const now = Date.now();
    const views = (await store.listKeys({ consumer: opts.consumer })).map((k) => keyView(k, now));
    if (opts.json) json(views);
    else out(renderKeyList(views));
  });
}

export function runKeysShow(id: string, opts: KeysOptions): Promise<void> {
  return withStore(opts, async ({ store }) => {
    const view = keyView(await mustGet(store, id));
    if (opts.json) json(view);
    else out(renderKey(view));
  });
}

export function runKeysRotate(id: string, opts: KeysOptions & { overlap: number }): Promise<void> {
  return withStore(opts, async ({ store }) => {
    const overlap = overlapFromHours(opts.overlap);
    if (!overlap.ok) throw new CliError(`--overlap: ${overlap.error}`);
    const r = await store.rotateKey(id, { overlapMs: overlap.value, actor: cliActor() });
    if (opts.json) json({ key: r.key, warning: SHOWN_ONCE, ...keyView(r.record), previous: keyView(r.previous) });
    else out(renderIssued(r.key, keyView(r.record), keyView(r.previous)));
  });
}

export function runKeysRevoke(id: string, opts: KeysOptions & { reason: string }): Promise<void> {
  return withStore(opts, async ({ store }) => {
    const view = keyView(await store.revokeKey(id, opts.reason, cliActor()));
    if (opts.json) json(view);
    else out(`Revoked ${view.label} of ${view.consumer}. A running gateway refuses it within a second.\n`);
  });
}
