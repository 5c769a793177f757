/**
 * Plain-text tables and safe cells for people reading the call log in a terminal.
 * Stored values come from callers (paths, headers): a control character in them must never
 * reach the terminal as such, or a request could rewrite what the operator sees.
 */

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** The text with control and bidi characters shown as \xNN / \uNNNN escapes. */
export function printable(value: unknown): string {
  const s = value === undefined || value === null ? '' : String(value);
  return s.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Shortens to `max` characters, marking the cut with an ellipsis. */
export function clip(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, Math.max(0, max - 1)) + '…';
}

export interface TableOptions {
  indent?: string;
  /** Longest width of any one column; longer cells are clipped. */
  maxCell?: number;
}

/** Columns padded to their widest cell; the last column is not padded. */
export function renderTable(headers: string[], rows: unknown[][], opts: TableOptions = {}): string {
  const indent = opts.indent ?? '';
  const max = opts.maxCell ?? 80;
  const cells = [headers, ...rows.map((r) => r.map((c) => clip(printable(c), max)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) =>
      indent +
      r
        .map((c, i) => (i === r.length - 1 ? c : (c ?? '').padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
