/**
 * @module kernels/weights
 * Weight containers for GEMV/GEMM: W [N, K] in the byte layout the kernels read, built from the
 * quantizer's output. Rows are padded along K to the format's block (`kp`) with zero codes and
 * zero scales, so a kernel never needs a tail loop. Scales are always float32 dequantization
 * multipliers (UE8M0, E4M3 and f16 scales are decoded once, at packing time).
 */
import { codec } from '../formats/index.js';
import { type Fp4Order, getScheme, packFp4, type QuantizedTensor, quantize } from '../quant/index.js';

/** Weight formats the kernels run. */
export const WEIGHT_FORMATS = [
  'fp32',
  'bf16',
  'deepseek-fp8',
  'deepseek-fp8-f32',
  'mxfp8',
  'mxfp4',
  'mxfp4-ggml',
  'nvfp4',
  'int8',
] as const;
export type WeightFormat = (typeof WEIGHT_FORMATS)[number];

/** How a format's kernels read it. `act` is the activation precision of its GEMV. */
export interface FormatLayout {
  /** Quant scheme that produces it (null for fp32 / bf16). */
  scheme: string | null;
  /** Element storage: f32, bf16 (u16), e4m3 bytes, packed FP4 nibbles, int8 bytes. */
  element: 'f32' | 'bf16' | 'e4m3' | 'fp4' | 'int8';
  /** FP4 nibble order within a byte. */
  order?: Fp4Order;
  /** Scale block: rows x cols (cols along K); [1, 1] means unscaled. */
  block: readonly [number, number];
  /** kp is a multiple of this. */
  padK: number;
  /** GEMV activation precision. */
  act: 'f32' | 'int8';
}

/** Each format's kernel facts; its block comes from its scheme's registry record (quant/presets.ts). */
const SPECS: Readonly<Record<WeightFormat, Omit<FormatLayout, 'block'>>> = {
  fp32: { scheme: null, element: 'f32', padK: 16, act: 'f32' },
  bf16: { scheme: null, element: 'bf16', padK: 16, act: 'f32' },
  'deepseek-fp8': {
    scheme: 'deepgemm-block-ue8m0',
    element: 'e4m3',
    padK: 128,
    act: 'f32',
  },
  'deepseek-fp8-f32': {
    scheme: 'deepgemm-block-fp32',
    element: 'e4m3',
    padK: 128,
    act: 'f32',
  },
  mxfp8: { scheme: 'torchao-mxfp8-floor', element: 'e4m3', padK: 32, act: 'f32' },
  mxfp4: {
    scheme: 'torchao-mxfp4-floor',
    element: 'fp4',
    order: 'gpt-oss',
    padK: 32,
    act: 'int8',
  },
  'mxfp4-ggml': {
    scheme: 'torchao-mxfp4-floor',
    element: 'fp4',
    order: 'ggml',
    padK: 32,
    act: 'int8',
  },
  nvfp4: { scheme: 'nvfp4', element: 'fp4', order: 'gpt-oss', padK: 32, act: 'int8' },
  int8: { scheme: 'int8-q8_0', element: 'int8', padK: 32, act: 'int8' },
};

/** The scale block of a scheme (rows x cols along K); [1, 1] for unscaled formats. */
function schemeBlock(scheme: string | null): readonly [number, number] {
  if (scheme === null) return [1, 1];
  const [r, c] = getScheme(scheme).block;
  if (r === 'all' || c === 'all')
    throw new RangeError(`kernels need a fixed block, not ${scheme}'s ${r}x${c}`);
  return [r, c];
}

export const LAYOUTS: Readonly<Record<WeightFormat, FormatLayout>> = Object.fromEntries(
  WEIGHT_FORMATS.map((f) => [f, { ...SPECS[f], block: schemeBlock(SPECS[f].scheme) }]),
) as Record<WeightFormat, FormatLayout>;

/** A weight matrix W [n, k] ready for the kernels. */
export interface PackedWeight {
  readonly format: WeightFormat;
  readonly n: number;
  readonly k: number;
  /** K padded to the format's block. */
  readonly kp: number;
  /** Row-major element bytes, `rowBytes` per row. */
  readonly data: Uint8Array;
  readonly rowBytes: number;
  /** Float32 dequantization scale per block, [ceil(n / block rows), scaleCols]; empty if unscaled. */
  readonly scales: Float32Array;
  readonly scaleCols: number;
}

