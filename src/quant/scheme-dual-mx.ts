/**
 * @module quant/scheme-dual-mx
 * Ascend's dual-level MXFP4 (Ascend 950): CANN's aclnnDynamicDualLevelMxQuant, public in
 * hicann/ops-nn `quant/dynamic_dual_level_mx_quant` (docs/aclnnDynamicDualLevelMxQuant.md, and its
 * kernel op_kernel/arch35/dynamic_dual_level_mx_quant_base.h, which fixes the arithmetic the doc's
 * formula leaves open). The matmul that consumes it is aclnnDualLevelQuantMatmulWeightNz
 * (level-0 group 512, level-1 group 32).
 *
 * The op reads BFLOAT16 (or FLOAT16) `x`; this scheme is its BFLOAT16 form, so float32 input is
 * first rounded to BF16 (nearest-even), which leaves BF16 data unchanged. Along the last axis, per
 * 512 elements (a ragged tail is zero-padded, as the kernel's CopyIn):
 *
 *   amax  = max |x| over the finite elements (the kernel zeroes NaN/Inf before its max)
 *   s0    = f32(amax · f32(1/6))                   (the kernel's 0x3e2aaaab; the doc writes amax / 6)
 *   s0    = 0 when s0 < 2^-126                      (a subnormal level-0 scale is set to 0)
 *   t     = x when x is ±0, else BF16(f32(x / s0))  (CAST_RINT; x / 0 is ±Inf under IEEE division)
 *
 * then per 32 of t (level 1), E the largest BF16 exponent field of the 32 values:
 *
 *   E = 255 (a NaN or Inf among them) → E8M0 0xFF (NaN); every element t · NaN → E2M1 0x7 (below)
 *   E = 0 (all zero or subnormal)     → E8M0 0x00, elements t · 0 = ±0
 *   otherwise                         → E8M0 max(E, 2) − 2 (the doc's floor(log2 max|t|) − emax,
 *                                       clamped at 0), elements E2M1(t · 2^(127 − code)) with the
 *                                       round mode (rint: nearest-even; round: half away; floor:
 *                                       toward −∞), saturating at ±6
 *
 * and x' = s0 · 2^(code − 127) · e2m1. The sign of zero is kept (E2M1 −0 is 0x8). In a NaN block
 * the kernel multiplies by a NaN reciprocal and casts NaN to FP4, which Ascend 950 writes as 0x7:
 * Huawei's PTO-ISA device test of its MXFP4 quantize instruction (hw-native-sys/pto-isa
 * tests/npu/a5/src/st/testcase/tquant/gen_data.py `encode_e2m1_magic_scalar`, NaN → 0x7, compared
 * byte for byte with the device) — the same cast, not this op's own test (medium confidence); the
 * block decodes to NaN either way. Not public, so assumed: the kernel's float32 division by a zero
 * level-0 scale is IEEE (a 512-group whose largest finite magnitude is below 6 · 2^-126 ≈ 7e-38
 * then has NaN level-1 scales where it is not zero).
 */
import { codec, formatInfo } from '../formats/index.js';
import type { QuantizedTensor } from './quantize.js';
import type { BlockScheme } from './scheme.js';

/** Elements per level-0 (float32) scale and per level-1 (E8M0) scale. */
export const DUAL_MX_LEVEL0 = 512;
export const DUAL_MX_LEVEL1 = 32;
const PER_GROUP = DUAL_MX_LEVEL0 / DUAL_MX_LEVEL1;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The E2M1 code Ascend 950's FP4 cast writes for NaN (header), so every element of a NaN block. */
export const DUAL_MX_NAN_CODE = 0x7;

/** The kernel's float32 1/6 (FP4_E2M1_MAX = 0x3e2aaaab). */
export const DUAL_MX_ONE_SIXTH = (() => {
  u32[0] = 0x3e2aaaab;
  return f32[0]!;
})();

/** BF16 of a float32 value, nearest-even (NaN stays NaN, overflow gives ±Inf). */
function bf16(x: number): number {
  f32[0] = x;
  const u = u32[0]!;
  if ((u & 0x7fffffff) > 0x7f800000) return Number.NaN;
  u32[0] = ((u + 0x7fff + ((u >>> 16) & 1)) & 0xffff0000) >>> 0;
  return f32[0]!;
}

/** The biased exponent field of a float32 value (0 for zero and subnormals, 255 for NaN/Inf). */
function exponentField(x: number): number {
  f32[0] = x;
  return (u32[0]! >>> 23) & 0xff;
}

/** Rows and columns of a tensor's last axis view (rank 1 is one row). */
function dualGeometry(shape: readonly number[], length: number) {
  const cols = shape.length === 0 ? 1 : shape[shape.length - 1]!;
  const rows = cols === 0 ? 0 : length / cols;
  return {
    rows,
    cols,
    groups: Math.ceil(cols / DUAL_MX_LEVEL0),
    blocks: Math.ceil(cols / DUAL_MX_LEVEL1),
  };
}

