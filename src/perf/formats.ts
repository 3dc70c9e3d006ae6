/**
 * @module perf/formats
 * Storage formats as the simulator counts them: bits per element **including block-scale overhead**,
 * derived from the element width, the block size and the scale width (never typed in), plus the
 * element kind the matrix unit must run. A block-scaled format is one row: element + block + scale.
 */

/** The kind of number a matrix unit multiplies; decides which peak applies. */
export type ElementKind = 'fp32' | 'bf16' | 'fp16' | 'fp8' | 'int8' | 'fp6' | 'fp4' | 'int4';

/** How a format's block scales are applied: not at all, MX-style (E8M0, hardware-capable), NVFP4-style, or by software. */
export type ScaleStyle = 'none' | 'mx' | 'nvfp4' | 'software';

export interface BlockScale {
  /** Elements sharing one scale (a 128x128 tile is 16384). */
  elements: number;
  /** Width of one scale in bits (E8M0/UE8M0 8, UE4M3 8, fp32 32, fp16 16). */
  scaleBits: number;
  scaleType: 'ue8m0' | 'ue4m3' | 'fp32' | 'fp16';
  /** Block shape for the description, e.g. "1x32", "128x128". */
  shape: string;
}

export interface StorageFormat {
  id: string;
  aliases: readonly string[];
  element: ElementKind;
  elementBits: number;
  block: BlockScale | null;
  /** Bits of one per-tensor scale (NVFP4's fp32 second-level scale); negligible per element, kept for the record. */
  tensorScaleBits: number;
  scaleStyle: ScaleStyle;
  note: string;
}

const mx = (elements: number): BlockScale => ({
  elements,
  scaleBits: 8,
  scaleType: 'ue8m0',
  shape: `1x${elements}`,
});

