/**
 * @module quant/analyze
 * Error analysis of a scheme on a tensor, and seeded synthetic tensors with LLM-like tails.
 */
import { ArgumentError, checkCounts, MAX_SEED, makeRng } from '../formats/index.js';
import { dequantize, geometry, type QuantizeOptions, quantize } from './quantize.js';
import { type BlockScheme, bitsPerElement } from './scheme.js';

export interface SchemeError {
  scheme: string;
  /** Bits per element including scales. */
  bitsPerElement: number;
  mse: number;
  /** Signal to quantization noise ratio, 10 log10(sum x^2 / sum (x - q)^2), in dB. */
  sqnrDb: number;
  maxAbsError: number;
  /** Largest |x - q| / |x| over non-zero x. */
  maxRelError: number;
  /** Fraction of elements whose scaled value exceeded the element's range (clipped). */
  saturated: number;
  /** Fraction of non-zero elements that came back as zero. */
  flushedToZero: number;
}

/** Quantize, dequantize and measure the error; `opts` as quantize's (a rank > 2 shape needs `axis`). */
export function analyze(
  data: Float32Array,
  shape: readonly number[],
  scheme: BlockScheme,
  opts: QuantizeOptions = {},
): SchemeError {
  const q = quantize(data, shape, scheme, opts);
  const d = dequantize(q);
  const ax = q.axis ?? shape.length - 1;
  const moved = ax === shape.length - 1 ? shape : [...shape.slice(0, ax), ...shape.slice(ax + 1), shape[ax]!];
  const g = geometry(scheme, moved, data.length);
  let se = 0;
  let sx = 0;
  let maxAbs = 0;
  let maxRel = 0;
  let flushed = 0;
  let nonzero = 0;
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    const e = Math.abs(x - d[i]!);
    se += e * e;
    sx += x * x;
    if (e > maxAbs) maxAbs = e;
    if (x !== 0) {
      nonzero++;
      if (e / Math.abs(x) > maxRel) maxRel = e / Math.abs(x);
      if (d[i] === 0) flushed++;
    }
  }
  const n = Math.max(1, data.length);
  return {
    scheme: scheme.name,
    bitsPerElement: bitsPerElement(scheme, g.rows, g.cols),
    mse: se / n,
    sqnrDb: se === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10(sx / se),
    maxAbsError: maxAbs,
    maxRelError: maxRel,
    saturated: q.saturated / n,
    flushedToZero: nonzero === 0 ? 0 : flushed / nonzero,
  };
}

export const SYNTHETIC_KINDS = ['gaussian', 'laplace', 'student-t', 'outliers'] as const;
export type SyntheticKind = (typeof SYNTHETIC_KINDS)[number];
/** The most elements `synthetic` makes: 2^28 (1 GiB of float32), a Float32Array's safe size here. */
export const MAX_SYNTHETIC_ELEMENTS = 2 ** 28;

/**
 * A seeded synthetic tensor [rows, cols]. `outliers`: Gaussian with a few columns scaled by
 * 20-100x, as LLM activations have outlier channels; `student-t`: 3 degrees of freedom.
 */
export function synthetic(kind: SyntheticKind, rows: number, cols: number, seed = 1): Float32Array {
  if (!(SYNTHETIC_KINDS as readonly unknown[]).includes(kind)) {
    throw new ArgumentError(
      'unknown-name',
      'kind',
      `unknown synthetic kind ${JSON.stringify(kind) ?? String(kind)} (known: ${SYNTHETIC_KINDS.join(', ')})`,
    );
  }
  checkCounts([
    ['rows', rows],
    ['cols', cols],
  ]);
  if (rows * cols > MAX_SYNTHETIC_ELEMENTS) {
    throw new ArgumentError(
      'out-of-range',
      'rows',
      `a synthetic tensor of ${rows} x ${cols} has more than ${MAX_SYNTHETIC_ELEMENTS} elements`,
    );
  }
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new ArgumentError(
      'out-of-range',
      'seed',
      `seed must be an integer from 0 to ${MAX_SEED}, got ${String(seed)}`,
    );
  }
  const u = makeRng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const x = new Float32Array(rows * cols);
  const colScale = new Float64Array(cols).fill(1);
  if (kind === 'outliers') {
    const k = Math.max(1, Math.round(cols * 0.005));
    for (let i = 0; i < k; i++) colScale[Math.floor(u() * cols)] = 20 + 80 * u();
  }
  for (let i = 0; i < x.length; i++) {
    let v: number;
    if (kind === 'laplace') v = (u() < 0.5 ? -1 : 1) * Math.log(1 - u());
    else if (kind === 'student-t') {
      const z = normal();
      const chi = normal() ** 2 + normal() ** 2 + normal() ** 2;
      v = z / Math.sqrt(chi / 3);
    } else v = normal();
    x[i] = v * colScale[i % cols]! * 0.02;
  }
  return x;
}
