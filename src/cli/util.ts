/**
 * @module cli/util
 * Shared helpers for CLI commands: user errors with exit code 2, JSON output
 * that survives NaN and infinities, and plain-text tables.
 */

/** An error caused by the user's input: printed as one line, exit code 2, no stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** JSON.stringify that writes NaN and infinities as the strings "NaN", "Infinity", "-Infinity". */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(
    value,
    (_key, v) => {
      if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
      if (typeof v === 'bigint') return v.toString();
      return v;
    },
    indent,
  );
}

/** Format rows as an aligned text table; numbers are right-aligned. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const line = (r: string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join(
    '\n',
  );
}

/** Parse a CLI number strictly: the whole string must be a number (or nan/inf spellings). */
export function parseNumberArg(text: string, what = 'value'): number {
  const t = text.trim().toLowerCase();
  if (t === 'nan') return Number.NaN;
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Number.POSITIVE_INFINITY;
  if (t === '-inf' || t === '-infinity') return Number.NEGATIVE_INFINITY;
  if (t === '' || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$|^[+-]?0x[0-9a-f]+$/.test(t)) {
    throw new UsageError(`${what} "${text}" is not a number`);
  }
  const n = t.includes('0x') ? Number.parseInt(t, 16) : Number(t);
  if (Number.isNaN(n)) throw new UsageError(`${what} "${text}" is not a number`);
  return n;
}
