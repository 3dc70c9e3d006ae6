/**
 * @module quant/scheme
 * A block-scaled scheme is data: element format and its rounding, block shape, scale rule and
 * scale storage. One generic quantizer (quantize.ts) runs every scheme.
 */
import {
  ArgumentError,
  type CodecOptions,
  FORMATS,
  type FormatName,
  getFormat,
  hasOwnName,
} from '../formats/index.js';
import { DUAL_MX_LEVEL0 } from './scheme-dual-mx.js';

/**
 * Scaled-integer elements: two's complement codes, one per byte, clamped symmetric to ±max
 * (round half away from zero, as ggml's roundf). `step` is the value of code 1 (MXINT8's
 * implicit 2^-6). The one table of integer element facts.
 */
export const INTEGER_ELEMENTS = {
  int8: { bits: 8, max: 127, step: 1, title: 'INT8 (symmetric, ±127)' },
  mxint8: { bits: 8, max: 127, step: 1 / 64, title: 'MXINT8 element (INT8 with an implicit 2^-6)' },
  int4: { bits: 4, max: 7, step: 1, title: 'INT4 (symmetric, ±7)' },
} as const;
export type IntegerElement = keyof typeof INTEGER_ELEMENTS;

/** Element encodings: a float format from `formats`, or scaled integers. */
export type ElementKind = FormatName | IntegerElement;

/** The integer element's facts, or null for a float format. */
export function integerElement(e: ElementKind): (typeof INTEGER_ELEMENTS)[IntegerElement] | null {
  return Object.hasOwn(INTEGER_ELEMENTS, e) ? INTEGER_ELEMENTS[e as IntegerElement] : null;
}

/**
 * How a block's scale follows from its largest magnitude (amax).
 * - `amax-ratio`: s = max(amax, minAmax) / maxValue in float32 (DeepSeek, per-tensor/channel
 *   FP8, int8), optionally rounded up to a power of two: `ceil-bits` from the float's bits as
 *   DeepGEMM's ceil_to_ue8m0 (exponent field clamped to 1..254), `ceil-log2` as 2^ceil(log2 s)
 *   (DeepSeek-V3's Triton act_quant).
 * - `mx-floor`: E8M0 = exponent bits of amax minus the element's emax (OCP spec, microxcaling,
 *   torchao FLOOR); `mx-ceil`: plus one when amax is not a power of two (torchao CEIL);
 *   `mx-even`: amax first rounded at the element's mantissa width (torchao EVEN);
 *   `mx-rceil`: amax / maxValue rounded up to a power of two from its bits (cuBLAS, torchao RCEIL);
 *   `mx-roundup`: triton_kernels' (bits + 0x7FFFFF) & 0x7F800000 of amax / maxValue;
 *   `mx-ggml`: ggml's floor(log2f(amax)) - 2 + 127, wrapped to a byte, 0 for an all-zero block.
 * - `nvfp4`: E4M3 block scale of amax/6 times the per-tensor scale 448*6/amax_tensor.
 * - `hif4`: HiFloat4's three levels (scheme-hif4.ts): an E6M2 scale per 64 elements from
 *   amax · BF16(1/7), then a 1-bit exponent per 8 and per 4 elements.
 * - `ascend-dual`: Ascend's dual-level MXFP4 (scheme-dual-mx.ts, aclnnDynamicDualLevelMxQuant): a
 *   float32 level-0 scale per 512 elements (amax · f32(1/6)), then an E8M0 level-1 scale per 32 of
 *   the level-0-scaled values (their largest exponent minus E2M1's emax 2).
 */
export type ScaleRule =
  | { kind: 'amax-ratio'; maxValue: number; minAmax?: number; pow2?: 'none' | 'ceil-bits' | 'ceil-log2' }
  | { kind: 'mx-floor' | 'mx-ceil' | 'mx-even' | 'mx-rceil' | 'mx-roundup' | 'mx-ggml' }
  | { kind: 'nvfp4' }
  | { kind: 'hif4' }
  | { kind: 'ascend-dual' };

/**
 * How scales are stored, named by the format that stores them: float32, E8M0 bytes (UE8M0),
 * E4M3 bytes (NVFP4's UE4M3), float16 (ggml Q8_0), or HiFloat4's 32-bit unit metadata (an E6M2
 * byte, 8 level-2 and 16 level-3 one-bit exponents). Widths come from the format records.
 */
/** Every way a block's scale is stored. */
export const SCALE_STORAGES = ['f32', 'e8m0', 'e4m3fn', 'f16', 'hif4'] as const;
export type ScaleStorage = (typeof SCALE_STORAGES)[number];

