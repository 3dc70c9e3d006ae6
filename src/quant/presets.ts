/**
 * @module quant/presets
 * Named schemes that reproduce reference quantizers bit for bit, and the baselines block scaling
 * must beat. Facts, each record's `source` naming its own: microsoft/microxcaling
 * `mx/mx_ops.py` `_quantize_mx` (OCP MX); deepseek-ai/DeepSeek-V3 `inference/kernel.py` and
 * deepseek-ai/DeepGEMM `deep_gemm/utils/math.py` (UE8M0 tiles); triton-lang/triton
 * `python/triton_kernels/triton_kernels/numerics_details/mxfp.py` (gpt-oss MXFP4); NVIDIA
 * TensorRT-LLM `cpp/tensorrt_llm/thop/fp4Quantize.cpp` (NVFP4); pytorch/ao
 * `torchao/prototype/mx_formats/mx_tensor.py` `to_mx` for the FLOOR/CEIL/EVEN/RCEIL rules.
 */
import { ArgumentError, hasOwnName } from '../formats/index.js';
import { type BlockScheme, type ElementKind, SCALE_KINDS, type ScaleRule, validateScheme } from './scheme.js';

const e4m3Torch = { rounding: 'nearest-even', overflow: 'nonfinite' } as const;
const rneSat = { rounding: 'nearest-even', overflow: 'saturate' } as const;
const awaySat = { rounding: 'nearest-away', overflow: 'saturate' } as const;

function deepseek(
  name: string,
  source: string,
  block: readonly [number, number],
  pow2: 'none' | 'ceil-bits' | 'ceil-log2',
  apply: 'mul-reciprocal' | 'div',
  scaleStorage: 'f32' | 'e8m0',
): BlockScheme {
  return {
    name,
    source,
    element: 'e4m3fn',
    elementOptions: e4m3Torch,
    block,
    scale: { kind: 'amax-ratio', maxValue: 448, minAmax: 1e-4, pow2 },
    scaleStorage,
    apply,
  };
}

/** An MX scheme: block 32 along the last dimension, E8M0 scale. */
export function mxScheme(
  element: ElementKind,
  rule: Extract<ScaleRule['kind'], `mx-${string}`>,
  elementOptions: BlockScheme['elementOptions'],
  name = `mx-${element}-${rule.slice(3)}`,
  source = 'OCP Microscaling Formats (MX) v1.0',
): BlockScheme {
  const rules = SCALE_KINDS.filter((k) => k.startsWith('mx-'));
  if (!(rules as readonly unknown[]).includes(rule)) {
    throw new ArgumentError(
      'unknown-name',
      'rule',
      `mxScheme: unknown MX scale rule ${JSON.stringify(rule) ?? String(rule)} (known: ${rules.join(', ')})`,
    );
  }
  const s: BlockScheme = {
    name,
    source,
    element,
    elementOptions,
    block: [1, 32],
    scale: { kind: rule } as ScaleRule,
    scaleStorage: 'e8m0',
    apply: 'mul-reciprocal',
  };
  validateScheme(s);
  return s;
}

const DG = 'deepseek-ai/DeepGEMM deep_gemm/utils/math.py';
const MICRO = 'microsoft/microxcaling mx/mx_ops.py _quantize_mx (round="nearest", saturating)';
const TORCHAO = 'pytorch/ao torchao/prototype/mx_formats/mx_tensor.py to_mx';
const TRITON = 'triton-lang/triton python/triton_kernels/.../numerics_details/mxfp.py downcast_to_mxfp_torch';

