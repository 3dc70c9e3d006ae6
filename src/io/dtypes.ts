/**
 * @module io/dtypes
 * The safetensors dtype table. Row order is the reference enum order, which is also alignment
 * order: the writer lays tensors out from the last row to the first, so wider elements come first.
 */

/** One safetensors dtype: its name in the header and the width of one element in bits. */
export interface DtypeSpec {
  readonly name: string;
  readonly bits: number;
}

/** Every dtype the reference accepts, in its enum (alignment) order. */
export const DTYPES = [
  { name: 'BOOL', bits: 8 },
  { name: 'F4', bits: 4 }, // E2M1, two per byte
  { name: 'F6_E2M3', bits: 6 },
  { name: 'F6_E3M2', bits: 6 },
  { name: 'U8', bits: 8 },
  { name: 'I8', bits: 8 },
  { name: 'F8_E5M2', bits: 8 },
  { name: 'F8_E4M3', bits: 8 },
  { name: 'F8_E8M0', bits: 8 },
  { name: 'F8_E4M3FNUZ', bits: 8 },
  { name: 'F8_E5M2FNUZ', bits: 8 },
  { name: 'I16', bits: 16 },
  { name: 'U16', bits: 16 },
  { name: 'F16', bits: 16 },
  { name: 'BF16', bits: 16 },
  { name: 'I32', bits: 32 },
  { name: 'U32', bits: 32 },
  { name: 'F32', bits: 32 },
  { name: 'C64', bits: 64 }, // two F32
  { name: 'F64', bits: 64 },
  { name: 'I64', bits: 64 },
  { name: 'U64', bits: 64 },
] as const satisfies readonly DtypeSpec[];

/** A dtype name as it appears in a safetensors header. */
export type Dtype = (typeof DTYPES)[number]['name'];

const rank = new Map<string, number>(DTYPES.map((d, i) => [d.name, i]));

/** Whether `name` is a dtype the reference accepts (names are case-sensitive). */
export function isDtype(name: unknown): name is Dtype {
  return typeof name === 'string' && rank.has(name);
}

/** Bits per element of `dtype`. */
export function dtypeBits(dtype: Dtype): number {
  return DTYPES[rank.get(dtype)!].bits;
}

/** Position of `dtype` in the alignment order; larger sorts first in a written file. */
export function dtypeRank(dtype: Dtype): number {
  return rank.get(dtype)!;
}

/**
 * Bytes taken by `shape` elements of `dtype`, or `undefined` when the bit count is not a whole
 * number of bytes (an odd count of F4 values, say). Exact for any size: the product is a BigInt.
 */
export function byteSize(dtype: Dtype, shape: readonly number[]): bigint | undefined {
  let bits = BigInt(dtypeBits(dtype));
  for (const dim of shape) bits *= BigInt(dim);
  return bits % 8n === 0n ? bits / 8n : undefined;
}
