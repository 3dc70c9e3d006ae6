/**
 * @module quant/scale
 * Block scale rules, each written as its source computes it, in float32 arithmetic
 * (every operation rounded with Math.fround, as the reference's float32 tensors are).
 */
import { bitsFromF32, codec, f32FromBits, formatInfo } from '../formats/index.js';
import { type ElementKind, integerElement, type ScaleRule, type ScaleStorage } from './scheme.js';

const fr = Math.fround;

/** A block's scale: the dequantization multiplier, its stored code, and what elements are multiplied or divided by. */
export interface BlockScale {
  /** Dequantization scale (float32): x ≈ element * scale. NaN marks a NaN block. */
  scale: number;
  /** Stored byte (E8M0 or E4M3), or -1 when stored as a float. */
  code: number;
  /** Elements are fr(x * mul) when `div` is 0, else fr(x / div). */
  mul: number;
  div: number;
}

/** The largest exponent e with 2^e <= max finite of an element format (emax of the OCP spec). */
export function elementEmax(element: ElementKind): number {
  if (integerElement(element)) return 0;
  return Math.floor(Math.log2(formatInfo(element).maxFinite));
}

/** Largest finite element value (MXINT8: 127/64, as microxcaling clamps). */
export function elementMax(element: ElementKind): number {
  const int = integerElement(element);
  if (int) return int.max * int.step;
  return formatInfo(element).maxFinite;
}

/**
 * The magnitude above which an element is clipped: halfway from the largest value to the next
 * one the grid would have (so 448.00003 rounding to 448 is not counted as clipping).
 */
export function elementClipThreshold(element: ElementKind): number {
  const int = integerElement(element);
  if (int) return (int.max + 0.5) * int.step;
  const info = formatInfo(element);
  return info.maxFinite + 2 ** (info.maxExp - info.mantissaBits(info.maxExp) - 1);
}

/** Mantissa bits of an element format (for torchao's EVEN rule). */
function elementMantissaBits(element: ElementKind): number {
  if (integerElement(element)) return 7;
  return formatInfo(element).spec.manBits;
}

/** DeepGEMM ceil_to_ue8m0: the exponent field, plus one if any mantissa bit is set, clamped to 1..254. */
export function ceilToUe8m0Code(s: number): number {
  const b = bitsFromF32(s);
  const e = ((b >>> 23) & 0xff) + ((b & 0x7fffff) !== 0 ? 1 : 0);
  return Math.min(254, Math.max(1, e));
}

/** Value of an E8M0 byte as float32 (0x00 is the float32 subnormal 2^-127; 0xFF NaN). */
export function e8m0Value(code: number): number {
  return code === 0xff ? Number.NaN : 2 ** (code - 127);
}

/** 2^(127 - code): the exact reciprocal of an E8M0 scale, as torchao and microxcaling apply it. */
function e8m0Reciprocal(code: number): number {
  return code === 0xff ? Number.NaN : 2 ** (127 - code);
}

function mxCode(rule: ScaleRule['kind'], amax: number, element: ElementKind): number {
  if (Number.isNaN(amax) || amax === Number.POSITIVE_INFINITY)
    return rule === 'mx-ggml' ? ggmlCode(amax) : 0xff;
  const emax = elementEmax(element);
  const clampE = (e: number) => Math.min(128, Math.max(-127, e)) + 127; // 128 -> 255 (NaN)
  switch (rule) {
    case 'mx-floor':
      return clampE(((bitsFromF32(amax) >>> 23) & 0xff) - 127 - emax);
    case 'mx-ceil': {
      const b = bitsFromF32(amax);
      return clampE(((b >>> 23) & 0xff) - 127 + ((b & 0x7fffff) > 0 ? 1 : 0) - emax);
    }
    case 'mx-even': {
      const mb = elementMantissaBits(element);
      const b = ((bitsFromF32(amax) + (1 << (23 - mb - 1))) & 0xff800000) >>> 0;
      const e = (b >>> 23) & 0xff;
      if (e === 0xff) return 0xff;
      return clampE(e - 127 - emax);
    }
    case 'mx-rceil': {
      const descale = fr(amax * fr(1 / elementMax(element)));
      const b = bitsFromF32(descale);
      const e = (b >>> 23) & 0xff;
      const m = b & 0x7fffff;
      return Math.min(0xff, e + (e === 0 ? (m > 0x400000 ? 1 : 0) : m !== 0 ? 1 : 0));
    }
    case 'mx-roundup': {
      const s = fr(amax / elementMax(element));
      return (((bitsFromF32(s) + 0x7fffff) & 0x7f800000) >>> 23) & 0xff;
    }
    case 'mx-ggml':
      return ggmlCode(amax);
    default:
      throw new Error(`internal: ${rule} is not an MX rule`);
  }
}

