// Splits a POSIX shell command line (bash, as browsers' "Copy as cURL" writes it) into words.
// shell-quote does the quoting rules, including bash's ANSI-C `$'...'` form that Chrome and
// Firefox use for values with quotes or non-printable characters (string-argv and
// args-tokenizer do not read `$'...'`). Around it we handle what it does not:
// backslash-newline continuations, variables (kept literally: a pasted request has no
// environment), and operators or comments, which mean the text is more than one command.
import { parse } from 'shell-quote';
import { RequestInputError } from './types.ts';

// `$'caf\xe9'`: bash would pass the single byte 0xE9, but browsers write \xNN for the character
// U+00NN of the text they sent as UTF-8. shell-quote decodes it to the character, so the body
// we build (UTF-8) is the one the browser sent, which is what an operator wants to examine.

const CONTINUATION = /\\\r?\n/g;

export function splitPosixWords(text: string): string[] {
  // A continuation is removed by the shell wherever it is outside single quotes; browsers only
  // write it between words, where turning it into a space is the same thing.
  const joined = text.replace(CONTINUATION, ' ');
  const entries = parse(joined, (name) => `$${name}`);
  const words: string[] = [];
  for (const entry of entries) {
    if (typeof entry === 'string') {
      words.push(entry);
    } else if ('op' in entry && entry.op === 'glob') {
      words.push((entry as { pattern: string }).pattern);
    } else if ('comment' in entry) {
      throw new RequestInputError(
        `an unquoted '#' starts a shell comment ("#${entry.comment}"); quote the argument that contains it`,
      );
    } else if ('op' in entry) {
      throw new RequestInputError(
        `the command line contains the shell operator '${entry.op}': paste a single curl command (no pipes, redirections or ';')`,
      );
    }
  }
  return words;
}
