/**
 * @module supply/stats
 * Percentiles from samples by Floyd–Rivest selection (O(n), no full sort), linear interpolation between
 * order statistics (the "type 7" rule used by R and NumPy).
 */
import type { Interval } from './types.js';

/**
 * Floyd–Rivest selection: rearrange a[lo..hi] so that a[k] is the k-th smallest, with smaller or
 * equal values to its left and larger or equal to its right. On big ranges it first recurses on a
 * small sample window around where k should fall, which makes the partition pivot nearly exact.
 */
function select(a: Float64Array, k: number, lo: number, hi: number): void {
  let left = lo;
  let right = hi;
  while (right > left) {
    if (right - left > 600) {
      const n = right - left + 1;
      const m = k - left + 1;
      const z = Math.log(n);
      const s = 0.5 * Math.exp((2 * z) / 3);
      const sd = 0.5 * Math.sqrt((z * s * (n - s)) / n) * (m - n / 2 < 0 ? -1 : 1);
      const l2 = Math.max(left, Math.floor(k - (m * s) / n + sd));
      const r2 = Math.min(right, Math.floor(k + ((n - m) * s) / n + sd));
      select(a, k, l2, r2);
    }
    const t = a[k];
    let i = left;
    let j = right;
    swap(a, left, k);
    if (a[right] > t) swap(a, right, left);
    while (i < j) {
      swap(a, i, j);
      i++;
      j--;
      while (a[i] < t) i++;
      while (a[j] > t) j--;
    }
    if (a[left] === t) swap(a, left, j);
    else {
      j++;
      swap(a, j, right);
    }
    if (j <= k) left = j + 1;
    if (k <= j) right = j - 1;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/**
 * Percentiles `ps` (each in [0, 1], any order) of `data`; `scratch` (length ≥ data.length) is
 * overwritten. NaN samples are not expected.
 */
export function percentiles(
  data: ArrayLike<number>,
  ps: readonly number[],
  scratch?: Float64Array,
): number[] {
  const n = data.length;
  if (n === 0) return ps.map(() => Number.NaN);
  const a = scratch && scratch.length >= n ? scratch : new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = data[i];
  const order = ps.map((p, i) => [p, i] as const).sort((x, y) => x[0] - y[0]);
  const out = new Array<number>(ps.length);
  let lo = 0;
  for (const [p, idx] of order) {
    const h = (n - 1) * Math.min(1, Math.max(0, p));
    const k = Math.floor(h);
    select(a, k, lo, n - 1);
    const x = a[k];
    let y = x;
    if (h > k) {
      y = Number.POSITIVE_INFINITY;
      for (let i = k + 1; i < n; i++) if (a[i] < y) y = a[i];
    }
    out[idx] = x + (h - k) * (y - x);
    lo = k;
  }
  return out;
}

/** p5 / p50 / p95 and the mean of a sample. */
export function interval(data: ArrayLike<number>, scratch?: Float64Array): Interval {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += data[i];
  const [p5, p50, p95] = percentiles(data, [0.05, 0.5, 0.95], scratch);
  return { p5, p50, p95, mean: data.length ? sum / data.length : Number.NaN };
}
