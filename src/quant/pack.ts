/**
 * @module quant/pack
 * Byte layouts in use for FP4 codes and UE8M0 scales.
 * - gpt-oss / transformers / torch float4_e2m1fn_x2: byte j holds element 2j in the low nibble and
 *   2j+1 in the high nibble.
 * - ggml block_mxfp4: within each block of 32, byte j holds element j (low) and j+16 (high).
 * - DeepGEMM pack_ue8m0_to_int: four consecutive UE8M0 scales along K in one little-endian int32.
 */

import { ArgumentError, checkCounts } from '../formats/index.js';

export const FP4_ORDERS = ['gpt-oss', 'ggml'] as const;
export type Fp4Order = (typeof FP4_ORDERS)[number];

function checkOrder(order: unknown): asserts order is Fp4Order {
  if (!(FP4_ORDERS as readonly unknown[]).includes(order)) {
    throw new ArgumentError(
      'unknown-name',
      'order',
      `unknown FP4 byte order ${JSON.stringify(order) ?? String(order)} (known: ${FP4_ORDERS.join(', ')}); ` +
        'the element count is always twice the byte count',
    );
  }
}

function checkBytes(a: unknown, what: string): asserts a is Uint8Array {
  if (!(a instanceof Uint8Array)) throw new ArgumentError('bad-type', what, `${what} must be a Uint8Array`);
}

function checkDims(rows: unknown, kBlocks: unknown): void {
  checkCounts([
    ['rows', rows],
    ['kBlocks', kBlocks],
  ]);
}

/** Pack one 4-bit code per byte into two per byte. Length must be even (ggml: a multiple of 32). */
export function packFp4(codes: Uint8Array, order: Fp4Order = 'gpt-oss'): Uint8Array {
  checkBytes(codes, 'codes');
  checkOrder(order);
  const n = codes.length;
  if (order === 'ggml' && n % 32 !== 0)
    throw new ArgumentError('bad-length', 'codes', `ggml FP4 packing needs a multiple of 32 codes, got ${n}`);
  if (n % 2 !== 0)
    throw new ArgumentError('bad-length', 'codes', `FP4 packing needs an even number of codes, got ${n}`);
  const out = new Uint8Array(n / 2);
  for (let i = 0; i < n; i++) {
    if (codes[i]! > 15) {
      throw new ArgumentError('out-of-range', 'codes', `code ${codes[i]} at index ${i} is not a 4-bit code`);
    }
  }
  if (order === 'gpt-oss') {
    for (let j = 0; j < out.length; j++) out[j] = codes[2 * j]! | (codes[2 * j + 1]! << 4);
  } else {
    for (let b = 0; b < n; b += 32) {
      const o = b / 2;
      for (let j = 0; j < 16; j++) out[o + j] = codes[b + j]! | (codes[b + j + 16]! << 4);
    }
  }
  return out;
}

/** Unpack two 4-bit codes per byte into one per byte (2 x packed.length codes). */
export function unpackFp4(packed: Uint8Array, order: Fp4Order = 'gpt-oss'): Uint8Array {
  checkBytes(packed, 'packed');
  checkOrder(order);
  const n = packed.length * 2;
  if (order === 'ggml' && n % 32 !== 0) {
    throw new ArgumentError(
      'bad-length',
      'packed',
      `ggml FP4 data must be whole 16-byte blocks, got ${packed.length} bytes`,
    );
  }
  const out = new Uint8Array(n);
  if (order === 'gpt-oss') {
    for (let j = 0; j < packed.length; j++) {
      out[2 * j] = packed[j]! & 15;
      out[2 * j + 1] = packed[j]! >> 4;
    }
  } else {
    for (let b = 0; b < n; b += 32) {
      const o = b / 2;
      for (let j = 0; j < 16; j++) {
        out[b + j] = packed[o + j]! & 15;
        out[b + j + 16] = packed[o + j]! >> 4;
      }
    }
  }
  return out;
}

/** Convert packed FP4 bytes between the two orders, losslessly. */
export function repackFp4(packed: Uint8Array, from: Fp4Order, to: Fp4Order): Uint8Array {
  checkBytes(packed, 'packed');
  checkOrder(from);
  checkOrder(to);
  return from === to ? packed.slice() : packFp4(unpackFp4(packed, from), to);
}

/**
 * Pack UE8M0 scale bytes [rows, kBlocks] into int32 [rows, ceil(kBlocks/4)], four per int32,
 * little-endian along K (scale 4p+j in byte j); missing bytes at the end of a row are 0.
 */
export function packUe8m0(scales: Uint8Array, rows: number, kBlocks: number): Int32Array {
  checkBytes(scales, 'scales');
  checkDims(rows, kBlocks);
  if (scales.length !== rows * kBlocks)
    throw new ArgumentError(
      'bad-length',
      'scales',
      `${scales.length} scales do not fill ${rows} x ${kBlocks}`,
    );
  const words = Math.ceil(kBlocks / 4);
  const out = new Int32Array(rows * words);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < kBlocks; k++) {
      out[r * words + (k >> 2)]! |= scales[r * kBlocks + k]! << (8 * (k & 3));
    }
  }
  return out;
}

/** Inverse of packUe8m0. */
export function unpackUe8m0(words: Int32Array, rows: number, kBlocks: number): Uint8Array {
  if (!(words instanceof Int32Array))
    throw new ArgumentError('bad-type', 'words', 'words must be an Int32Array');
  checkDims(rows, kBlocks);
  const w = Math.ceil(kBlocks / 4);
  if (words.length !== rows * w)
    throw new ArgumentError('bad-length', 'words', `${words.length} int32 do not fill ${rows} x ${w}`);
  const out = new Uint8Array(rows * kBlocks);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < kBlocks; k++)
      out[r * kBlocks + k] = (words[r * w + (k >> 2)]! >>> (8 * (k & 3))) & 0xff;
  }
  return out;
}
