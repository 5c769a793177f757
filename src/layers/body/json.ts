import { isUtf8 } from 'node:buffer';
import { printParseErrorCode, visit, type ParseErrorCode } from 'jsonc-parser';

/** Where and why a JSON body is not well-formed. */
export interface JsonProblem {
  /** What is wrong, without quoting the body (it may hold secrets). */
  reason: string;
  /** Offset in bytes (invalid UTF-8) or characters (syntax) from the start of the body. */
  offset: number;
  line: number;
  column: number;
  unit: 'byte' | 'character';
}

/**
 * Says why `bytes`, which JSON.parse refused, is not JSON (RFC 8259), and where. Runs only on
 * the refusal path. JSON exchanged between systems is UTF-8 (§8.1): invalid UTF-8 is reported
 * at its byte instead of being silently replaced; a byte order mark is reported as such. The
 * position of a syntax error comes from jsonc-parser, with comments and trailing commas
 * reported as errors (V8's messages give a position for only some errors).
 */
export function diagnoseJson(bytes: Buffer): JsonProblem {
  if (!isUtf8(bytes)) {
    const at = firstInvalidUtf8(bytes);
    return { reason: 'the body is not valid UTF-8', offset: at, ...lineColumn(bytes.subarray(0, at).toString('latin1'), at), unit: 'byte' };
  }
  const text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) return { reason: 'the body starts with a byte order mark (JSON text must not)', offset: 0, line: 1, column: 1, unit: 'character' };
  let found: { code: ParseErrorCode; offset: number } | undefined;
  visit(
    text,
    {
      onError(code, offset) {
        found ??= { code, offset };
      },
    },
    { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
  );
  // JSON.parse and jsonc-parser disagree only on rare inputs; then say what is known.
  if (!found) return { reason: 'the body is not JSON', offset: 0, line: 1, column: 1, unit: 'character' };
  const { code, offset } = found;
  return { reason: describe(code, offset >= text.length), offset, ...lineColumn(text, offset), unit: 'character' };
}

function describe(code: ParseErrorCode, atEnd: boolean): string {
  if (atEnd) return 'the body ends before the JSON value is complete';
  const name = printParseErrorCode(code);
  const words: Record<string, string> = {
    InvalidSymbol: 'unexpected character',
    InvalidNumberFormat: 'malformed number',
    PropertyNameExpected: 'a property name (in double quotes) is expected',
    ValueExpected: 'a value is expected',
    ColonExpected: 'a colon is expected',
    CommaExpected: 'a comma is expected',
    CloseBraceExpected: 'a closing brace is expected',
    CloseBracketExpected: 'a closing bracket is expected',
    EndOfFileExpected: 'unexpected content after the JSON value',
    InvalidCommentToken: 'comments are not allowed in JSON',
    UnexpectedEndOfComment: 'comments are not allowed in JSON',
    UnexpectedEndOfString: 'unterminated string',
    UnexpectedEndOfNumber: 'unterminated number',
    InvalidUnicode: 'malformed \\u escape',
    InvalidEscapeCharacter: 'invalid escape in a string',
    InvalidCharacter: 'a control character inside a string must be escaped',
  };
  return words[name] ?? name;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

/** The offset of the first byte that does not begin or continue a valid UTF-8 sequence (RFC 3629). */
export function firstInvalidUtf8(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    let n: number;
    let min: number;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      min = 0x10000;
    } else return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const cc = b[i + k];
      if (cc === undefined || (cc & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
    if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return i;
    i += n + 1;
  }
  return b.length;
}
