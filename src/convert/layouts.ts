/**
 * @module convert/layouts
 * The quantized checkpoint layouts, as data: which tensors a weight becomes (names, dtypes,
 * shapes), how a slab of rows is encoded into them, and the `quantization_config` that goes with
 * them. A weight is seen in its quantization orientation `[...lead, out, in]`; blocks run along
 * `in`. Facts: ../shared/reference/formats.md sections 3 to 5.
 *
 * - `deepseek-fp8` (DeepSeek-V3 `README_WEIGHTS.md`): `W` F8_E4M3 `[out, in]` and `W_scale_inv`
 *   F32 (or F8_E8M0) `[ceil(out/128), ceil(in/128)]`.
 * - `mxfp4` (gpt-oss, transformers `Mxfp4GptOssExperts`): `P_blocks` U8 `[..., out, in/32, 16]`,
 *   two E2M1 codes per byte (low nibble = even element), and `P_scales` U8 (E8M0) `[..., out, in/32]`,
 *   where `P` is the name without its `.weight`.
 * - `mxfp8` (NVIDIA ModelOpt MXFP8, as vLLM loads it): `P.weight` F8_E4M3 and `P.weight_scale` U8
 *   (E8M0) `[out, in/32]`.
 * - `nvfp4` (NVIDIA ModelOpt NVFP4, as vLLM loads it): `P.weight` U8 `[out, in/2]` (packed as gpt-oss),
 *   `P.weight_scale` F8_E4M3 `[out, in/16]`, `P.weight_scale_2` F32 `[]` = amax / (6 * 448).
 */

import { codec } from '../formats/index.js';
import type { Dtype, TensorChunk, TensorSpec } from '../io/index.js';
import { type BlockScheme, blockScale, getScheme, packFp4, quantize } from '../quant/index.js';

/** Layouts a conversion can write, `bf16` being the way back. */
export const TARGETS = ['deepseek-fp8', 'mxfp8', 'mxfp4', 'nvfp4', 'bf16'] as const;
export type TargetName = (typeof TARGETS)[number];
export type QuantLayout = Exclude<TargetName, 'bf16'>;

/** The default scheme of each layout. */
export const DEFAULT_SCHEMES: Readonly<Record<QuantLayout, string>> = {
  'deepseek-fp8': 'deepgemm-block-ue8m0',
  mxfp8: 'torchao-mxfp8-floor',
  // transformers quantizes gpt-oss weights with triton_kernels' downcast_to_mxfp (round-up scale)
  mxfp4: 'triton-mxfp4',
  nvfp4: 'nvfp4',
};

/** A quantized layout with its scheme chosen. */
export interface QuantTarget {
  readonly layout: QuantLayout;
  readonly scheme: BlockScheme;
  /** DeepSeek scale storage; the others fix theirs. */
  readonly scaleDtype: 'F32' | 'F8_E8M0';
  /** Block length along `in`, and block rows (128 for DeepSeek tiles, else 1). */
  readonly blockCols: number;
  readonly blockRows: number;
}

/** Element and block shape each layout needs from its scheme. */
const NEEDS: Record<QuantLayout, { element: string; block: readonly [number, number] }> = {
  'deepseek-fp8': { element: 'e4m3fn', block: [128, 128] },
  mxfp8: { element: 'e4m3fn', block: [1, 32] },
  mxfp4: { element: 'e2m1', block: [1, 32] },
  nvfp4: { element: 'e2m1', block: [1, 16] },
};

