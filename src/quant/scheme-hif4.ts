/**
 * @module quant/scheme-hif4
 * HiFloat4's block scheme (arXiv 2602.11287, "HiFloat4 Format for Language Model Inference"), as
 * its public reference library computes it: global-computing-consortium/HiFloat4
 * `hif4_gpu/HiF4_NVFP4_v14f16.py` `To_HiFX` (N = 4, M = 2, G = 64), the golden model its CUDA and
 * Ascend kernels are checked against.
 *
 * A unit is 64 elements along the reduction axis with 32 bits of scale metadata (4.5 bits per
 * element): one E6M2 base scale, 8 one-bit exponents (one per 8 elements, level 2) and 16
 * one-bit exponents (one per 4 elements, level 3); elements are HiFloat4 S1P2 codes (`hif4`:
 * magnitudes 0 to 1.75 in steps of 0.25). With Vmax the block's largest magnitude, V8 / V16 the
 * largest of each 8 / 4, and BF16() round-to-nearest-even to 8 significant bits:
 *
 *   E6M2  = E6M2(clip(BF16(Vmax · BF16(1/7)), 2^-48, 49152))      (nearest-even, 2 mantissa bits)
 *   REC   = BF16(1 / E6M2)
 *   e8_k  = V8_k · REC >= 4                                         (0 or 1)
 *   e4_j  = V16_j · REC · 2^-e8 >= 2                                (0 or 1)
 *   m     = min(floor(|x| · REC · 2^(2 - e8 - e4) + 0.5), 7)        (the code's magnitude, in quarters)
 *   x'    = sign(x) · m/4 · 2^(e8 + e4) · E6M2
 *
 * Products are exact (a float32 times an 8-bit BF16 value fits float64), as the reference computes
 * them in float64. A negative x is a negative code even when m is 0 (the reference's -1 · 0 = -0);
 * -0 gives +0. A block holding NaN or ±Inf is NaN in the reference (BF16(Inf) is NaN there): its
 * scale is E6M2's NaN code 0xFF, its codes 0. A ragged last block is padded with zeros (as the
 * library's `quant_dequant_float` pads to a multiple of 64).
 */
import { ArgumentError, formatInfo } from '../formats/index.js';
import type { QuantizedTensor } from './quantize.js';
import type { BlockScheme } from './scheme.js';

/** Elements per HiFloat4 unit, per level-2 and per level-3 exponent. */
export const HIF4_GROUP = 64;
export const HIF4_LEVEL2 = 8;
export const HIF4_LEVEL3 = 4;
/** Level-3 groups (of 4 elements) per unit. */
const SUBGROUPS = HIF4_GROUP / HIF4_LEVEL3;

const E6M2 = formatInfo('e6m2');
const E6M2_NAN = E6M2.nanCode!;

/** floor(log2(a)) exactly, for a finite a > 0. */
function exponentOf(a: number): number {
  let e = Math.floor(Math.log2(a));
  const p = 2 ** e;
  if (p > a) e--;
  else if (p * 2 <= a) e++;
  return e;
}

function roundHalfEven(q: number): number {
  const f = Math.floor(q);
  const d = q - f;
  return d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f;
}

/**
 * BF16 round-to-nearest-even of a float64 value (the reference's `To_BF16`: 8 significant bits,
 * exponent floored at -126); NaN for NaN and ±Inf, as there.
 */
export function bf16Round(x: number): number {
  if (x === 0) return x;
  if (!Number.isFinite(x)) return Number.NaN;
  const a = Math.abs(x);
  const e = Math.max(exponentOf(a), -126);
  const r = roundHalfEven(a * 2 ** (7 - e)) * 2 ** (e - 7);
  return x < 0 ? -r : r;
}

/** BF16(1/7): the reference's reciprocal of the largest magnitude a unit's levels reach (1.75 · 2 · 2). */
export const HIF4_INV7 = bf16Round(1 / 7);

/** The E6M2 code of a scale (clipped to [2^-48, 49152], then 2 mantissa bits nearest-even); 0xFF for NaN. */
export function e6m2Code(x: number): number {
  if (Number.isNaN(x)) return E6M2_NAN;
  const c = Math.min(Math.max(x, 2 ** -48), 49152);
  let e = exponentOf(c);
  let m = roundHalfEven(c * 2 ** (2 - e));
  if (m === 8) {
    e++;
    m = 4;
  }
  return ((e + 48) << 2) | (m - 4);
}

/** The value of an E6M2 code (from the format record). */
export function e6m2Value(code: number): number {
  return E6M2.values[code]!;
}

/** Rows, columns and units of a tensor's last two dimensions (rank 1 is one row). */
function hif4Geometry(shape: readonly number[], length: number) {
  const cols = shape.length === 0 ? 1 : shape[shape.length - 1]!;
  const rows = cols === 0 ? 0 : length / cols;
  return { rows, cols, units: Math.ceil(cols / HIF4_GROUP) };
}

