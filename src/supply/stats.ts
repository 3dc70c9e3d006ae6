/**
 * @module supply/stats
 * Percentiles from samples by Floyd–Rivest selection (O(n), no full sort), linear interpolation between
 * order statistics (the "type 7" rule used by R and NumPy). Large samples (the Monte Carlo's float32
 * quarters and float64 annual sums) first take one counting pass over the top 16 bits of each value's
 * order-preserving bit pattern (sign, exponent and 7 mantissa bits of a float32, 4 of a float64) and
 * one pass gathering the few buckets that hold a wanted order
 * statistic; selection then runs inside those (about 3x faster than selection over the whole sample,
 * which mispredicts a branch on about every other element). A sample whose wanted buckets hold more
 * than a quarter of it (heavy ties) takes the plain path.
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
 *
 * The middle requested order statistic is selected first; the ones below it are then selected
 * within the left part and the ones above within the right part (divide and conquer), so three
 * percentiles cost about 2n element visits instead of about 2.5n. For interpolation the next order
 * statistic is the minimum of the part right of k, bounded by the element just past the part
 * (already known to be no smaller than anything in it).
 */
export function percentiles(
  data: ArrayLike<number>,
  ps: readonly number[],
  scratch?: Float64Array,
): number[] {
  const n = data.length;
  if (n === 0) return ps.map(() => Number.NaN);
  if ((data instanceof Float32Array || data instanceof Float64Array) && n >= BUCKETED_MIN) {
    const got = bucketed(data, ps);
    if (got) return got;
  }
  const a = scratch && scratch.length >= n ? scratch : new Float64Array(n);
  if (data instanceof Float32Array || data instanceof Float64Array) a.set(data);
  else for (let i = 0; i < n; i++) a[i] = data[i];
  const order = ps.map((p, i) => [Math.min(1, Math.max(0, p)), i] as const).sort((x, y) => x[0] - y[0]);
  const out = new Array<number>(ps.length);
  // order[from..to) are wanted within a[lo..hi]; everything right of hi is ≥ everything in it
  const solve = (from: number, to: number, lo: number, hi: number): void => {
    if (from >= to) return;
    const mid = (from + to) >> 1;
    const [p, idx] = order[mid];
    const h = (n - 1) * p;
    const k = Math.floor(h);
    select(a, k, lo, hi);
    const x = a[k];
    let y = x;
    if (h > k) {
      y = hi + 1 < n ? a[hi + 1] : Number.POSITIVE_INFINITY;
      for (let i = k + 1; i <= hi; i++) if (a[i] < y) y = a[i];
    }
    out[idx] = x + (h - k) * (y - x);
    solve(from, mid, lo, k);
    solve(mid + 1, to, k, hi);
  };
  solve(0, order.length, 0, n - 1);
  return out;
}

/** Float32 and float64 samples at least this long take the bucketed path first. */
const BUCKETED_MIN = 16_384;
/** The float64 path reads each value's high word at index 2i + 1 of an Int32Array view. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const counts = new Int32Array(1 << 16);
const slotOf = new Int32Array(1 << 16).fill(-1);
let gathered = new Float64Array(0);

/**
 * The bucket of a value from its (high) 32-bit word `b` read as int32: the top 16 bits of the word
 * made order-preserving (negatives inverted, the sign bit of positives flipped), as unsigned.
 */
const bucketOf = (b: number): number => (b ^ ((b >> 31) | -0x80000000)) >>> 16;

/**
 * Bucket counts of n values whose words are `w[stride * i + at]`: a float32's own word (stride 1),
 * a float64's high word (stride 2, at 1 on little-endian: sign, exponent and 4 mantissa bits).
 */
function countBuckets(w: Int32Array, n: number, stride: number, at: number): void {
  counts.fill(0);
  for (let i = 0; i < n; i++) counts[bucketOf(w[stride * i + at])]++;
}

