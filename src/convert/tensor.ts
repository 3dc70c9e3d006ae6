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

/** Decode a tensor's bytes to float32. Throws RangeError for dtypes that are not floats. */
export function toFloat32(dtype: Dtype, bytes: Uint8Array, what = 'tensor'): Float32Array {
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  if (dtype === 'F32')
    return new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4).slice();
  if (dtype === 'F64')
    return Float32Array.from(new Float64Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 8));
  const fmt = CODED[dtype];
  if (!fmt) throw new RangeError(`${what}: dtype ${dtype} is not a floating-point type`);
  const c = codec(fmt);
  const codes =
    c.info.spec.bits > 8
      ? new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 2)
      : new Uint8Array(aligned.buffer, aligned.byteOffset, aligned.byteLength);
  return c.decodeArray(codes);
}

/** Encode float32 values as BF16 bytes (round to nearest even). */
export function toBf16Bytes(x: Float32Array): Uint8Array {
  const codes = codec('bf16').encodeArray(x) as Uint16Array;
  return new Uint8Array(codes.buffer, codes.byteOffset, codes.byteLength);
}