/** The table. Add a format by adding a row; bits per element follow from it. */
export const STORAGE_FORMATS: readonly StorageFormat[] = [
  {
    id: 'fp32',
    aliases: ['float32'],
    element: 'fp32',
    elementBits: 32,
    block: null,
    tensorScaleBits: 0,
    scaleStyle: 'none',
    note: 'IEEE binary32',
  },
  {
    id: 'bf16',
    aliases: ['bfloat16'],
    element: 'bf16',
    elementBits: 16,
    block: null,
    tensorScaleBits: 0,
    scaleStyle: 'none',
    note: 'bfloat16',
  },
  {
    id: 'fp16',
    aliases: ['float16', 'half'],
    element: 'fp16',
    elementBits: 16,
    block: null,
    tensorScaleBits: 0,
    scaleStyle: 'none',
    note: 'IEEE binary16',
  },
  {
    id: 'fp8',
    aliases: ['fp8-e4m3', 'e4m3', 'float8'],
    element: 'fp8',
    elementBits: 8,
    block: null,
    tensorScaleBits: 32,
    scaleStyle: 'none',
    note: 'FP8 E4M3 with one fp32 scale per tensor',
  },
  {
    id: 'hif8',
    aliases: ['hifloat8'],
    element: 'fp8',
    elementBits: 8,
    block: null,
    tensorScaleBits: 32,
    scaleStyle: 'none',
    note: 'Huawei HiFloat8 (tapered FP8), per-tensor scale',
  },
  {
    id: 'int8',
    aliases: ['w8a8', 'i8'],
    element: 'int8',
    elementBits: 8,
    block: null,
    tensorScaleBits: 32,
    scaleStyle: 'none',
    note: 'INT8 with per-channel or per-tensor scales (negligible per element)',
  },
  {
    id: 'fp8-1x128-ue8m0',
    aliases: ['deepseek-fp8', 'ue8m0-fp8', 'fp8-ue8m0'],
    element: 'fp8',
    elementBits: 8,
    block: { elements: 128, scaleBits: 8, scaleType: 'ue8m0', shape: '1x128' },
    tensorScaleBits: 0,
    scaleStyle: 'mx',
    note: 'DeepSeek V3.1 FP8: E4M3 in 1x128 tiles with power-of-two UE8M0 scales',
  },
  {
    id: 'fp8-1x128-fp32',
    aliases: ['deepseek-fp8-fp32'],
    element: 'fp8',
    elementBits: 8,
    block: { elements: 128, scaleBits: 32, scaleType: 'fp32', shape: '1x128' },
    tensorScaleBits: 0,
    scaleStyle: 'software',
    note: 'DeepSeek-V3 activation tiles: E4M3 in 1x128 tiles with fp32 scales',
  },
  {
    id: 'fp8-128x128-fp32',
    aliases: ['deepseek-fp8-weights', 'fp8-block'],
    element: 'fp8',
    elementBits: 8,
    block: { elements: 128 * 128, scaleBits: 32, scaleType: 'fp32', shape: '128x128' },
    tensorScaleBits: 0,
    scaleStyle: 'software',
    note: 'DeepSeek-V3 weight blocks: E4M3 in 128x128 blocks with fp32 scales',
  },
  {
    id: 'mxfp8',
    aliases: ['mx-fp8'],
    element: 'fp8',
    elementBits: 8,
    block: mx(32),
    tensorScaleBits: 0,
    scaleStyle: 'mx',
    note: 'OCP MX: E4M3 elements, one E8M0 scale per 32',
  },
  {
    id: 'mxfp6',
    aliases: ['mx-fp6'],
    element: 'fp6',
    elementBits: 6,
    block: mx(32),
    tensorScaleBits: 0,
    scaleStyle: 'mx',
    note: 'OCP MX: E2M3/E3M2 elements, one E8M0 scale per 32',
  },
  {
    id: 'mxfp4',
    aliases: ['mx-fp4'],
    element: 'fp4',
    elementBits: 4,
    block: mx(32),
    tensorScaleBits: 0,
    scaleStyle: 'mx',
    note: 'OCP MX: E2M1 elements, one E8M0 scale per 32',
  },
  {
    id: 'nvfp4',
    aliases: ['nv-fp4'],
    element: 'fp4',
    elementBits: 4,
    block: { elements: 16, scaleBits: 8, scaleType: 'ue4m3', shape: '1x16' },
    tensorScaleBits: 32,
    scaleStyle: 'nvfp4',
    note: 'NVFP4: E2M1 elements, one UE4M3 scale per 16, plus one fp32 scale per tensor',
  },
  {
    id: 'int4',
    aliases: ['w4', 'int4-g128'],
    element: 'int4',
    elementBits: 4,
    block: { elements: 128, scaleBits: 16, scaleType: 'fp16', shape: '1x128' },
    tensorScaleBits: 0,
    scaleStyle: 'software',
    note: 'INT4 weights in groups of 128 with fp16 scales (GPTQ/AWQ style)',
  },
];

/** Bits per element including the block scale, excluding the negligible per-tensor scale. */
export function bitsPerElement(format: StorageFormat): number {
  return format.elementBits + (format.block ? format.block.scaleBits / format.block.elements : 0);
}

/** Bytes per element including the block scale. */
export function bytesPerElement(format: StorageFormat): number {
  return bitsPerElement(format) / 8;
}

const byName = new Map<string, StorageFormat>();
for (const f of STORAGE_FORMATS) for (const n of [f.id, ...f.aliases]) byName.set(n, f);

/** Look a format up by id or alias (case-insensitive); undefined when unknown. */
export function findFormat(name: string): StorageFormat | undefined {
  return byName.get(
    name
      .trim()
      .toLowerCase()
      .replace(/[\s_]+/g, '-'),
  );
}

/** Like {@link findFormat} but throws a RangeError naming the known ids. */
export function getFormat(name: string): StorageFormat {
  const f = findFormat(name);
  if (!f)
    throw new RangeError(`unknown format "${name}"; known: ${STORAGE_FORMATS.map((x) => x.id).join(', ')}`);
  return f;
}

/** One row per format: id, bits per element with scales, and the block description. */
export function formatTable(): { id: string; bits: number; block: string; note: string }[] {
  return STORAGE_FORMATS.map((f) => ({
    id: f.id,
    bits: bitsPerElement(f),
    block: f.block ? `${f.block.shape} ${f.block.scaleType}` : 'none',
    note: f.note,
  }));
}