function ggmlCode(amax: number): number {
  if (!(amax > 0)) return 0;
  return (Math.floor(fr(Math.log2(amax))) - 2 + 127) & 0xff;
}

/** NVFP4's block scale code for a block holding NaN or ±Inf: E4M3 NaN. */
export const NVFP4_NAN_SCALE = 0x7f;
// Built on first use: a 16-bit format's tables take ~0.2 s, which every CLI start would pay.
let e4m3SatCodec: ReturnType<typeof codec> | undefined;
let f16Codec: ReturnType<typeof codec> | undefined;
const e4m3Sat = () => (e4m3SatCodec ??= codec('e4m3fn', { rounding: 'nearest-even', overflow: 'saturate' }));
const f16 = () => (f16Codec ??= codec('fp16'));

/**
 * The scale of one block from its amax. `globalScale` is NVFP4's per-tensor scale.
 */
export function blockScale(
  rule: ScaleRule,
  storage: ScaleStorage,
  element: ElementKind,
  amax: number,
  globalScale = 1,
): BlockScale {
  switch (rule.kind) {
    case 'amax-ratio': {
      const a =
        rule.minAmax === undefined ? amax : Number.isNaN(amax) ? amax : Math.max(amax, fr(rule.minAmax));
      let s = fr(a / rule.maxValue);
      let code = -1;
      if (rule.pow2 === 'ceil-bits') {
        code = ceilToUe8m0Code(s);
        s = e8m0Value(code);
      } else if (rule.pow2 === 'ceil-log2') {
        s = fr(2 ** Math.ceil(fr(Math.log2(s))));
        code = Number.isNaN(s) ? 0xff : Math.min(254, Math.max(0, Math.round(Math.log2(s)) + 127));
      }
      if (storage === 'f16') {
        // ggml Q8_0: elements use the float32 scale; the stored (dequantization) scale is fp16.
        const stored = f16().decode(f16().encode(s));
        return { scale: stored, code: -1, mul: s === 0 ? 0 : fr(1 / s), div: 0 };
      }
      if (storage !== 'e8m0') code = -1;
      if (s === 0) return { scale: 0, code, mul: 0, div: Number.POSITIVE_INFINITY };
      return { scale: s, code, mul: fr(1 / s), div: s };
    }
    case 'nvfp4': {
      // A block holding NaN or ±Inf gets the NaN scale (E4M3 0x7F) and decodes to NaN, as ModelOpt's
      // NVFP4 export casts amax / (6 · weight_scale_2) to float8_e4m3fn (torch: Inf and NaN → 0x7F).
      // Finite overflow (a caller's tensor scale too large) saturates to 448 (0x7E), as CUDA's
      // __nv_fp8_e4m3 (SATFINITE) in TensorRT-LLM's and vLLM's quantizers.
      if (!(amax <= Number.MAX_VALUE))
        return { scale: Number.NaN, code: NVFP4_NAN_SCALE, mul: Number.NaN, div: 0 };
      const code = e4m3Sat().encode(fr(fr(amax * fr(1 / 6)) * globalScale));
      const sf = e4m3Sat().decode(code);
      const mul = sf === 0 ? 0 : fr(1 / fr(sf * fr(1 / globalScale)));
      return { scale: fr(sf / globalScale), code, mul, div: 0 };
    }
    case 'hif4':
      throw new RangeError(
        'HiFloat4 scales span three levels of a 64-element unit: quantize whole units (scheme-hif4.ts)',
      );
    case 'ascend-dual':
      throw new RangeError(
        'dual-level MXFP4 scales its 32-blocks from values already scaled per 512: quantize whole rows (scheme-dual-mx.ts)',
      );
    default: {
      const code = mxCode(rule.kind, amax, element);
      if (rule.kind === 'mx-ggml' && code === 0xff) {
        // ggml has no NaN scale: its byte 255 (reached only by a tiny amax wrapping) is 2^128,
        // which float32 cannot hold; every element of such a block is 0, so 2^127 dequantizes the same
        return { scale: 2 ** 127, code, mul: 2 ** -128, div: 0 };
      }
      // triton: a scale that underflowed to 0 (byte 0) multiplies elements by 0
      const mul = rule.kind === 'mx-roundup' && code === 0 ? 0 : e8m0Reciprocal(code);
      return { scale: e8m0Value(code), code, mul, div: 0 };
    }
  }
}

export { f32FromBits };
