// Splits a Windows command line as "Copy as cURL (cmd)" writes it into words. Written by hand:
// no npm package reads cmd.exe's caret escapes together with the C runtime's argument rules,
// and both are needed. Two passes, as on Windows:
//  1. cmd.exe: outside double quotes `^x` is x, and `^` before a line break joins the next line,
//     taking its first character literally (so `^` + two line breaks is one line break);
//     inside double quotes carets are literal. Chrome writes `^"` so that its quotes do not
//     switch cmd's quote state and every caret inside is read as an escape.
//  2. The C runtime (CommandLineToArgvW rules): spaces and tabs (not line breaks) split words outside quotes,
//     `"` toggles quoting, `""` inside quotes is a literal quote, and 2n backslashes before a
//     quote are n backslashes (the quote toggles) while 2n+1 are n and a literal quote.
import { RequestInputError } from './types.ts';

function undoCmdEscapes(text: string): string {
  let out = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') {
      quoted = !quoted;
      out += ch;
    } else if (ch === '^' && !quoted) {
      let next = i + 1;
      if (text[next] === '\r' && text[next + 1] === '\n') next++;
      if (text[next] === '\n') {
        // Line continuation: drop the break, keep the next line's first character as is.
        const after = next + 1;
        if (text[after] === '\r' && text[after + 1] === '\n') {
          out += '\n';
          i = after + 1;
        } else {
          if (after < text.length) out += text[after];
          i = after;
        }
      } else if (next < text.length) {
        out += text[next];
        i = next;
      }
    } else {
      out += ch;
    }
  }
  return out;
}

function splitRuntimeArgs(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '\\') {
      let run = 0;
      while (line[i + run] === '\\') run++;
      if (line[i + run] === '"') {
        word += '\\'.repeat(Math.floor(run / 2));
        if (run % 2 === 1) {
          word += '"';
          i += run;
        } else {
          i += run - 1; // the quote is handled on the next turn
        }
      } else {
        word += '\\'.repeat(run);
        i += run - 1;
      }
      inWord = true;
    } else if (ch === '"') {
      if (quoted && line[i + 1] === '"') {
        word += '"';
        i++;
      } else {
        quoted = !quoted;
      }
      inWord = true;
    } else if (!quoted && (ch === ' ' || ch === '\t')) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quoted) throw new RequestInputError('a double quote is not closed in the Windows command line');
  if (inWord) words.push(word);
  return words;
}

export function splitCmdWords(text: string): string[] {
  return splitRuntimeArgs(undoCmdEscapes(text));
}

/** Chrome and Firefox "Copy as cURL (cmd)" end lines with ` ^` and Chrome quotes with `^"`. */
export function looksLikeCmd(text: string): boolean {
  return /\^"/.test(text) || /[ \t]\^\r?\n/.test(text);
}
