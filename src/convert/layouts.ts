/**
 * @module convert/layouts
 * The quantized checkpoint layouts, as data: which tensors a weight becomes (names, dtypes,
 * shapes), how a slab of rows is encoded into them, and the `quantization_config` that goes with
 * them. A weight is seen in its quantization view `[...lead, out, in]` (source.ts `quantView`);
 * blocks run along `in`, the reduction axis; a ragged last block is padded (README). Each layout's
 * public source is named below and in README.md (deepseek-ai/DeepSeek-V3 `README_WEIGHTS.md` and
 * `inference/fp8_cast_bf16.py`; huggingface/transformers `src/transformers/integrations/mxfp4.py`;
 * NVIDIA/TensorRT-Model-Optimizer `modelopt/torch/quantization/qtensor/nvfp4_tensor.py`).
 *
 * - `deepseek-fp8` (DeepSeek-V3 `README_WEIGHTS.md`): `W` F8_E4M3 `[out, in]` and `W_scale_inv`
 *   F32 (or F8_E8M0) `[ceil(out/128), ceil(in/128)]`.
 * - `mxfp4` (gpt-oss, transformers `Mxfp4GptOssExperts`): `P_blocks` U8 `[..., out, ceil(in/32), 16]`,
 *   two E2M1 codes per byte (low nibble = even element), and `P_scales` U8 (E8M0) `[..., out, ceil(in/32)]`,
 *   where `P` is the name without its `.weight`. With the Ascend scale layout, `P_scales` is F8_E8M0
 *   `[..., out, ceil(in/64), 2]` (the same bytes); Ascend 950 packs FLOAT4_E2M1 with the even element
 *   in the low nibble too (README).
 * - `mxfp8` (NVIDIA ModelOpt MXFP8, as vLLM loads it): `P.weight` F8_E4M3 and `P.weight_scale` U8
 *   (E8M0) `[out, ceil(in/32)]`.
 * - `nvfp4` (NVIDIA ModelOpt NVFP4, as vLLM loads it): `P.weight` U8 `[out, ceil(in/16)·8]` (packed as gpt-oss),
 *   `P.weight_scale` F8_E4M3 `[out, ceil(in/16)]`, `P.weight_scale_2` F32 `[]` = amax / (6 * 448).
 * - `deepseek-v4` (DeepSeek-V4 with `expert_dtype: "fp4"`, inference/model.py `Linear`): two layouts
 *   in one checkpoint. Routed experts (`….experts.<i>.…`) are E2M1 `P.weight` I8 `[out, in/2]`
 *   (float4_e2m1fn_x2: element 2j in the low nibble) with `P.scale` F8_E8M0 `[out, in/32]`; every
 *   other linear weight is E4M3 `P.weight` with `P.scale` F8_E8M0 `[ceil(out/128), ceil(in/128)]`.
 * - `hifloat4` (chipstack's own layout: no public checkpoint layout for HiFloat4 exists): each of
 *   a unit's three levels in a tensor of its own, none needing a hidden bit order beyond "bit i is
 *   group i": `P.weight` U8 `[out, ceil(in/64)·32]` (HiFloat4 codes packed as gpt-oss, element 2j
 *   in the low nibble), `P.weight_hif4_scale` U8 `[out, ceil(in/64)]` (E6M2 codes),
 *   `P.weight_hif4_exp8` U8 `[out, ceil(in/64)]` (bit i = the one-bit exponent of elements
 *   8i..8i+7) and `P.weight_hif4_exp4` U16 `[out, ceil(in/64)]` (bit j = that of elements 4j..4j+3).
 */

import type { TensorSpec } from '../io/index.js';
import { type BlockScheme, coarseScale, getScheme } from '../quant/index.js';

/** The name suffix of dual-level MXFP4's float32 level-0 scales beside gpt-oss's `_blocks` and `_scales`. */
export const LEVEL0_SUFFIX = '_level0_scales';

/** Suffixes of HiFloat4's three scale levels beside its codes `P.weight` (chipstack's layout, README). */
export const HIF4_SUFFIXES = { scale: '_hif4_scale', exp8: '_hif4_exp8', exp4: '_hif4_exp4' } as const;