/** The element codec of the scheme; its rounding must be one the op has (rint, round, floor). */
function elementCodec(scheme: BlockScheme) {
  const c = codec('e2m1', scheme.elementOptions);
  const r = c.options.rounding;
  if ((r !== 'nearest-even' && r !== 'nearest-away' && r !== 'down') || c.options.overflow !== 'saturate') {
    throw new RangeError(
      `scheme ${scheme.name}: the dual-level MX op rounds E2M1 with rint, round or floor (nearest-even, nearest-away, down) and saturates; got ${r}, ${c.options.overflow}`,
    );
  }
  return c;
}

/**
 * Quantize `[..., cols]` float32 data along its last axis. Returns the E2M1 codes, the level-1
 * E8M0 byte per 32 elements (`scaleCodes`, its value 2^(code-127) in `scales`, NaN for 0xFF) and
 * the float32 level-0 scale per 512 (`coarseScales`). The caller (quantize.ts) has checked the
 * shape and moved the reduction axis last.
 */
export function quantizeDualMx(
  data: Float32Array,
  shape: readonly number[],
  scheme: BlockScheme,
): QuantizedTensor {
  const c = elementCodec(scheme);
  const nanCode = DUAL_MX_NAN_CODE;
  const { rows, cols, groups, blocks } = dualGeometry(shape, data.length);
  const codes = new Uint8Array(data.length);
  const scaleCodes = new Uint8Array(rows * blocks);
  const scales = new Float32Array(rows * blocks);
  const coarse = new Float32Array(rows * groups);
  const t = new Float64Array(DUAL_MX_LEVEL1);
  let saturated = 0;
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    for (let g = 0; g < groups; g++) {
      const g0 = g * DUAL_MX_LEVEL0;
      const g1 = Math.min(cols, g0 + DUAL_MX_LEVEL0);
      let amax = 0;
      for (let j = g0; j < g1; j++) {
        const a = Math.abs(bf16(data[row + j]!));
        if (a > amax && a !== Number.POSITIVE_INFINITY) amax = a;
      }
      let s0 = Math.fround(amax * DUAL_MX_ONE_SIXTH);
      if (s0 < 2 ** -126) s0 = 0;
      coarse[r * groups + g] = s0;
      for (let k = 0; k < PER_GROUP; k++) {
        const b0 = g0 + k * DUAL_MX_LEVEL1;
        if (b0 >= g1) break;
        const b1 = Math.min(g1, b0 + DUAL_MX_LEVEL1);
        let e = 0;
        for (let j = b0; j < b1; j++) {
          const x = bf16(data[row + j]!);
          // ±0 is kept (the kernel's select, so 0/0 never makes a NaN); x / s0 is one float32 division
          const v = x === 0 ? x : bf16(Math.fround(x / s0));
          t[j - b0] = v;
          const ef = exponentField(v);
          if (ef > e) e = ef;
        }
        const bi = r * blocks + b0 / DUAL_MX_LEVEL1;
        if (e === 255) {
          scaleCodes[bi] = 0xff;
          scales[bi] = Number.NaN;
          codes.fill(nanCode, row + b0, row + b1);
          continue;
        }
        const code = e === 0 ? 0 : Math.max(e, 2) - 2;
        scaleCodes[bi] = code;
        scales[bi] = 2 ** (code - 127);
        const recip = e === 0 ? 0 : 2 ** (127 - code);
        for (let j = b0; j < b1; j++) {
          const y = t[j - b0]! * recip; // exact: a power of two times a BF16 value, below 8
          if (Math.abs(y) > 6) saturated++;
          codes[row + j] = c.encode(y);
        }
      }
    }
  }
  const lead = shape.length >= 2 ? shape.slice(0, -1) : [];
  return {
    scheme,
    shape: [...shape],
    codes,
    scales,
    scaleCodes,
    scaleShape: shape.length >= 2 ? [...lead, blocks] : [blocks],
    globalScale: 1,
    coarseScales: coarse,
    saturated,
  };
}

/** Dequantize: s0 · 2^(code − 127) · e2m1 in float64, rounded once to float32; NaN for a NaN block. */
export function dequantizeDualMx(q: QuantizedTensor, dst: Float32Array): Float32Array {
  const { rows, cols, groups, blocks } = dualGeometry(q.shape, q.codes.length);
  const coarse = q.coarseScales;
  if (!(coarse instanceof Float32Array) || coarse.length !== rows * groups) {
    throw new RangeError(
      `a ${q.scheme.name} tensor needs ${rows * groups} level-0 scales (one float32 per 512 elements of a row), got ${coarse?.length ?? 'none'}`,
    );
  }
  if (!(q.scaleCodes instanceof Uint8Array) || q.scaleCodes.length !== rows * blocks) {
    throw new RangeError(
      `a ${q.scheme.name} tensor needs ${rows * blocks} E8M0 level-1 scale codes (one per 32 elements), got ${q.scaleCodes?.length ?? 'none'}`,
    );
  }
  const element = formatInfo('e2m1').values;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      const code = q.scaleCodes[r * blocks + Math.floor(j / DUAL_MX_LEVEL1)]!;
      const s0 = coarse[r * groups + Math.floor(j / DUAL_MX_LEVEL0)]!;
      const v = element[q.codes[r * cols + j]! & 15]!;
      dst[r * cols + j] = code === 0xff ? Number.NaN : v * 2 ** (code - 127) * s0;
    }
  }
  return dst;
}