export interface BlockScheme {
  readonly name: string;
  /** Who does it this way (repository and function). */
  readonly source: string;
  readonly element: ElementKind;
  /** Element encoding options (rounding, saturation), or a formats preset name. */
  readonly elementOptions: CodecOptions;
  /** Block shape [rows, cols] over the last two dimensions; `all` spans the whole dimension. */
  readonly block: readonly [number | 'all', number | 'all'];
  readonly scale: ScaleRule;
  readonly scaleStorage: ScaleStorage;
  /** Elements are x * (1/s) (DeepGEMM, torchao) or x / s (DeepSeek-V3's kernel). */
  readonly apply: 'mul-reciprocal' | 'div';
}

/** Bits of one code of an element kind (from the format record, or the integer table). */
export function elementKindBits(e: ElementKind): number {
  return integerElement(e)?.bits ?? getFormat(e).bits;
}

/** Bits of one stored scale. */
export function scaleStorageBits(storage: ScaleStorage): number {
  switch (storage) {
    case 'f32':
      return 32;
    case 'f16':
      return getFormat('fp16').bits;
    case 'hif4':
      // E6M2 base scale + one bit per 8 and one per 4 of a 64-element unit
      return getFormat('e6m2').bits + 64 / 8 + 64 / 4;
    default:
      return getFormat(storage).bits;
  }
}

/** Every scale rule kind (ScaleRule['kind']). */
export const SCALE_KINDS = [
  'amax-ratio',
  'mx-floor',
  'mx-ceil',
  'mx-even',
  'mx-rceil',
  'mx-roundup',
  'mx-ggml',
  'nvfp4',
  'hif4',
  'ascend-dual',
] as const satisfies readonly ScaleRule['kind'][];

/**
 * A scale level above the blocks that is not per tensor: Ascend's dual-level MXFP4 keeps one
 * float32 per 512 elements of a row (over 16 E8M0-scaled blocks of 32). Null for every other rule.
 */
export function coarseScale(s: BlockScheme): { elements: number; bits: number; storage: 'f32' } | null {
  return s.scale.kind === 'ascend-dual'
    ? { elements: DUAL_MX_LEVEL0, bits: scaleStorageBits('f32'), storage: 'f32' }
    : null;
}

/** Bits of one element. */
export function elementBits(s: BlockScheme): number {
  return elementKindBits(s.element);
}

/** Bits of the scheme's per-tensor (global) scale: NVFP4's float32 second level, else 0. */
export function globalScaleBits(s: BlockScheme): number {
  return s.scale.kind === 'nvfp4' ? 32 : 0;
}

/**
 * What a scheme stores, derived from its record: the facts a simulator prices and a layout
 * writes. `blockElements` is null where a block spans a whole dimension (per-tensor and
 * per-channel scales, whose cost per element depends on the tensor and is negligible).
 */
export interface SchemeStorage {
  elementBits: number;
  /** How codes are packed when stored: 4-bit codes two per byte, 6-bit four per three bytes. */
  packing: 'nibbles' | 'six-bit' | 'bytes' | 'words';
  /** Elements sharing one scale, or null when a block spans a whole dimension. */
  blockElements: number | null;
  /** Block shape as text: "1x32", "128x128", "per-channel", "per-tensor". */
  blockShape: string;
  /**
   * Scale bits per block: the block's own scale plus its share of a coarser level (dual-level
   * MXFP4: 8 + 32/16 = 10 per 32 elements), so bits per element = element + scaleBits / block.
   */
  scaleBits: number;
  scaleStorage: ScaleStorage;
  /** A coarser per-row level (dual-level MXFP4: one float32 per 512 elements), or null. */
  coarseScale: { elements: number; bits: number; storage: 'f32' } | null;
  globalScaleBits: number;
  /** Bits per element with block scales, per-tensor and per-channel scales left out (as for a large tensor). */
  bitsPerElement: number;
}

export function schemeStorage(s: BlockScheme): SchemeStorage {
  const eb = elementBits(s);
  const [r, c] = s.block;
  const blockElements = r === 'all' || c === 'all' ? null : r * c;
  const blockShape =
    r === 'all' && c === 'all'
      ? 'per-tensor'
      : c === 'all'
        ? 'per-channel'
        : `${r === 'all' ? 'all' : r}x${c}`;
  const coarse = coarseScale(s);
  const scaleBits =
    scaleStorageBits(s.scaleStorage) +
    (coarse && blockElements !== null ? (coarse.bits * blockElements) / coarse.elements : 0);
  return {
    elementBits: eb,
    packing: eb === 4 ? 'nibbles' : eb === 6 ? 'six-bit' : eb <= 8 ? 'bytes' : 'words',
    blockElements,
    blockShape,
    scaleBits,
    scaleStorage: s.scaleStorage,
    coarseScale: coarse,
    globalScaleBits: globalScaleBits(s),
    bitsPerElement: eb + (blockElements === null ? 0 : scaleBits / blockElements),
  };
}

/**
 * Bits per element including the scale overhead, for a tensor of `rows` x `cols` (the block
 * counts where a block spans a whole dimension). NVFP4 adds its fp32 tensor scale, dual-level
 * MXFP4 its float32 per 512 elements of a row (one per row when a row is shorter).
 */