/**
 * Quantize `[..., cols]` float32 data along its last axis into HiFloat4 units. Returns codes (one
 * per element), the E6M2 scale per unit (`scales` its value, `scaleCodes` its byte) and, per 4
 * elements, `microExponents` = (level-2 bit << 1) | level-3 bit. The caller (quantize.ts) has
 * checked the shape and moved the reduction axis last.
 */
export function quantizeHif4(
  data: Float32Array,
  shape: readonly number[],
  scheme: BlockScheme,
): QuantizedTensor {
  const { rows, cols, units } = hif4Geometry(shape, data.length);
  const n = rows * units;
  const codes = new Uint8Array(data.length);
  const scales = new Float32Array(n);
  const scaleCodes = new Uint8Array(n);
  const micro = new Uint8Array(n * SUBGROUPS);
  const v16 = new Float64Array(SUBGROUPS);
  let saturated = 0;
  for (let r = 0; r < rows; r++) {
    for (let u = 0; u < units; u++) {
      const b = r * units + u;
      const o = r * cols + u * HIF4_GROUP;
      const len = Math.min(HIF4_GROUP, cols - u * HIF4_GROUP);
      let bad = false;
      let vmax = 0;
      v16.fill(0);
      for (let j = 0; j < len; j++) {
        const a = Math.abs(data[o + j]!);
        if (!(a <= Number.MAX_VALUE)) bad = true; // NaN or Inf
        const k = j >> 2;
        if (a > v16[k]!) v16[k] = a;
        if (a > vmax) vmax = a;
      }
      if (bad) {
        scaleCodes[b] = E6M2_NAN;
        scales[b] = Number.NaN;
        continue; // codes and micro-exponents stay 0
      }
      const code = e6m2Code(bf16Round(vmax * HIF4_INV7));
      const scale = e6m2Value(code);
      const rec = bf16Round(1 / scale);
      scaleCodes[b] = code;
      scales[b] = scale;
      for (let g = 0; g < SUBGROUPS / 2; g++) {
        const v8 = Math.max(v16[2 * g]!, v16[2 * g + 1]!);
        const e8 = v8 * rec >= 4 ? 1 : 0;
        for (let h = 0; h < 2; h++) {
          const k = 2 * g + h;
          const e4 = v16[k]! * rec * 2 ** -e8 >= 2 ? 1 : 0;
          micro[b * SUBGROUPS + k] = (e8 << 1) | e4;
          const mul = rec * 2 ** (2 - e8 - e4);
          const end = Math.min(4 * k + 4, len);
          for (let j = 4 * k; j < end; j++) {
            const x = data[o + j]!;
            let m = Math.floor(Math.abs(x) * mul + 0.5);
            if (m >= 8) {
              m = 7;
              saturated++;
            }
            codes[o + j] = x < 0 ? m | 8 : m;
          }
        }
      }
    }
  }
  const lead = shape.length >= 2 ? shape.slice(0, -2) : [];
  const rowsOfMatrix = shape.length >= 2 ? shape[shape.length - 2]! : 1;
  return {
    scheme,
    shape: [...shape],
    codes,
    scales,
    scaleCodes,
    scaleShape: shape.length >= 2 ? [...lead, rowsOfMatrix, units] : [units],
    globalScale: 1,
    microExponents: micro,
    saturated,
  };
}

/** Dequantize HiFloat4 units: m/4 · 2^(e8 + e4) · E6M2 (exact in float32), NaN for a NaN unit. */
export function dequantizeHif4(q: QuantizedTensor, dst: Float32Array): Float32Array {
  const { rows, cols, units } = hif4Geometry(q.shape, q.codes.length);
  const micro = q.microExponents;
  if (!(micro instanceof Uint8Array) || micro.length !== rows * units * SUBGROUPS) {
    throw new ArgumentError(
      'bad-length',
      'microExponents',
      `a ${q.scheme.name} tensor needs ${rows * units * SUBGROUPS} micro-exponents (one per 4 elements), got ${micro?.length ?? 'none'}`,
    );
  }
  const element = formatInfo('hif4').values;
  for (let r = 0; r < rows; r++) {
    for (let u = 0; u < units; u++) {
      const b = r * units + u;
      const s = q.scales[b]!;
      const o = r * cols + u * HIF4_GROUP;
      const len = Math.min(HIF4_GROUP, cols - u * HIF4_GROUP);
      for (let j = 0; j < len; j++) {
        const mu = micro[b * SUBGROUPS + (j >> 2)]!;
        dst[o + j] = element[q.codes[o + j]! & 15]! * s * 2 ** ((mu >> 1) + (mu & 1));
      }
    }
  }
  return dst;
}