/** The named schemes. */
export const SCHEMES: Readonly<Record<string, BlockScheme>> = Object.fromEntries(
  [
    // DeepSeek FP8 tiles
    deepseek(
      'deepgemm-token-fp32',
      `${DG} per_token_cast_to_fp8(use_ue8m0=False)`,
      [1, 128],
      'none',
      'mul-reciprocal',
      'f32',
    ),
    deepseek(
      'deepgemm-token-ue8m0',
      `${DG} per_token_cast_to_fp8(use_ue8m0=True)`,
      [1, 128],
      'ceil-bits',
      'mul-reciprocal',
      'e8m0',
    ),
    deepseek(
      'deepgemm-block-fp32',
      `${DG} per_block_cast_to_fp8(use_ue8m0=False)`,
      [128, 128],
      'none',
      'mul-reciprocal',
      'f32',
    ),
    deepseek(
      'deepgemm-block-ue8m0',
      `${DG} per_block_cast_to_fp8(use_ue8m0=True)`,
      [128, 128],
      'ceil-bits',
      'mul-reciprocal',
      'e8m0',
    ),
    deepseek(
      'deepseek-v3-act',
      'deepseek-ai/DeepSeek-V3 inference/kernel.py act_quant(scale_fmt=None)',
      [1, 128],
      'none',
      'div',
      'f32',
    ),
    deepseek(
      'deepseek-v3-act-ue8m0',
      'deepseek-ai/DeepSeek-V3 inference/kernel.py act_quant(scale_fmt="ue8m0")',
      [1, 128],
      'ceil-log2',
      'div',
      'f32',
    ),
    // OCP MX
    mxScheme('e4m3fn', 'mx-floor', awaySat, 'microxcaling-mxfp8-e4m3', MICRO),
    mxScheme('e5m2', 'mx-floor', awaySat, 'microxcaling-mxfp8-e5m2', MICRO),
    mxScheme('e2m3', 'mx-floor', awaySat, 'microxcaling-mxfp6-e2m3', MICRO),
    mxScheme('e3m2', 'mx-floor', awaySat, 'microxcaling-mxfp6-e3m2', MICRO),
    mxScheme('e2m1', 'mx-floor', awaySat, 'microxcaling-mxfp4', MICRO),
    mxScheme('mxint8', 'mx-floor', awaySat, 'microxcaling-mxint8', MICRO),
    mxScheme('e4m3fn', 'mx-floor', rneSat, 'torchao-mxfp8-floor', `${TORCHAO} FLOOR`),
    mxScheme('e4m3fn', 'mx-rceil', rneSat, 'torchao-mxfp8-rceil', `${TORCHAO} RCEIL`),
    mxScheme('e2m1', 'mx-floor', rneSat, 'torchao-mxfp4-floor', `${TORCHAO} FLOOR`),
    mxScheme('e2m1', 'mx-rceil', rneSat, 'torchao-mxfp4-rceil', `${TORCHAO} RCEIL`),
    mxScheme(
      'e2m1',
      'mx-ggml',
      { preset: 'ggml' },
      'ggml-mxfp4',
      'ggml-org/ggml src/ggml-quants.c quantize_row_mxfp4_ref',
    ),
    mxScheme('e2m1', 'mx-roundup', awaySat, 'triton-mxfp4', `${TRITON} (ROUND_UP)`),
    mxScheme('e4m3fn', 'mx-roundup', rneSat, 'triton-mxfp8', `${TRITON} (ROUND_UP)`),
    // NVIDIA NVFP4
    {
      name: 'nvfp4',
      source: 'NVIDIA TensorRT-LLM fp4Quantize (global scale 448*6/amax, E4M3 block scale per 16)',
      element: 'e2m1',
      elementOptions: rneSat,
      block: [1, 16],
      scale: { kind: 'nvfp4' },
      scaleStorage: 'e4m3fn',
      apply: 'mul-reciprocal',
    },
    // Huawei HiFloat4 (arXiv 2602.11287)
    {
      name: 'hifloat4-g64',
      source:
        'global-computing-consortium/HiFloat4 hif4_gpu/HiF4_NVFP4_v14f16.py To_HiFX (arXiv 2602.11287): per 64, E6M2 scale of BF16(amax x BF16(1/7)), 1-bit exponents per 8 and per 4, S1P2 elements rounded half up, clipped at 1.75',
      element: 'hif4',
      elementOptions: { rounding: 'nearest-away', overflow: 'saturate' },
      block: [1, 64],
      scale: { kind: 'hif4' },
      scaleStorage: 'hif4',
      apply: 'mul-reciprocal',
    },
    // Huawei Ascend 950 dual-level MXFP4 (BF16 input, round_mode "rint")
    {
      name: 'ascend-dual-mxfp4',
      source:
        'hicann/ops-nn quant/dynamic_dual_level_mx_quant (https://gitcode.com/cann/ops-nn/tree/master/quant/dynamic_dual_level_mx_quant): docs/aclnnDynamicDualLevelMxQuant.md and op_kernel/arch35/dynamic_dual_level_mx_quant_base.h; float32 scale per 512 = f32(amax x f32(1/6)), E8M0 per 32 of the BF16 values x / level0 (largest exponent - 2), E2M1 rint saturating',
      element: 'e2m1',
      elementOptions: rneSat,
      block: [1, 32],
      scale: { kind: 'ascend-dual' },
      scaleStorage: 'e8m0',
      apply: 'mul-reciprocal',
    },
    // Baselines
    {
      name: 'fp8-per-tensor',
      source: 'per-tensor FP8 (amax/448 in float32)',
      element: 'e4m3fn',
      elementOptions: rneSat,
      block: ['all', 'all'],
      scale: { kind: 'amax-ratio', maxValue: 448, minAmax: 1e-12 },
      scaleStorage: 'f32',
      apply: 'mul-reciprocal',
    },
    {
      name: 'fp8-per-channel',
      source: 'per-output-channel FP8 (amax/448 per row, float32)',
      element: 'e4m3fn',
      elementOptions: rneSat,
      block: [1, 'all'],
      scale: { kind: 'amax-ratio', maxValue: 448, minAmax: 1e-12 },
      scaleStorage: 'f32',
      apply: 'mul-reciprocal',
    },
    {
      name: 'int8-per-channel',
      source: 'per-output-channel INT8 (amax/127 per row in float32, round half away, W8A8 weights)',
      element: 'int8',
      elementOptions: {},
      block: [1, 'all'],
      scale: { kind: 'amax-ratio', maxValue: 127, minAmax: 1e-12 },
      scaleStorage: 'f32',
      apply: 'mul-reciprocal',
    },
    {
      name: 'int4-g128',
      source:
        'symmetric INT4 in groups of 128 along the input dimension (amax/7, round half away, fp16 scale): the storage of W4A16 group-128 weights',
      element: 'int4',
      elementOptions: {},
      block: [1, 128],
      scale: { kind: 'amax-ratio', maxValue: 7 },
      scaleStorage: 'f16',
      apply: 'mul-reciprocal',
    },
    {
      name: 'hif8-per-tensor',
      source: 'per-tensor HiF8 (amax/32768 in float32, as fp8-per-tensor; HiF8 rounds half away as CANN)',
      element: 'hif8',
      elementOptions: { preset: 'huawei' },
      block: ['all', 'all'],
      scale: { kind: 'amax-ratio', maxValue: 32768, minAmax: 1e-12 },
      scaleStorage: 'f32',
      apply: 'mul-reciprocal',
    },
    {
      name: 'int8-q8_0',
      source: 'ggml-org/ggml src/ggml-quants.c quantize_row_q8_0_ref (fp16 scale per 32)',
      element: 'int8',
      elementOptions: {},
      block: [1, 32],
      scale: { kind: 'amax-ratio', maxValue: 127 },
      scaleStorage: 'f16',
      apply: 'mul-reciprocal',
    },
  ].map((s) => [s.name, s as BlockScheme]),
);

