/**
 * @module convert/tensor
 * Raw safetensors bytes of any floating dtype to float32 and back (little-endian).
 */
import { codec, type FormatName } from '../formats/index.js';
import type { Dtype } from '../io/index.js';

/** safetensors dtype → element format with one code per byte or per 16-bit word. */
const CODED: Partial<Record<Dtype, FormatName>> = {
  BF16: 'bf16',
  F16: 'fp16',
  F8_E4M3: 'e4m3fn',
  F8_E5M2: 'e5m2',
  F8_E4M3FNUZ: 'e4m3fnuz',
  F8_E5M2FNUZ: 'e5m2fnuz',
  F8_E8M0: 'e8m0',
};

/** Whether a dtype can be read as float values. */
export function isFloatDtype(dtype: Dtype): boolean {
  return dtype === 'F32' || dtype === 'F64' || dtype in CODED;
}

/** Decode a tensor's bytes to float32 (a fresh array). Throws RangeError for dtypes that are not floats. */
export function toFloat32(dtype: Dtype, bytes: Uint8Array, what = 'tensor'): Float32Array {
  if (dtype === 'F32') {
    // one copy whether or not the bytes are aligned
    if ((bytes.byteOffset & 3) === 0)
      return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2).slice();
    return new Float32Array(bytes.slice().buffer, 0, bytes.byteLength >> 2);
  }
  return floatView(dtype, bytes, new Float32Array(elementCount(dtype, bytes)), what);
}

function elementCount(dtype: Dtype, bytes: Uint8Array): number {
  return dtype === 'F64'
    ? bytes.byteLength >> 3
    : dtype === 'F32'
      ? bytes.byteLength >> 2
      : dtype in CODED && codec(CODED[dtype]!).info.spec.bits > 8
        ? bytes.byteLength >> 1
        : bytes.byteLength;
}

/**
 * Float32 values of a tensor's bytes, decoded into `out` (which must hold them), or for F32 bytes
 * on a 4-byte boundary a view of the bytes themselves (no copy: do not write into the result).
 * 16-bit codes on a 4-byte boundary take the word-at-a-time decoder; others are copied to one first.
 */
export function floatView(dtype: Dtype, bytes: Uint8Array, out: Float32Array, what = 'tensor'): Float32Array {
  if (dtype === 'F32') {
    const n = bytes.byteLength >> 2;
    if ((bytes.byteOffset & 3) === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, n);
    const o = out.subarray(0, n);
    new Uint8Array(o.buffer, o.byteOffset, n * 4).set(bytes.subarray(0, n * 4));
    return o;
  }
  if (dtype === 'F64') {
    const n = bytes.byteLength >> 3;
    const a = (bytes.byteOffset & 7) === 0 ? bytes : bytes.slice();
    const src = new Float64Array(a.buffer, a.byteOffset, n);
    const o = out.subarray(0, n);
    for (let i = 0; i < n; i++) o[i] = src[i]!;
    return o;
  }
  const fmt = CODED[dtype];
  if (!fmt) throw new RangeError(`${what}: dtype ${dtype} is not a floating-point type`);
  const c = codec(fmt);
  if (c.info.spec.bits > 8) {
    const a = (bytes.byteOffset & 3) === 0 ? bytes : bytes.slice();
    const codes = new Uint16Array(a.buffer, a.byteOffset, a.byteLength >> 1);
    return c.decodeArray(codes, out.subarray(0, codes.length));
  }
  return c.decodeArray(bytes, out.subarray(0, bytes.length));
}

/** Encode float32 values as BF16 bytes (round to nearest even). */
export function toBf16Bytes(x: Float32Array): Uint8Array {
  const codes = codec('bf16').encodeArray(x) as Uint16Array;
  return new Uint8Array(codes.buffer, codes.byteOffset, codes.byteLength);
}