/** Checkpoint formats a conversion can write, `bf16` being the way back. */
export const TARGETS = [
  'deepseek-fp8',
  'mxfp8',
  'mxfp4',
  'nvfp4',
  'deepseek-v4',
  'hifloat4',
  'bf16',
] as const;
export type TargetName = (typeof TARGETS)[number];
/** A quantized checkpoint format: one layout for every weight, or DeepSeek-V4's two. */
export type CheckpointFormat = Exclude<TargetName, 'bf16'>;
/** How one weight's bytes are laid out (what slab.ts encodes). */
export type QuantLayout = Exclude<CheckpointFormat, 'deepseek-v4'>;

/** The default scheme of each format (for `deepseek-v4`: of its FP4 routed experts). */
export const DEFAULT_SCHEMES: Readonly<Record<CheckpointFormat, string>> = {
  'deepseek-fp8': 'deepgemm-block-ue8m0',
  mxfp8: 'torchao-mxfp8-floor',
  // transformers quantizes gpt-oss weights with triton_kernels' downcast_to_mxfp (round-up scale)
  mxfp4: 'triton-mxfp4',
  nvfp4: 'nvfp4',
  // scale 2^ceil(log2(amax / 6)), elements x / scale to E2M1 nearest-even: the rule of DeepSeek-V4's
  // own FP4 quantizer (inference/kernel.py fp4_quant_kernel, for activations; how the released
  // expert weights were quantized is not published)
  'deepseek-v4': 'torchao-mxfp4-rceil',
  // HiFloat4's one scheme (quant/scheme-hif4.ts, the reference library's To_HiFX)
  hifloat4: 'hifloat4-g64',
};

/** DeepSeek-V4's dense weights: 128x128 E4M3 tiles with UE8M0 scales. */
const DEEPSEEK_V4_DENSE = 'deepgemm-block-ue8m0';

/** A routed expert's weight (`layers.3.ffn.experts.17.w1.weight`, `model.layers.3.mlp.experts.17.up_proj.weight`); not shared experts. */
const ROUTED_EXPERT = /(^|\.)experts\.\d+\./;

/** A quantized layout with its scheme chosen. */
export interface QuantTarget {
  /** The checkpoint format this weight is written for (names, dtypes, config). */
  readonly format: CheckpointFormat;
  readonly layout: QuantLayout;
  readonly scheme: BlockScheme;
  /** DeepSeek scale storage; the others fix theirs. */
  readonly scaleDtype: 'F32' | 'F8_E8M0';
  /** Block length along `in`, and block rows (128 for DeepSeek tiles, else 1). */
  readonly blockCols: number;
  readonly blockRows: number;
  /** DeepSeek-V4: the target of its routed experts (FP4); the rest is this target. */
  readonly experts?: QuantTarget;
  /**
   * `ascend`: MX scales as CANN's MX matmul takes them on Ascend 950 (aclnnQuantMatmulV5 /
   * npu_quant_matmul, mx mode): float8_e8m0fnu in pairs, `[out, ceil(in/64), 2]` (mxfp8, mxfp4).
   */
  readonly scaleLayout?: 'ascend';
}

/** The target of the weight `name`: DeepSeek-V4's routed experts take its FP4 target. */
export function tensorTarget(t: QuantTarget, name: string): QuantTarget {
  return t.experts && ROUTED_EXPERT.test(name) ? t.experts : t;
}

/**
 * Element and block shape each layout needs from its scheme: those of its default scheme's
 * registry record (quant/presets.ts), so a block shape is written in one place.
 */
function needs(layout: QuantLayout): { element: string; block: readonly [number, number] } {
  const d = getScheme(DEFAULT_SCHEMES[layout]);
  const [r, c] = d.block;
  if (r === 'all' || c === 'all')
    throw new RangeError(`layout ${layout}: its default scheme has no fixed block`);
  return { element: d.element, block: [r, c] };
}

/**
 * Resolve a format, a scheme name (default per format; for `deepseek-v4` the experts' scheme) and
 * a DeepSeek scale dtype; RangeError if they do not fit.
 */