/** Look up a format; RangeError listing the known ones. */
export function layoutOf(format: string): FormatLayout {
  const l = Object.hasOwn(LAYOUTS, format) ? LAYOUTS[format as WeightFormat] : undefined;
  if (!l) throw new RangeError(`unknown weight format "${format}" (known: ${WEIGHT_FORMATS.join(', ')})`);
  return l;
}

/** Padded K for a format. */
export function paddedK(format: WeightFormat, k: number): number {
  const p = layoutOf(format).padK;
  return Math.ceil(k / p) * p;
}

/** Bytes a GEMV reads from W (elements and scales). */
export function weightBytes(w: PackedWeight): number {
  return w.data.byteLength + w.scales.byteLength;
}

function bytesPerRow(l: FormatLayout, kp: number): number {
  switch (l.element) {
    case 'f32':
      return kp * 4;
    case 'bf16':
      return kp * 2;
    case 'fp4':
      return kp / 2;
    default:
      return kp;
  }
}

/** Quantize float32 W [n, k] (row-major) into a format and pack it. */
export function packFloat(data: Float32Array, n: number, k: number, format: WeightFormat): PackedWeight {
  const l = layoutOf(format);
  if (data.length !== n * k) throw new RangeError(`W holds ${data.length} values, not ${n} x ${k}`);
  if (l.scheme === null) return packPlain(data, n, k, format);
  return packQuantized(quantize(data, [n, k], getScheme(l.scheme)), format);
}

function packPlain(data: Float32Array, n: number, k: number, format: WeightFormat): PackedWeight {
  const l = layoutOf(format);
  const kp = paddedK(format, k);
  const rowBytes = bytesPerRow(l, kp);
  const bytes = new Uint8Array(n * rowBytes);
  if (format === 'fp32') {
    const f = new Float32Array(bytes.buffer);
    for (let r = 0; r < n; r++) f.set(data.subarray(r * k, r * k + k), r * kp);
  } else {
    const u = new Uint16Array(bytes.buffer);
    const bf = codec('bf16');
    for (let r = 0; r < n; r++)
      bf.encodeArray(data.subarray(r * k, r * k + k), u.subarray(r * kp, r * kp + k));
  }
  return { format, n, k, kp, data: bytes, rowBytes, scales: new Float32Array(0), scaleCols: 0 };
}

const E4M3_NAN = 0x7f;

/**
 * Pack the quantizer's output (one code per element, float32 scale per block) for the kernels.
 * The quantized tensor must be [n, k] in the format's scheme. E4M3 NaN codes turn their block's
 * scale into NaN, because the kernels' bit-trick decode has no NaN.
 */
export function packQuantized(q: QuantizedTensor, format: WeightFormat): PackedWeight {
  const l = layoutOf(format);
  if (l.scheme === null || q.scheme.name !== l.scheme)
    throw new RangeError(`format ${format} packs scheme ${l.scheme}, got ${q.scheme.name}`);
  if (q.shape.length !== 2)
    throw new RangeError(`weights must be 2-D [N, K], got ${JSON.stringify(q.shape)}`);
  const [n, k] = q.shape as [number, number];
  const kp = paddedK(format, k);
  const rowBytes = bytesPerRow(l, kp);
  const [br, bc] = l.block;
  const scaleRows = Math.ceil(n / br);
  const srcCols = Math.ceil(k / bc);
  const scaleCols = kp / bc;
  const scales = new Float32Array(scaleRows * scaleCols);
  for (let r = 0; r < scaleRows; r++) {
    scales.set(q.scales.subarray(r * srcCols, r * srcCols + srcCols), r * scaleCols);
  }
  let data: Uint8Array;
  if (l.element === 'fp4') {
    const codes = new Uint8Array(n * kp);
    for (let r = 0; r < n; r++) codes.set(q.codes.subarray(r * k, r * k + k), r * kp);
    data = packFp4(codes, l.order);
  } else {
    data = new Uint8Array(n * kp);
    for (let r = 0; r < n; r++) {
      const row = q.codes.subarray(r * k, r * k + k);
      data.set(row, r * kp);
      if (l.element === 'e4m3') {
        for (let j = 0; j < k; j++) {
          if ((row[j]! & 0x7f) === E4M3_NAN)
            scales[Math.floor(r / br) * scaleCols + Math.floor(j / bc)] = Number.NaN;
        }
      }
    }
  }
  return { format, n, k, kp, data, rowBytes, scales, scaleCols };
}
