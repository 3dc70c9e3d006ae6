/**
 * @module kernels/accumulate
 * FP8 x FP8 GEMM with DeepSeek-V3's tiling (activations 1x128, weights 128x128, a scale per
 * tile) and a choice of accumulator, to reproduce the V3 report's note on accumulation precision
 * (arXiv 2412.19437 sec. 3.3, from memory: H800 FP8 tensor cores keep about 14 bits of the
 * running sum; promoting the partial sum into fp32 every N_C = 128 products fixes it).
 *
 * The limited accumulator adds each scaled product a_i * w_i * sa * sw (exact in float64) to a
 * running sum that is rounded to `mantissaBits` explicit mantissa bits after every addition;
 * every `promoteEvery` products that sum is added into an fp32 accumulator and restarted. With
 * UE8M0 (power-of-two) scales this equals scaling the unscaled partial sum at promotion, as
 * DeepGEMM does for N_C = 128. The `fp32` accumulator is float32 throughout.
 */
import { getScheme, quantize } from '../quant/index.js';
import { elementTable } from '../quant/quantize.js';
import { randomNormal } from './bench.js';
import { relFrobenius } from './reference.js';

export type Accumulator =
  | { kind: 'fp64' }
  | { kind: 'fp32' }
  | { kind: 'limited'; mantissaBits?: number; promoteEvery?: number; rounding?: 'truncate' | 'nearest' };

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Round x to `bits` explicit mantissa bits (IEEE-style significand of bits + 1), toward zero. */
export function truncateMantissa(x: number, bits: number): number {
  const drop = 52 - bits;
  if (drop <= 0) return x;
  f64[0] = x;
  if (drop >= 32) {
    u32[0] = 0;
    u32[1] = (u32[1]! & ~((1 << (drop - 32)) - 1)) >>> 0;
  } else u32[0] = (u32[0]! & ~((2 ** drop - 1) >>> 0)) >>> 0;
  return f64[0]!;
}

/** Round x to `bits` explicit mantissa bits, to nearest (Veltkamp split). */
export function roundMantissa(x: number, bits: number): number {
  const drop = 52 - bits;
  if (drop <= 0 || !Number.isFinite(x)) return x;
  const c = x * (2 ** drop + 1);
  return c - (c - x);
}

export interface Fp8GemmResult {
  /** C [m, n] with the chosen accumulator. */
  c: Float64Array;
  /** Float64 product of the same dequantized FP8 operands: the accumulation oracle. */
  ref: Float64Array;
}

/**
 * C = A W^T with A [m, k] quantized per 1x128 and W [n, k] per 128x128 to E4M3 (DeepGEMM's
 * per_token / per_block casts; UE8M0 scales by default, fp32 scales with `ue8m0: false`).
 */
export function fp8Gemm(
  a: Float32Array,
  m: number,
  w: Float32Array,
  n: number,
  k: number,
  acc: Accumulator = { kind: 'fp32' },
  ue8m0 = true,
): Fp8GemmResult {
  const qa = quantize(a, [m, k], getScheme(ue8m0 ? 'deepgemm-token-ue8m0' : 'deepgemm-token-fp32'));
  const qw = quantize(w, [n, k], getScheme(ue8m0 ? 'deepgemm-block-ue8m0' : 'deepgemm-block-fp32'));
  const t = elementTable(qa.scheme);
  const kb = Math.ceil(k / 128);
  const bits = acc.kind === 'limited' ? (acc.mantissaBits ?? 14) : 52;
  const every = acc.kind === 'limited' ? (acc.promoteEvery ?? 128) : Number.POSITIVE_INFINITY;
  const round = acc.kind === 'limited' && acc.rounding === 'nearest' ? roundMantissa : truncateMantissa;
  if (!(every >= 1)) throw new RangeError(`promoteEvery must be >= 1, got ${every}`);
  if (!Number.isInteger(bits) || bits < 1 || bits > 52)
    throw new RangeError(`mantissaBits must be 1..52, got ${bits}`);
  const c = new Float64Array(m * n);
  const ref = new Float64Array(m * n);
  const fr = Math.fround;
  const terms = new Float64Array(k);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      for (let p = 0; p < k; p++) {
        const b = p >> 7;
        const sa = qa.scales[i * kb + b]!;
        const sw = qw.scales[(j >> 7) * kb + b]!;
        terms[p] = t[qa.codes[i * k + p]!]! * sa * (t[qw.codes[j * k + p]!]! * sw);
      }
      let exact = 0;
      for (let p = 0; p < k; p++) exact += terms[p]!;
      ref[i * n + j] = exact;
      let out = 0;
      if (acc.kind === 'fp64') out = exact;
      else if (acc.kind === 'fp32') {
        for (let p = 0; p < k; p++) out = fr(out + fr(terms[p]!));
      } else {
        let part = 0;
        let count = 0;
        for (let p = 0; p < k; p++) {
          part = round(part + terms[p]!, bits);
          if (++count === every) {
            out = fr(out + fr(part));
            part = 0;
            count = 0;
          }
        }
        out = fr(out + fr(part));
      }
      c[i * n + j] = out;
    }
  }
  return { c, ref };
}

export interface AccumulateStudyRow {
  k: number;
  /** Relative Frobenius error against float64, per accumulator column. */
  fp32: number;
  noPromotion: number;
  byNc: Record<number, number>;
}

export interface AccumulateStudyOptions {
  ks?: readonly number[];
  ncs?: readonly number[];
  mantissaBits?: number;
  rounding?: 'truncate' | 'nearest';
  /** Output tile m x n (default 8 x 8). */
  m?: number;
  n?: number;
  seed?: number;
}

/**
 * The report's finding as a table: for each K, the relative error of C with an fp32
 * accumulator, with limited precision and no promotion, and with promotion every N_C products.
 */
export function accumulateStudy(opts: AccumulateStudyOptions = {}): AccumulateStudyRow[] {
  const ks = opts.ks ?? [4096, 7168, 16384];
  const ncs = opts.ncs ?? [32, 64, 128, 256];
  const m = opts.m ?? 8;
  const n = opts.n ?? 8;
  const lim = {
    kind: 'limited',
    mantissaBits: opts.mantissaBits ?? 14,
    rounding: opts.rounding ?? 'truncate',
  } as const;
  return ks.map((k, i) => {
    const seed = (opts.seed ?? 7) + 2 * i;
    const a = randomNormal(m * k, seed);
    const w = randomNormal(n * k, seed + 1, 0.02);
    const err = (acc: Accumulator) => {
      const r = fp8Gemm(a, m, w, n, k, acc);
      return relFrobenius(r.c, r.ref);
    };
    const byNc: Record<number, number> = {};
    for (const nc of ncs) byNc[nc] = err({ ...lim, promoteEvery: nc });
    return {
      k,
      fp32: err({ kind: 'fp32' }),
      noPromotion: err({ ...lim, promoteEvery: Number.POSITIVE_INFINITY }),
      byNc,
    };
  });
}
