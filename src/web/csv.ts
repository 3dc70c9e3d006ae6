/**
 * @module web/csv
 * Rows of plain values to CSV (RFC 4180 quoting) and to JSON that keeps NaN and infinities.
 */

export type Cell = string | number | boolean | null | undefined;

function quote(c: Cell): string {
  if (c === null || c === undefined) return '';
  const s = typeof c === 'number' && !Number.isFinite(c) ? String(c) : String(c);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV document with a header line; every row has one cell per header. */
export function toCsv(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [headers, ...rows].map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n';
}

/** JSON with NaN and infinities written as strings ("NaN", "Infinity"). */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2);
}
