// Cells of the report's terminal tables, shared by its denial and AI parts.

/** A count against the previous period's: +3 (+50%), or +3 (new). */
export function change(count: number, previous: number): string {
  const d = count - previous;
  const sign = d > 0 ? '+' : '';
  if (previous === 0) return count === 0 ? '0' : `+${count} (new)`;
  return `${sign}${d} (${sign}${Math.round((d / previous) * 100)}%)`;
}

/** Columns padded to their widest cell (by code points: the sparklines are one column each). */
export function table(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => [...r[i]!].length)));
  const line = (cells: string[]) => cells.map((c, i) => c + ' '.repeat(widths[i]! - [...c].length)).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)];
}
