/**
 * @module web/axis
 * Small pure helpers behind the dashboard's charts and inputs: log-axis ticks that cover the data
 * and never crowd (at most `maxTicks`), plain tick labels (0.1, not SI "100m"), the density of a
 * format's values on a log2 axis (so 65,536 codes draw as a few hundred bins), and the parsing of a
 * typed code (hex or binary). Browser-safe.
 */

/** A log-scale domain widened to whole decades so that ticks cover every data point. */
export function decadeDomain(values: readonly number[]): [number, number] {
  const pos = values.filter((v) => v > 0 && Number.isFinite(v));
  if (pos.length === 0) return [1, 10];
  const lo = 10 ** Math.floor(Math.log10(Math.min(...pos)) + 1e-9);
  let hi = 10 ** Math.ceil(Math.log10(Math.max(...pos)) - 1e-9);
  if (hi <= lo) hi = lo * 10;
  return [lo, hi];
}

/**
 * Ticks of a base-10 log axis over [lo, hi]: 1-2-5 per decade when they fit, else 1-3, else every
 * decade, else every k-th decade; never more than `maxTicks` (at least 2).
 */
export function logTicks(lo: number, hi: number, maxTicks: number): number[] {
  if (!(lo > 0 && hi > lo)) throw new RangeError(`log ticks need 0 < lo < hi, got ${lo}, ${hi}`);
  const e0 = Math.floor(Math.log10(lo) + 1e-9);
  const e1 = Math.ceil(Math.log10(hi) - 1e-9);
  const within = (v: number) => v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9);
  const at = (mults: number[], every = 1) => {
    const out: number[] = [];
    for (let e = e0; e <= e1; e++) {
      if ((e - e0) % every !== 0) continue;
      for (const m of mults) {
        const v = Number((m * 10 ** e).toPrecision(12));
        if (within(v)) out.push(v);
      }
    }
    return out;
  };
  const max = Math.max(2, Math.floor(maxTicks));
  for (const mults of [[1, 2, 5], [1, 3], [1]]) {
    const t = at(mults);
    if (t.length <= max) return t;
  }
  for (let every = 2; ; every++) {
    const t = at([1], every);
    if (t.length <= max) return t;
  }
}

/** A tick label without SI prefixes: 0.1, 2, 5,000, 1e-7. */
export function tickLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e7 || a < 1e-4) return v.toExponential().replace('e+', 'e');
  if (a >= 1) return Math.round(v).toLocaleString('en-US');
  return String(Number(v.toPrecision(6)));
}

export interface DensityBin {
  /** log2 of the bin's lower and upper edges. */
  lo: number;
  hi: number;
  /** Values in [2^lo, 2^hi). */
  count: number;
}

/**
 * The positive finite `values` counted in `bins` equal bins of log2(v) over [lo, hi) (values
 * outside are clamped to the end bins). Empty bins are left out.
 */
export function log2Density(values: Iterable<number>, lo: number, hi: number, bins: number): DensityBin[] {
  if (!(hi > lo) || !(bins >= 1)) throw new RangeError(`density needs lo < hi and bins >= 1`);
  const n = Math.floor(bins);
  const counts = new Array<number>(n).fill(0);
  const width = (hi - lo) / n;
  for (const v of values) {
    if (!(v > 0) || !Number.isFinite(v)) continue;
    const b = Math.floor((Math.log2(v) - lo) / width);
    counts[Math.min(n - 1, Math.max(0, b))]!++;
  }
  const out: DensityBin[] = [];
  counts.forEach((count, i) => {
    if (count > 0) out.push({ lo: lo + i * width, hi: lo + (i + 1) * width, count });
  });
  return out;
}

/**
 * A typed code: hex with a 0x prefix (`0x7e`) or binary with 0b (`0b0111_1110`; underscores and
 * spaces allowed between digits). Returns null for anything else or a code above 2^32.
 */
export function parseCode(text: string): { code: number; digits: number; radix: 2 | 16 } | null {
  const t = text.trim().toLowerCase().replace(/[_\s]/g, '');
  const m = /^0([xb])([0-9a-f]+)$/.exec(t);
  if (!m) return null;
  const radix = m[1] === 'x' ? 16 : 2;
  const body = m[2]!;
  if (radix === 2 && /[^01]/.test(body)) return null;
  if (body.length > (radix === 16 ? 8 : 32)) return null;
  return { code: Number.parseInt(body, radix), digits: body.length, radix };
}

/** Whether typed text looks like a code (0x... or 0b...) rather than a value. */
export function looksLikeCode(text: string): boolean {
  return /^\s*0[xb]/i.test(text);
}