/** Resolve a layout, a scheme name (default per layout) and a DeepSeek scale dtype; RangeError if they do not fit. */
export function quantTarget(
  layout: QuantLayout,
  schemeName?: string,
  scaleDtype?: 'F32' | 'F8_E8M0',
): QuantTarget {
  const scheme = getScheme(schemeName ?? DEFAULT_SCHEMES[layout]);
  const need = NEEDS[layout];
  if (
    scheme.element !== need.element ||
    scheme.block[0] !== need.block[0] ||
    scheme.block[1] !== need.block[1]
  ) {
    throw new RangeError(
      `scheme ${scheme.name} (${scheme.element}, block ${scheme.block.join('x')}) does not fit the ${layout} layout (${need.element}, block ${need.block.join('x')})`,
    );
  }
  if (layout === 'nvfp4' && scheme.scale.kind !== 'nvfp4')
    throw new RangeError(`the nvfp4 layout needs the nvfp4 scheme`);
  if (layout !== 'deepseek-fp8' && layout !== 'nvfp4' && scheme.scaleStorage !== 'e8m0') {
    throw new RangeError(`scheme ${scheme.name} does not store E8M0 scales, which ${layout} needs`);
  }
  const dtype = scaleDtype ?? 'F32';
  if (layout === 'deepseek-fp8' && dtype === 'F8_E8M0' && scheme.scaleStorage !== 'e8m0') {
    throw new RangeError(
      `E8M0 scale storage needs power-of-two scales (--scale-fmt ue8m0), not ${scheme.name}`,
    );
  }
  return { layout, scheme, scaleDtype: dtype, blockCols: need.block[1], blockRows: need.block[0] };
}

/** The name without a trailing `.weight`. */
export function baseName(name: string): string {
  return name.endsWith('.weight') ? name.slice(0, -'.weight'.length) : name;
}

/** ModelOpt's companion names: `P.weight` → `P.weight_scale`; any other name gets `_scale`. */
function companion(name: string, suffix: string): string {
  return `${name}_${suffix}`;
}

/** Why a weight of quantization-orientation shape `[..., out, in]` cannot take the layout, if it cannot. */
export function refusal(t: QuantTarget, shape: readonly number[]): string | undefined {
  if (shape.length < 2) return 'needs at least 2 dimensions';
  const cols = shape[shape.length - 1]!;
  if (t.layout !== 'deepseek-fp8' && cols % t.blockCols !== 0) {
    return `input dimension ${cols} is not a multiple of ${t.blockCols}`;
  }
  return undefined;
}

/** The tensors a weight becomes, weight data first. `shape` is `[...lead, out, in]`. */
export function outputSpecs(t: QuantTarget, name: string, shape: readonly number[]): TensorSpec[] {
  const lead = shape.slice(0, -2);
  const out = shape[shape.length - 2]!;
  const inDim = shape[shape.length - 1]!;
  switch (t.layout) {
    case 'deepseek-fp8':
      return [
        { name, dtype: 'F8_E4M3', shape: [...shape] },
        {
          name: `${name}_scale_inv`,
          dtype: t.scaleDtype,
          shape: [...lead, Math.ceil(out / 128), Math.ceil(inDim / 128)],
        },
      ];
    case 'mxfp8':
      return [
        { name, dtype: 'F8_E4M3', shape: [...shape] },
        { name: companion(name, 'scale'), dtype: 'U8', shape: [...lead, out, inDim / 32] },
      ];
    case 'nvfp4':
      return [
        { name, dtype: 'U8', shape: [...lead, out, inDim / 2] },
        { name: companion(name, 'scale'), dtype: 'F8_E4M3', shape: [...lead, out, inDim / 16] },
        { name: companion(name, 'scale_2'), dtype: 'F32', shape: [] },
      ];
    case 'mxfp4': {
      const base = baseName(name);
      return [
        { name: `${base}_blocks`, dtype: 'U8', shape: [...lead, out, inDim / 32, 16] },
        { name: `${base}_scales`, dtype: 'U8', shape: [...lead, out, inDim / 32] },
      ];
    }
  }
}

/** Encodes one weight slab by slab, in row order. */
export interface SlabEncoder {
  /** Chunks due before the first slab (NVFP4's tensor scale). */
  readonly prologue: readonly TensorChunk[];
  /** Encode rows `[n, cols]` (n a multiple of the block rows, except at a matrix's end). */
  slab(data: Float32Array, rows: number, cols: number): TensorChunk[];
}

