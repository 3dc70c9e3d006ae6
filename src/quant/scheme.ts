/**
 * @module quant/scheme
 * A block-scaled scheme is data: element format and its rounding, block shape, scale rule and
 * scale storage. One generic quantizer (quantize.ts) runs every scheme.
 */
import { ArgumentError, type CodecOptions, type FormatName, hasOwnName } from '../formats/index.js';

/** Element encodings: a float format from `formats`, or scaled integers. */
export type ElementKind = FormatName | 'int8' | 'mxint8';

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
 */
export type ScaleRule =
  | { kind: 'amax-ratio'; maxValue: number; minAmax?: number; pow2?: 'none' | 'ceil-bits' | 'ceil-log2' }
  | { kind: 'mx-floor' | 'mx-ceil' | 'mx-even' | 'mx-rceil' | 'mx-roundup' | 'mx-ggml' }
  | { kind: 'nvfp4' };

/** How scales are stored: float32, E8M0 bytes, E4M3 bytes (NVFP4), or float16 (ggml Q8_0). */
export type ScaleStorage = 'f32' | 'e8m0' | 'e4m3fn' | 'f16';

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

const ELEMENT_BITS: Record<ElementKind, number> = {
  e4m3fn: 8,
  e5m2: 8,
  e4m3fnuz: 8,
  e5m2fnuz: 8,
  e8m0: 8,
  e2m3: 6,
  e3m2: 6,
  e2m1: 4,
  bf16: 16,
  fp16: 16,
  hif8: 8,
  int8: 8,
  mxint8: 8,
};

const SCALE_BITS: Record<ScaleStorage, number> = { f32: 32, e8m0: 8, e4m3fn: 8, f16: 16 };

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
] as const satisfies readonly ScaleRule['kind'][];

/** Bits of one element. */
export function elementBits(s: BlockScheme): number {
  return ELEMENT_BITS[s.element];
}

/**
 * Bits per element including the scale overhead, for a tensor of `rows` x `cols` (the block
 * counts where a block spans a whole dimension). NVFP4 adds its fp32 tensor scale.
 */
export function bitsPerElement(s: BlockScheme, rows = 4096, cols = 4096): number {
  const br = s.block[0] === 'all' ? rows : Math.min(s.block[0], rows);
  const bc = s.block[1] === 'all' ? cols : s.block[1];
  const global = s.scale.kind === 'nvfp4' ? 32 / (rows * cols) : 0;
  return ELEMENT_BITS[s.element] + SCALE_BITS[s.scaleStorage] / (br * bc) + global;
}

/** Check a scheme record; throws RangeError naming the field. */
export function validateScheme(s: BlockScheme): void {
  const bad = (code: 'unknown-name' | 'bad-type', what: string, text: string) => {
    throw new ArgumentError(code, what, `scheme ${String(s?.name)}: ${text}`);
  };
  if (s === null || typeof s !== 'object')
    throw new ArgumentError('bad-type', 'scheme', 'a scheme must be an object');
  if (!hasOwnName(ELEMENT_BITS, s.element)) {
    bad(
      'unknown-name',
      'element',
      `unknown element ${JSON.stringify(s.element)} (known: ${Object.keys(ELEMENT_BITS).join(', ')})`,
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
  if (!hasOwnName(SCALE_BITS, s.scaleStorage)) {
    bad(
      'unknown-name',
      'scaleStorage',
      `unknown scale storage ${JSON.stringify(s.scaleStorage)} (known: ${Object.keys(SCALE_BITS).join(', ')})`,
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
  if (!(s.element in ELEMENT_BITS)) throw new RangeError(`scheme ${s.name}: unknown element ${s.element}`);
  const mx = s.scale.kind.startsWith('mx-');
  if (mx && s.scaleStorage !== 'e8m0') throw new RangeError(`scheme ${s.name}: MX scales are stored as e8m0`);
  if (s.scaleStorage === 'e8m0' && s.scale.kind === 'amax-ratio' && (s.scale.pow2 ?? 'none') === 'none') {
    throw new RangeError(`scheme ${s.name}: e8m0 scale storage needs power-of-two scales`);
  }
  if (s.scale.kind === 'nvfp4' && (s.element !== 'e2m1' || s.scaleStorage !== 'e4m3fn')) {
    throw new RangeError(`scheme ${s.name}: nvfp4 scales need e2m1 elements and e4m3fn scale storage`);
  }
  if (s.scale.kind === 'mx-ggml' && s.element !== 'e2m1')
    throw new RangeError(`scheme ${s.name}: mx-ggml is for e2m1`);
  if (s.element === 'mxint8' && !mx)
    throw new RangeError(`scheme ${s.name}: mxint8 elements need an MX scale`);
}
