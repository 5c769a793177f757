import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { ConfigError, loadConfigFile, loadConfigText, type LoadedConfig, type LoadOptions } from './load.ts';

export interface WatchOptions extends LoadOptions {
  /** Revision already serving; a file that loads to it again is not reported. Default: the file's at start. */
  currentRevision?: string;
  /** Quiet time after the last file event before reloading (default 100 ms). */
  debounceMs?: number;
  /** Listen for SIGHUP (default true; not available on Windows). */
  sighup?: boolean;
}

const MISSING_RETRIES = 5;

/**
 * Reloads the config on SIGHUP and when the file changes. A config that fails to load is
 * reported to onError and onLoad is not called, so the caller keeps serving the old one.
 * A reload that gives the revision already serving is skipped.
 *
 * The directory is watched rather than the file: editors that save by writing a new file
 * and renaming it over the old one replace the inode a file watch would be attached to.
 */
export function watchConfig(
  file: string,
  onLoad: (loaded: LoadedConfig) => void,
  onError: (err: ConfigError | Error) => void,
  opts: WatchOptions = {},
): { close(): void } {
  const path = resolve(file);
  const name = basename(path);
  const debounceMs = opts.debounceMs ?? 100;
  let current = opts.currentRevision ?? initialRevision(file, opts);
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  let closed = false;

  const schedule = (delay = debounceMs, missingTries = 0) => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => void reload(missingTries), delay);
  };

  const reload = async (missingTries: number): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        // Mid-save, between an editor's unlink and its rename: look again shortly.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' && missingTries < MISSING_RETRIES) return schedule(debounceMs, missingTries + 1);
        throw new ConfigError(file, [{ path: [], message: `cannot read the config file: ${(err as Error).message}` }], { cause: err });
      }
      if (closed) return;
      const loaded = loadConfigText(text, file, opts);
      if (loaded.revision === current) return;
      onLoad(loaded);
      current = loaded.revision;
    } catch (err) {
      if (!closed) onError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      running = false;
      if (again && !closed) {
        again = false;
        schedule(0);
      }
    }
  };

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), (_event, changed) => {
      // Some platforms do not say which file changed; reloading an unchanged config is harmless.
      if (changed === null || changed === name) schedule();
    });
    watcher.on('error', (err) => onError(err));
  } catch (err) {
    onError(err as Error);
  }

  const onSighup = () => schedule(0);
  const sighup = opts.sighup !== false && process.platform !== 'win32';
  if (sighup) process.on('SIGHUP', onSighup);

  return {
    close() {
      closed = true;
      clearTimeout(timer);
      watcher?.close();
      if (sighup) process.off('SIGHUP', onSighup);
    },
  };
}

function initialRevision(file: string, opts: LoadOptions): string | undefined {
  try {
    return loadConfigFile(file, opts).revision;
  } catch {
    return undefined;
  }
}