// The gathers stay one per sample type, so each loop reads one kind of typed array.
/** Copy the values whose bucket has a slot into that slot's segment (`fill`: next position per slot). */
function gatherBuckets(
  w: Int32Array,
  f: Float32Array,
  n: number,
  fill: Int32Array,
  into: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    const slot = slotOf[bucketOf(w[i])];
    if (slot >= 0) into[fill[slot]++] = f[i];
  }
}

function gatherBuckets64(
  w: Int32Array,
  f: Float64Array,
  n: number,
  fill: Int32Array,
  into: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    const slot = slotOf[bucketOf(w[2 * i + 1])];
    if (slot >= 0) into[fill[slot]++] = f[i];
  }
}

function bucketed(f: Float32Array | Float64Array, ps: readonly number[]): number[] | null {
  const n = f.length;
  const wide = f instanceof Float64Array;
  if (wide && !LITTLE_ENDIAN) return null;
  const w = new Int32Array(f.buffer, f.byteOffset, wide ? 2 * n : n);
  if (wide) countBuckets(w, n, 2, 1);
  else countBuckets(w, n, 1, 0);
  const hs = ps.map((p) => (n - 1) * Math.min(1, Math.max(0, p)));
  const wanted = new Set<number>();
  for (const h of hs) {
    wanted.add(Math.floor(h));
    if (h > Math.floor(h)) wanted.add(Math.floor(h) + 1);
  }
  // each wanted rank's bucket and the rank of that bucket's first element
  const at = new Map<number, { bucket: number; start: number }>();
  const buckets: number[] = [];
  let b = 0;
  let below = 0;
  for (const r of [...wanted].sort((x, y) => x - y)) {
    while (below + counts[b] <= r) below += counts[b++];
    at.set(r, { bucket: b, start: below });
    if (buckets[buckets.length - 1] !== b) buckets.push(b);
  }
  const offsets = new Int32Array(buckets.length);
  let total = 0;
  for (const [slot, bk] of buckets.entries()) {
    offsets[slot] = total;
    total += counts[bk];
  }
  if (total > n / 4) return null;
  if (gathered.length < total) gathered = new Float64Array(Math.max(total, 2 * gathered.length));
  for (const [slot, bk] of buckets.entries()) slotOf[bk] = slot;
  if (f instanceof Float64Array) gatherBuckets64(w, f, n, offsets.slice(), gathered);
  else gatherBuckets(w, f, n, offsets.slice(), gathered);
  for (const bk of buckets) slotOf[bk] = -1;
  const value = (r: number): number => {
    const { bucket, start } = at.get(r)!;
    const lo = offsets[buckets.indexOf(bucket)];
    const k = lo + r - start;
    select(gathered, k, lo, lo + counts[bucket] - 1);
    return gathered[k];
  };
  return hs.map((h) => {
    const k = Math.floor(h);
    const x = value(k);
    const y = h > k ? value(k + 1) : x;
    return x + (h - k) * (y - x);
  });
}

/** p5 / p50 / p95 and the mean of a sample. */
export function interval(data: ArrayLike<number>, scratch?: Float64Array): Interval {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += data[i];
  const [p5, p50, p95] = percentiles(data, [0.05, 0.5, 0.95], scratch);
  return { p5, p50, p95, mean: data.length ? sum / data.length : Number.NaN };
}

/** Ranks 0..n-1 (ties broken by position). */
export function ranks(a: ArrayLike<number>): Float64Array {
  const idx = Array.from({ length: a.length }, (_, i) => i);
  idx.sort((i, j) => a[i] - a[j] || i - j);
  const r = new Float64Array(a.length);
  idx.forEach((i, k) => {
    r[i] = k;
  });
  return r;
}

/** Pearson correlation of two rank vectors of 0..n-1 (= Spearman). */
export function rankCorrelation(x: Float64Array, y: Float64Array): number {
  const n = x.length;
  const mean = (n - 1) / 2;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const a = x[i] - mean;
    const b = y[i] - mean;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

/** Weakest confidence among the slots that vary (unknown first). */