export function bitsPerElement(s: BlockScheme, rows = 4096, cols = 4096): number {
  const br = s.block[0] === 'all' ? rows : Math.min(s.block[0], rows);
  const bc = s.block[1] === 'all' ? cols : s.block[1];
  const coarse = coarseScale(s);
  const coarseBits = coarse ? (coarse.bits * Math.ceil(cols / coarse.elements)) / cols : 0;
  return (
    elementBits(s) +
    scaleStorageBits(s.scaleStorage) / (br * bc) +
    coarseBits +
    globalScaleBits(s) / (rows * cols)
  );
}

/** Check a scheme record; throws RangeError naming the field. */
export function validateScheme(s: BlockScheme): void {
  const bad = (code: 'unknown-name' | 'bad-type', what: string, text: string) => {
    throw new ArgumentError(code, what, `scheme ${String(s?.name)}: ${text}`);
  };
  if (s === null || typeof s !== 'object')
    throw new ArgumentError('bad-type', 'scheme', 'a scheme must be an object');
  if (!hasOwnName(INTEGER_ELEMENTS, s.element) && !hasOwnName(FORMATS, s.element)) {
    bad(
      'unknown-name',
      'element',
      `unknown element ${JSON.stringify(s.element)} (known: ${[...Object.keys(FORMATS), ...Object.keys(INTEGER_ELEMENTS)].join(', ')})`,
    );
  }
  if (
    s.scale === null ||
    typeof s.scale !== 'object' ||
    !(SCALE_KINDS as readonly unknown[]).includes(s.scale.kind)
  ) {
    bad(
      'unknown-name',
      'scale',
      `unknown scale rule ${JSON.stringify(s.scale?.kind)} (known: ${SCALE_KINDS.join(', ')})`,
    );
  }
  if (s.elementOptions === null || typeof s.elementOptions !== 'object') {
    bad('bad-type', 'elementOptions', 'elementOptions must be an object (codec options or { preset })');
  }
  if (!(SCALE_STORAGES as readonly unknown[]).includes(s.scaleStorage)) {
    bad(
      'unknown-name',
      'scaleStorage',
      `unknown scale storage ${JSON.stringify(s.scaleStorage)} (known: ${SCALE_STORAGES.join(', ')})`,
    );
  }
  if (!Array.isArray(s.block) || s.block.length !== 2) bad('bad-type', 'block', 'block must be [rows, cols]');
  const [r, c] = s.block;
  for (const [v, what] of [
    [r, 'block rows'],
    [c, 'block cols'],
  ] as const) {
    if (v !== 'all' && (!Number.isInteger(v) || v < 1)) {
      throw new RangeError(`scheme ${s.name}: ${what} must be a positive integer or "all", got ${v}`);
    }
  }
  if (!integerElement(s.element) && !Object.hasOwn(FORMATS, s.element)) {
    throw new RangeError(`scheme ${s.name}: unknown element ${s.element}`);
  }
  const mx = s.scale.kind.startsWith('mx-');
  if (mx && s.scaleStorage !== 'e8m0') throw new RangeError(`scheme ${s.name}: MX scales are stored as e8m0`);
  if (s.scaleStorage === 'e8m0' && s.scale.kind === 'amax-ratio' && (s.scale.pow2 ?? 'none') === 'none') {
    throw new RangeError(`scheme ${s.name}: e8m0 scale storage needs power-of-two scales`);
  }
  if (s.scale.kind === 'nvfp4' && (s.element !== 'e2m1' || s.scaleStorage !== 'e4m3fn')) {
    throw new RangeError(`scheme ${s.name}: nvfp4 scales need e2m1 elements and e4m3fn scale storage`);
  }
  const hif4 = s.scale.kind === 'hif4';
  const hif4Record = s.element === 'hif4' && s.scaleStorage === 'hif4' && r === 1 && c === 64;
  if (hif4 !== (s.scaleStorage === 'hif4') || (hif4 && !hif4Record)) {
    throw new RangeError(
      `scheme ${s.name}: the hif4 scale rule goes with hif4 elements, hif4 scale storage and block 1x64, and only with them`,
    );
  }
  if (
    s.scale.kind === 'ascend-dual' &&
    (s.element !== 'e2m1' || s.scaleStorage !== 'e8m0' || r !== 1 || c !== 32)
  ) {
    throw new RangeError(
      `scheme ${s.name}: the ascend-dual scale rule is for e2m1 elements in blocks of 1x32 with e8m0 scale storage`,
    );
  }
  if (s.scale.kind === 'mx-ggml' && s.element !== 'e2m1')
    throw new RangeError(`scheme ${s.name}: mx-ggml is for e2m1`);
  if (s.element === 'mxint8' && !mx)
    throw new RangeError(`scheme ${s.name}: mxint8 elements need an MX scale`);
}
