/**
 * @module supply/distributions
 * Turning a low/value/high triplet into a distribution, by inverse CDF so one uniform can drive
 * every quarter of a series (comonotone sampling).
 *
 * - triangular: low and high are the support, value the mode.
 * - lognormal: value is the median, low and high the 5th and 95th percentiles; each side has
 *   its own σ (a two-piece log-normal), so asymmetric ranges are kept.
 */
import { probit } from './random.js';

export type Dist = 'triangular' | 'lognormal';

export interface Triplet {
  low: number;
  value: number;
  high: number;
  dist?: Dist;
}

const Z95 = 1.6448536269514722;

/** Inverse CDF of the triangular law on [a, b] with mode c. */
export function triangularQuantile(a: number, c: number, b: number, u: number): number {
  if (b <= a) return c;
  const w = b - a;
  const fc = (c - a) / w;
  return u < fc ? a + Math.sqrt(u * w * (c - a)) : b - Math.sqrt((1 - u) * w * (b - c));
}

/** Inverse CDF of the two-piece log-normal with median m and p5/p95 at lo/hi (all > 0). */
export function lognormalQuantile(lo: number, m: number, hi: number, u: number): number {
  const z = probit(u);
  const s = z < 0 ? Math.log(m / lo) / Z95 : Math.log(hi / m) / Z95;
  return m * Math.exp(z * s);
}

/** Quantile `u` of a triplet under its distribution (triangular by default). */
export function quantile(t: Triplet, u: number): number {
  return t.dist === 'lognormal'
    ? lognormalQuantile(t.low, t.value, t.high, u)
    : triangularQuantile(t.low, t.value, t.high, u);
}

/** Write quantiles of `t` at uniforms `u` into `out`. */
export function fillQuantiles(t: Triplet, u: Float64Array, out: Float64Array, n = u.length): void {
  const { low, value, high } = t;
  if (low === high) {
    out.fill(value, 0, n);
    return;
  }
  if (t.dist === 'lognormal') {
    for (let i = 0; i < n; i++) out[i] = lognormalQuantile(low, value, high, u[i]);
    return;
  }
  const w = high - low;
  const fc = (value - low) / w;
  const kl = w * (value - low);
  const kh = w * (high - value);
  for (let i = 0; i < n; i++) {
    const x = u[i];
    out[i] = x < fc ? low + Math.sqrt(x * kl) : high - Math.sqrt((1 - x) * kh);
  }
}
