/**
 * @module web/histogram
 * The error histogram of a quantized tensor: counts of log10(|x - q| / rms(x)) in fixed bins, so
 * schemes with very different errors share one axis. Exact zeros of the error are counted apart.
 */

export interface ErrorHistogram {
  /** Bin edges in log10 units; bin i holds [edges[i], edges[i+1]). */
  edges: number[];
  counts: number[];
  /** Elements reproduced exactly (error 0). */
  exact: number;
  /** Root mean square of the input, the unit of the errors. */
  rms: number;
}

/** Histogram of log10(|x - q| / rms(x)) over [lo, hi) in `bins` bins (values outside go to the end bins). */
export function errorHistogram(x: Float32Array, q: Float32Array, lo = -6, hi = 1, bins = 28): ErrorHistogram {
  let sx = 0;
  for (let i = 0; i < x.length; i++) sx += x[i]! * x[i]!;
  const rms = Math.sqrt(sx / Math.max(1, x.length)) || 1;
  const counts = new Array<number>(bins).fill(0);
  const width = (hi - lo) / bins;
  let exact = 0;
  for (let i = 0; i < x.length; i++) {
    const e = Math.abs(x[i]! - q[i]!);
    if (e === 0) {
      exact++;
      continue;
    }
    const b = Math.floor((Math.log10(e / rms) - lo) / width);
    counts[Math.min(bins - 1, Math.max(0, b))]!++;
  }
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
  return { edges, counts, exact, rms };
}