/**
 * Short names for the CLI, the simulator and the dashboard, in one namespace with the scheme
 * names. The first short name of a scheme is its storage id in `perf` (`fp8-1x128-ue8m0`); the
 * DeepSeek FP8 names say their tile: `deepseek-fp8` is the 128x128 UE8M0 weight layout that
 * `convert --to deepseek-fp8` writes (DeepSeek-V3.1), `deepseek-act` its 1x128 activation tiles.
 */
export const SCHEME_ALIASES: Readonly<Record<string, string>> = {
  fp8: 'fp8-per-tensor',
  'fp8-e4m3': 'fp8-per-tensor',
  e4m3: 'fp8-per-tensor',
  float8: 'fp8-per-tensor',
  hif8: 'hif8-per-tensor',
  hifloat8: 'hif8-per-tensor',
  hif4: 'hifloat4-g64',
  hifloat4: 'hifloat4-g64',
  'dual-mxfp4': 'ascend-dual-mxfp4',
  'mxfp4-dual-level': 'ascend-dual-mxfp4',
  int8: 'int8-per-channel',
  w8a8: 'int8-per-channel',
  i8: 'int8-per-channel',
  int4: 'int4-g128',
  w4: 'int4-g128',
  'fp8-1x128-ue8m0': 'deepgemm-token-ue8m0',
  'deepseek-act': 'deepgemm-token-ue8m0',
  'ue8m0-fp8': 'deepgemm-token-ue8m0',
  'fp8-ue8m0': 'deepgemm-token-ue8m0',
  'fp8-1x128-fp32': 'deepgemm-token-fp32',
  'deepseek-act-fp32': 'deepgemm-token-fp32',
  'fp8-128x128-ue8m0': 'deepgemm-block-ue8m0',
  'deepseek-fp8': 'deepgemm-block-ue8m0',
  'fp8-128x128-fp32': 'deepgemm-block-fp32',
  'deepseek-fp8-fp32': 'deepgemm-block-fp32',
  'deepseek-fp8-weights': 'deepgemm-block-fp32',
  'fp8-block': 'deepgemm-block-fp32',
  mxfp8: 'torchao-mxfp8-floor',
  'mx-fp8': 'torchao-mxfp8-floor',
  mxfp6: 'microxcaling-mxfp6-e2m3',
  'mx-fp6': 'microxcaling-mxfp6-e2m3',
  mxfp4: 'torchao-mxfp4-floor',
  'mx-fp4': 'torchao-mxfp4-floor',
  q8_0: 'int8-q8_0',
};