export function quantTarget(
  format: CheckpointFormat,
  schemeName?: string,
  scaleDtype?: 'F32' | 'F8_E8M0',
  scaleLayout?: 'ascend',
): QuantTarget {
  if (scaleLayout !== undefined) {
    if (scaleLayout !== 'ascend') throw new RangeError(`unknown scale layout ${JSON.stringify(scaleLayout)}`);
    if (format !== 'mxfp8' && format !== 'mxfp4') {
      throw new RangeError(`the ascend scale layout is for the MX formats mxfp8 and mxfp4, not ${format}`);
    }
    return { ...resolveTarget(format, schemeName, scaleDtype, format === 'mxfp4'), scaleLayout };
  }
  return resolveTarget(format, schemeName, scaleDtype, false);
}

/** quantTarget without the scale layout; `dualLevel` admits dual-level MXFP4 (mxfp4 --layout ascend only). */
function resolveTarget(
  format: CheckpointFormat,
  schemeName: string | undefined,
  scaleDtype: 'F32' | 'F8_E8M0' | undefined,
  dualLevel: boolean,
): QuantTarget {
  if (format === 'deepseek-v4') {
    if (scaleDtype === 'F32') throw new RangeError('the deepseek-v4 layout stores F8_E8M0 scales, not F32');
    const experts = quantTarget('mxfp4', schemeName ?? DEFAULT_SCHEMES['deepseek-v4']);
    const dense = quantTarget('deepseek-fp8', DEEPSEEK_V4_DENSE, 'F8_E8M0');
    return { ...dense, format, experts: { ...experts, format } };
  }
  const layout = format;
  const scheme = getScheme(schemeName ?? DEFAULT_SCHEMES[layout]);
  const need = needs(layout);
  if (
    scheme.element !== need.element ||
    scheme.block[0] !== need.block[0] ||
    scheme.block[1] !== need.block[1]
  ) {
    throw new RangeError(
      `scheme ${scheme.name} (${scheme.element}, block ${scheme.block.join('x')}) does not fit the ${layout} layout (${need.element}, block ${need.block.join('x')})`,
    );
  }
  if (scheme.scale.kind === 'ascend-dual' && !dualLevel) {
    throw new RangeError(
      `scheme ${scheme.name} has a float32 level-0 scale per 512 that the ${layout} layout has no tensor for (--to mxfp4 --layout ascend writes it)`,
    );
  }
  if (layout === 'nvfp4' && scheme.scale.kind !== 'nvfp4')
    throw new RangeError(`the nvfp4 layout needs the nvfp4 scheme`);
  if (layout === 'hifloat4') {
    if (scheme.scale.kind !== 'hif4') throw new RangeError(`the hifloat4 layout needs a HiFloat4 scheme`);
    return { format, layout, scheme, scaleDtype: 'F32', blockCols: need.block[1], blockRows: need.block[0] };
  }
  if (layout !== 'deepseek-fp8' && layout !== 'nvfp4' && scheme.scaleStorage !== 'e8m0') {
    throw new RangeError(`scheme ${scheme.name} does not store E8M0 scales, which ${layout} needs`);
  }
  const dtype = scaleDtype ?? 'F32';
  if (layout === 'deepseek-fp8' && dtype === 'F8_E8M0' && scheme.scaleStorage !== 'e8m0') {
    throw new RangeError(
      `E8M0 scale storage needs power-of-two scales (--scale-fmt ue8m0), not ${scheme.name}`,
    );
  }
  return { format, layout, scheme, scaleDtype: dtype, blockCols: need.block[1], blockRows: need.block[0] };
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
export function refusal(_t: QuantTarget, shape: readonly number[]): string | undefined {
  if (shape.length < 2) {
    return 'needs at least 2 dimensions (blocks run along the last axis (in_features) of a matrix)';
  }
  return undefined;
}

/** Layouts storing two 4-bit codes per byte (gpt-oss order). */
export function isPackedFp4(t: QuantTarget): boolean {
  return t.layout === 'mxfp4' || t.layout === 'nvfp4' || t.layout === 'hifloat4';
}

/**
 * Bytes of one stored row of `cols` weight values: FP8 one per value; packed FP4 whole blocks of
 * two codes per byte (a ragged last block is padded with zero codes, as triton's downcast_to_mxfp
 * pads the quantized dimension to a multiple of 32), so the stored width is `ceil(cols / block) · block / 2`.
 */
export function rowCodeBytes(t: QuantTarget, cols: number): number {
  if (isPackedFp4(t)) return (Math.ceil(cols / t.blockCols) * t.blockCols) / 2;
  return cols;
}

/**
 * The tensors a weight becomes, weight data first. `shape` is the quantization view
 * `[...lead, out, in]` (source.ts `quantView`); FP8 weights keep their own shape `stored` when given
 * (a Conv weight `[O, I, kh, kw]` stays 4-D, its scales are those of the view `[O, I·kh·kw]`);
 * packed FP4 weights take the view's.
 */
export function outputSpecs(
  t: QuantTarget,
  name: string,
  shape: readonly number[],
  stored: readonly number[] = shape,
): TensorSpec[] {
  const lead = shape.slice(0, -2);
  const out = shape[shape.length - 2]!;
  const inDim = shape[shape.length - 1]!;
  if (t.format === 'deepseek-v4') {
    const scale = `${baseName(name)}.scale`;
    if (t.layout === 'mxfp4') {
      return [
        { name, dtype: 'I8', shape: [...lead, out, rowCodeBytes(t, inDim)] },
        { name: scale, dtype: 'F8_E8M0', shape: [...lead, out, Math.ceil(inDim / 32)] },
      ];
    }
    return [
      { name, dtype: 'F8_E4M3', shape: [...stored] },
      { name: scale, dtype: 'F8_E8M0', shape: [...lead, Math.ceil(out / 128), Math.ceil(inDim / 128)] },
    ];
  }
  switch (t.layout) {
    case 'deepseek-fp8':
      return [
        { name, dtype: 'F8_E4M3', shape: [...stored] },
        {
          name: `${name}_scale_inv`,
          dtype: t.scaleDtype,
          shape: [...lead, Math.ceil(out / 128), Math.ceil(inDim / 128)],
        },
      ];
    case 'mxfp8':
      return [
        { name, dtype: 'F8_E4M3', shape: [...stored] },
        t.scaleLayout === 'ascend'
          ? {
              name: companion(name, 'scale'),
              dtype: 'F8_E8M0',
              shape: [...lead, out, Math.ceil(inDim / 64), 2],
            }
          : { name: companion(name, 'scale'), dtype: 'U8', shape: [...lead, out, Math.ceil(inDim / 32)] },
      ];
    case 'nvfp4':
      return [
        { name, dtype: 'U8', shape: [...lead, out, rowCodeBytes(t, inDim)] },
        { name: companion(name, 'scale'), dtype: 'F8_E4M3', shape: [...lead, out, Math.ceil(inDim / 16)] },
        { name: companion(name, 'scale_2'), dtype: 'F32', shape: [] },
      ];
    case 'hifloat4': {
      const units = [...lead, out, Math.ceil(inDim / t.blockCols)];
      return [
        { name, dtype: 'U8', shape: [...lead, out, rowCodeBytes(t, inDim)] },
        { name: `${name}${HIF4_SUFFIXES.scale}`, dtype: 'U8', shape: units },
        { name: `${name}${HIF4_SUFFIXES.exp8}`, dtype: 'U8', shape: units },
        { name: `${name}${HIF4_SUFFIXES.exp4}`, dtype: 'U16', shape: units },
      ];
    }
    case 'mxfp4': {
      const base = baseName(name);
      const specs: TensorSpec[] = [
        { name: `${base}_blocks`, dtype: 'U8', shape: [...lead, out, Math.ceil(inDim / 32), 16] },
        t.scaleLayout === 'ascend'
          ? { name: `${base}_scales`, dtype: 'F8_E8M0', shape: [...lead, out, Math.ceil(inDim / 64), 2] }
          : { name: `${base}_scales`, dtype: 'U8', shape: [...lead, out, Math.ceil(inDim / 32)] },
      ];
      const coarse = coarseScale(t.scheme);
      if (coarse) {
        // dual-level MXFP4: CANN's level0_scale output, FLOAT32 [..., ceil(in/512)]
        specs.push({
          name: `${base}${LEVEL0_SUFFIX}`,
          dtype: 'F32',
          shape: [...lead, out, Math.ceil(inDim / coarse.elements)],
        });
      }
      return specs;
    }
  }
}

/** The bytes of a typed array (little-endian hosts). */
export function bytesOf(a: Float32Array | Uint16Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