const fr = Math.fround;

/**
 * NVFP4's tensor scale from the whole tensor's amax over its finite values: 448 · 6 / amax, or 1
 * for 0 (an infinity or NaN never sets it: callers pass the finite amax).
 */
export function nvfp4GlobalScale(amax: number): number {
  return amax > 0 && Number.isFinite(amax) ? fr((448 * 6) / amax) : 1;
}

/** An encoder for weight `name`; `amax` (the whole tensor's) is needed by NVFP4 only. */
export function slabEncoder(t: QuantTarget, name: string, shape: readonly number[], amax = 0): SlabEncoder {
  const specs = outputSpecs(t, name, shape);
  const [w, s] = [specs[0]!.name, specs[1]!.name];
  if (t.layout === 'nvfp4') {
    const globalScale = nvfp4GlobalScale(amax);
    const scale2 = Float32Array.of(fr(1 / globalScale));
    return {
      prologue: [{ name: specs[2]!.name, data: bytesOf(scale2) }],
      slab(data, rows, cols) {
        const { codes, scaleCodes } = nvfp4Slab(t.scheme, data, rows, cols, globalScale);
        return [
          { name: w, data: packFp4(codes, 'gpt-oss') },
          { name: s, data: scaleCodes },
        ];
      },
    };
  }
  return {
    prologue: [],
    slab(data, rows, cols) {
      const q = quantize(data, [rows, cols], t.scheme);
      if (t.layout === 'mxfp4') {
        return [
          { name: w, data: packFp4(q.codes, 'gpt-oss') },
          { name: s, data: q.scaleCodes! },
        ];
      }
      const scales =
        t.layout === 'deepseek-fp8' && t.scaleDtype === 'F32' ? bytesOf(q.scales) : q.scaleCodes!;
      return [
        { name: w, data: q.codes },
        { name: s, data: scales },
      ];
    },
  };
}

const e2m1Sat = codec('e2m1', { rounding: 'nearest-even', overflow: 'saturate' });

/**
 * NVFP4 on a slab with the whole tensor's global scale (the quantizer derives it from the data it
 * is given, which for a slab is not the tensor). Same arithmetic as quant's `nvfp4` scheme; the
 * tests check the two agree bit for bit on whole tensors.
 */
export function nvfp4Slab(
  scheme: BlockScheme,
  data: Float32Array,
  rows: number,
  cols: number,
  globalScale: number,
) {
  const groups = cols / 16;
  const scaleCodes = new Uint8Array(rows * groups);
  const scaled = new Float32Array(data.length);
  for (let b = 0; b < rows * groups; b++) {
    const o = b * 16;
    let amax = 0;
    let finite = true;
    for (let j = o; j < o + 16; j++) {
      const a = Math.abs(data[j]!);
      if (a - a !== 0) finite = false;
      else if (a > amax) amax = a;
    }
    if (!finite) {
      // no reference rule: as MX does, the block's scale is NaN (E4M3 0x7F), so it decodes to NaN
      scaleCodes[b] = 0x7f;
      scaled.fill(0, o, o + 16);
      continue;
    }
    const bs = blockScale(scheme.scale, scheme.scaleStorage, scheme.element, amax, globalScale);
    scaleCodes[b] = Math.max(bs.code, 0);
    for (let j = o; j < o + 16; j++) scaled[j] = data[j]! * bs.mul;
  }
  const codes = e2m1Sat.encodeArray(scaled) as Uint8Array;
  return { codes, scaleCodes };
}

/** The bytes of a typed array (little-endian hosts). */
export function bytesOf(a: Float32Array | Uint16Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Dtype names of the tensors each layout stores the weight data in (for detection). */
export const WEIGHT_DTYPES: Readonly<Record<QuantLayout, Dtype>> = {
  'deepseek-fp8': 'F8_E4M3',
  mxfp8: 'F8_E4M3',
  mxfp4: 'U8',
  nvfp4: 'U8',
};
