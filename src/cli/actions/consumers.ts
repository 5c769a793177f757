// The work of `pinpoint consumers set-password|remove-password` (the commands are defined in ../consumers.ts).
import { passwordProblem } from '../../layers/authn/basic/password.ts';
import { checkConsumer } from '../../store/key-input.ts';
import { CliError } from '../errors.ts';
import { cliActor, sentence, storeCliError, storeFromConfig, type StoreSource } from '../store-source.ts';

const MAX_STDIN = 64 * 1024;

async function withConsumer(consumer: string, configPath: string | undefined, run: (s: StoreSource) => Promise<void>): Promise<void> {
  const source = await storeFromConfig(configPath);
  try {
    const unknown = checkConsumer(source.config, consumer);
    if (unknown) throw new CliError(sentence(unknown));
    await run(source);
  } catch (err) {
    throw storeCliError(err);
  } finally {
    await source.store.close();
  }
}

/** The password from stdin: piped (one trailing newline removed) or typed at a terminal without echo. */
async function readPassword(): Promise<string> {
  const stdin = process.stdin;
  if (stdin.isTTY) return readHidden();
  let text = '';
  stdin.setEncoding('utf8');
  for await (const chunk of stdin) {
    text += chunk as string;
    if (text.length > MAX_STDIN) throw new CliError('The password on stdin is too long.');
  }
  return text.replace(/\r?\n$/, '');
}

function readHidden(): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write('Password (not shown): ');
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let text = '';
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new CliError('Cancelled.'));
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
        if (text.length > MAX_STDIN) return done(new CliError('The password is too long.'));
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}

export function runSetPassword(consumer: string, opts: { config?: string }): Promise<void> {
  return withConsumer(consumer, opts.config, async ({ store }) => {
    const password = await readPassword();
    const problem = passwordProblem(password);
    if (problem) throw new CliError(`Password refused: ${problem}.`);
    const record = await store.setPassword(consumer, password, cliActor());
    process.stdout.write(`Password set for ${consumer} at ${new Date(record.updatedAt).toISOString()} (stored as a scrypt hash only).\n`);
  });
}

export function runRemovePassword(consumer: string, opts: { config?: string }): Promise<void> {
  return withConsumer(consumer, opts.config, async ({ store }) => {
    await store.removePassword(consumer, cliActor());
    process.stdout.write(`Password of ${consumer} removed.\n`);
  });
}