/** The scheme a name or alias names, or undefined (own properties only). */
export function findScheme(name: string): BlockScheme | undefined {
  const target = hasOwnName(SCHEME_ALIASES, name) ? SCHEME_ALIASES[name]! : name;
  return hasOwnName(SCHEMES, target) ? SCHEMES[target] : undefined;
}

/** Look up a scheme by name or alias; RangeError listing the known names. */
export function getScheme(name: string): BlockScheme {
  const s = findScheme(name);
  if (!s) {
    throw new ArgumentError(
      'unknown-name',
      'scheme',
      `unknown scheme "${name}" (known: ${[...Object.keys(SCHEME_ALIASES), ...Object.keys(SCHEMES)].join(', ')})`,
    );
  }
  return s;
}

/**
 * Add a scheme to the registry (with optional short names). It then appears in `chipstack
 * schemes`, can be compared and converted, and `perf` prices it, with no other edit.
 * Throws RangeError for a taken name or an invalid record.
 */
export function registerScheme(scheme: BlockScheme, aliases: readonly string[] = []): BlockScheme {
  for (const n of [scheme.name, ...aliases]) {
    if (Object.hasOwn(SCHEMES, n) || Object.hasOwn(SCHEME_ALIASES, n)) {
      throw new RangeError(`scheme name "${n}" is already registered`);
    }
  }
  validateScheme(scheme);
  (SCHEMES as Record<string, BlockScheme>)[scheme.name] = scheme;
  for (const a of aliases) (SCHEME_ALIASES as Record<string, string>)[a] = scheme.name;
  return scheme;
}
