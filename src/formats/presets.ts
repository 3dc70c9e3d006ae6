/**
 * @module formats/presets
 * Named presets that reproduce the float32 → code casts of reference implementations exactly.
 * A preset defines options per format; a format it does not cover is an error, not a guess.
 * Facts read from each project's source, named in each preset's `source`: jax-ml/ml_dtypes
 * `ml_dtypes/include/float8.h` (`ConvertImpl`) and `mxfloat.h`; PyTorch `c10/util/Float8_*.h`;
 * microsoft/microxcaling `mx/elemwise_ops.py`; deepseek-ai/DeepGEMM `deep_gemm/utils/math.py`;
 * ggml-org/ggml `src/ggml-quants.c`; Huawei HiFloat8 (arXiv 2409.16626; CANN ge
 * `base/common/math/hif8_t.cc`).
 */

import { ArgumentError, hasOwnName } from './errors.js';
import type { EncodeOptions } from './options.js';
import type { FormatName } from './spec.js';

export const PRESET_NAMES = ['ml_dtypes', 'torch', 'microxcaling', 'deepgemm', 'ggml', 'huawei'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export interface Preset {
  readonly name: PresetName;
  /** Where the behaviour comes from (repository and file). */
  readonly source: string;
  readonly summary: string;
  readonly formats: Partial<Record<FormatName, EncodeOptions>>;
}

const rne: EncodeOptions = { rounding: 'nearest-even', overflow: 'nonfinite' };
const mxElement: EncodeOptions = { rounding: 'nearest-away', overflow: 'saturate' };
const fp4TiesDown: EncodeOptions = {
  rounding: 'nearest-zero',
  overflow: 'saturate',
  negativeZero: 'positive',
  nanCode: 0,
};

export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  ml_dtypes: {
    name: 'ml_dtypes',
    source: 'jax-ml/ml_dtypes: ml_dtypes/include/float8.h ConvertImpl, mxfloat.h',
    summary:
      'RNE, not saturating: E4M3FN above 464 is NaN; FP4/FP6 saturate and take NaN to -0; E8M0 rounds 1.5*2^k up, 0 and negatives to NaN',
    formats: {
      e4m3fn: rne,
      e5m2: rne,
      e4m3fnuz: rne,
      e5m2fnuz: rne,
      e2m3: rne,
      e3m2: rne,
      e2m1: rne,
      bf16: rne,
      fp16: rne,
      e8m0: { ...rne, zero: 'nan', negative: 'nan', subnormalInput: 'ceil' },
    },
  },
  torch: {
    name: 'torch',
    source: 'pytorch/pytorch: c10/util/Float8_*.h, BFloat16.h, Half.h',
    summary:
      'RNE, not saturating (E5M2 NaN is 0x7F); E8M0 reads the exponent bits: sign ignored, 0 is 0x00, ties up',
    formats: {
      e4m3fn: rne,
      e5m2: { ...rne, nanCode: 0x7f },
      e4m3fnuz: rne,
      e5m2fnuz: rne,
      bf16: rne,
      fp16: rne,
      e8m0: { ...rne, zero: 'min', negative: 'magnitude', subnormalInput: 'ceil' },
    },
  },
  microxcaling: {
    name: 'microxcaling',
    source: 'microsoft/microxcaling: mx/elemwise_ops.py _quantize_elemwise_core, mx/mx_ops.py _quantize_mx',
    summary: 'elements round half away from zero and saturate; the E8M0 scale is the floor power of two',
    formats: {
      e4m3fn: mxElement,
      e5m2: mxElement,
      e2m3: mxElement,
      e3m2: mxElement,
      e2m1: mxElement,
      bf16: mxElement,
      fp16: mxElement,
      e8m0: { rounding: 'down', overflow: 'nonfinite', zero: 'min', negative: 'nan' },
    },
  },
  deepgemm: {
    name: 'deepgemm',
    source: 'deepseek-ai/DeepGEMM: deep_gemm/utils/math.py ceil_to_ue8m0, per_token_cast_to_fp4',
    summary:
      'E8M0 is the ceiling power of two from the float bits, clamped to codes 1..254; FP4 ties toward zero with no -0; FP8 casts as torch',
    formats: {
      e4m3fn: rne,
      e2m1: fp4TiesDown,
      e8m0: { rounding: 'up', overflow: 'saturate', zero: 'min', negative: 'magnitude', codeRange: [1, 254] },
    },
  },
  ggml: {
    name: 'ggml',
    source: 'ggml-org/ggml: src/ggml-quants.c best_index_mxfp4 (argmin over kvalues_mxfp4, strict <)',
    summary:
      'E2M1 by nearest table entry, ties to the lower index (toward zero, +0 for negative ties), NaN to 0',
    formats: { e2m1: fp4TiesDown },
  },
  huawei: {
    name: 'huawei',
    source: 'Huawei CANN: ge base/common/math/hif8_t.cc, en_dtypes hifloat.h (round half away)',
    summary: 'HiF8 rounds half away from zero; 40960 and above (the rounding point past 32768) become Inf',
    formats: { hif8: { rounding: 'nearest-away', overflow: 'nonfinite' } },
  },
};

/** The options a preset gives a format; throws RangeError when the preset does not define it. */
export function presetOptions(preset: string, format: FormatName): EncodeOptions {
  if (!hasOwnName(PRESETS, preset)) {
    throw new ArgumentError(
      'unknown-name',
      'preset',
      `unknown preset "${String(preset)}" (known: ${PRESET_NAMES.join(', ')})`,
    );
  }
  const p = (PRESETS as Record<string, Preset>)[preset]!;
  const o = hasOwnName(p.formats, format) ? p.formats[format] : undefined;
  if (!o) {
    const has = Object.keys(p.formats).join(', ');
    throw new ArgumentError(
      'unknown-name',
      'format',
      `preset "${preset}" does not define format ${String(format)} (it defines: ${has})`,
    );
  }
  return o;
}
