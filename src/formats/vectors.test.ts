/**
 * Regression vectors. Each group names the public source whose behaviour it pins (ml_dtypes,
 * PyTorch c10, microxcaling, DeepGEMM, Huawei's HiFloat8 code); the values were read from that
 * source (or checked with an exact script).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type CodecOptions, codec, decode } from './index.js';

type Vector = [input: number, code: number];

function check(format: string, opts: CodecOptions, vectors: Vector[]): void {
  const c = codec(format, opts);
  for (const [x, code] of vectors) {
    assert.equal(c.encode(x), code, `${format} ${JSON.stringify(opts)} encode(${x})`);
    const bulk = c.encodeArray(Float32Array.of(x))[0];
    if (Math.fround(x) === x || Number.isNaN(x)) assert.equal(bulk, code, `${format} bulk encode(${x})`);
  }
}

describe('ml_dtypes and torch casts (formats.md 2.3: RNE, not saturating)', () => {
  test('e4m3fn', () => {
    check('e4m3fn', { preset: 'ml_dtypes' }, [
      [1.0, 0x38],
      [-3.0, 0xc4],
      [448, 0x7e],
      [464, 0x7e],
      [465, 0x7f],
      [2 ** -6, 0x08],
      [2 ** -9, 0x01],
      [2 ** -10, 0x00],
      [1.5 * 2 ** -10, 0x01],
      [1.0625, 0x38],
      [1.1875, 0x3a],
      [0.017578125, 0x09],
      [-0, 0x80],
      [Number.NaN, 0x7f],
      [Infinity, 0x7f],
    ]);
    check('e4m3fn', { preset: 'ml_dtypes', overflow: 'saturate' }, [
      [465, 0x7e],
      [Infinity, 0x7e],
    ]);
    check('e4m3fn', { preset: 'torch' }, [
      [480, 0x7f],
      [479, 0x7f],
      [-500, 0xff],
    ]);
  });
  test('e5m2', () => {
    check('e5m2', { preset: 'ml_dtypes' }, [
      [1.0, 0x3c],
      [57344, 0x7b],
      [61440, 0x7c],
      [2 ** -16, 0x01],
      [2 ** -17, 0x00],
      [1.125, 0x3c],
      [1.375, 0x3e],
      [Infinity, 0x7c],
      [Number.NaN, 0x7e],
    ]);
    // torch c10 Float8_e5m2.h: NaN encodes as 0x7F
    check('e5m2', { preset: 'torch' }, [
      [Number.NaN, 0x7f],
      [65536, 0x7c],
      [61439, 0x7b],
    ]);
  });
  test('e2m3, e3m2, e2m1 (saturating, NaN to -0)', () => {
    check('e2m3', { preset: 'ml_dtypes' }, [
      [7.5, 0x1f],
      [7.75, 0x1f],
      [8, 0x1f],
      [0.125, 0x01],
      [0.0625, 0x00],
      [0.1875, 0x02],
      [1.0625, 0x08],
      [1.1875, 0x0a],
    ]);
    check('e3m2', { preset: 'ml_dtypes' }, [
      [28, 0x1f],
      [30, 0x1f],
      [32, 0x1f],
      [0.0625, 0x01],
      [0.03125, 0x00],
      [0.09375, 0x02],
      [1.125, 0x0c],
      [1.375, 0x0e],
    ]);
    check('e2m1', { preset: 'ml_dtypes' }, [
      [0.25, 0x0],
      [0.75, 0x2],
      [1.25, 0x2],
      [1.75, 0x4],
      [2.5, 0x4],
      [3.5, 0x6],
      [5.0, 0x6],
      [7, 0x7],
      [8, 0x7],
      [-0.25, 0x8],
      [-5, 0xe],
      [Number.NaN, 0x8],
    ]);
  });
  test('e8m0: ml_dtypes rounds 1.5*2^k up, 0 and negatives to NaN; float32 subnormals round up', () => {
    check('e8m0', { preset: 'ml_dtypes' }, [
      [1.0, 0x7f],
      [1.49, 0x7f],
      [1.5, 0x80],
      [3.0, 0x81],
      [0.75, 0x7f],
      [2 ** 127, 0xfe],
      [2 ** -127, 0x00],
      [0, 0xff],
      [-1, 0xff],
      [Infinity, 0xff],
      [Number.NaN, 0xff],
      [1.5 * 2 ** 127, 0xff],
      [2 ** -128, 0x00],
      [1.1 * 2 ** -127, 0x01],
      [1.5 * 2 ** -127, 0x01],
    ]);
  });
  test('e8m0: torch ignores the sign and maps 0 to 0x00', () => {
    check('e8m0', { preset: 'torch' }, [
      [0, 0x00],
      [-0, 0x00],
      [-1, 0x7f],
      [1.5, 0x80],
      [-3, 0x81],
      [Infinity, 0xff],
      [Number.NaN, 0xff],
    ]);
  });
});

describe('DeepGEMM (deep_gemm/utils/math.py)', () => {
  test('ceil_to_ue8m0: ceiling power of two, codes clamped to 1..254', () => {
    check('e8m0', { preset: 'deepgemm' }, [
      [1.0, 0x7f],
      [Math.fround(1 + 2 ** -23), 0x80],
      [3.0, 0x81],
      [0.75, 0x7f],
      [0, 0x01],
      [2 ** -130, 0x01],
      [Infinity, 0xfe],
      [2 ** 127, 0xfe],
      [Math.fround(1.0001 * 2 ** 127), 0xfe],
    ]);
  });
  test('FP4 ties toward zero, no -0', () => {
    check('e2m1', { preset: 'deepgemm' }, [
      [0.25, 0x0],
      [0.75, 0x1],
      [1.25, 0x2],
      [1.75, 0x3],
      [2.5, 0x4],
      [3.5, 0x5],
      [5.0, 0x6],
      [5.01, 0x7],
      [-0.25, 0x0],
      [-0.2, 0x0],
      [-1.25, 0xa],
      [-0, 0x0],
      [9, 0x7],
    ]);
  });
});

describe('ggml best_index_mxfp4: ties to the lower table index', () => {
  test('e2m1', () => {
    check('e2m1', { preset: 'ggml' }, [
      [0.25, 0x0],
      [2.5, 0x4],
      [5.0, 0x6],
      [-0.25, 0x0],
      [-2.5, 0xc],
      [Number.NaN, 0x0],
    ]);
  });
});

describe('microxcaling: ties away, saturating', () => {
  test('elements and the floor scale', () => {
    check('e2m1', { preset: 'microxcaling' }, [
      [5.0, 0x7],
      [1.25, 0x3],
      [-0.3, 0x9],
      [7, 0x7],
    ]);
    check('e4m3fn', { preset: 'microxcaling' }, [
      [500, 0x7e],
      [1.0625, 0x39],
      [Infinity, 0x7e],
    ]);
    check('e5m2', { preset: 'microxcaling' }, [
      [1e6, 0x7b],
      [1.125, 0x3d],
    ]);
    check('e8m0', { preset: 'microxcaling' }, [
      [1000, 0x7f + 9],
      [0.99999994, 0x7e],
      [2 ** -140, 0x00],
      [0, 0x00],
    ]);
  });
});

describe('Huawei HiFloat8 (formats.md 6; ge hif8_t.cc, en_dtypes)', () => {
  test('decode vectors', () => {
    const v: [number, number][] = [
      [0x08, 1],
      [0x09, 1.125],
      [0x10, 2],
      [0x12, 2.5],
      [0x18, 0.5],
      [0x20, 4],
      [0x28, 8],
      [0x30, 0.25],
      [0x34, 0.375],
      [0x38, 0.125],
      [0x40, 16],
      [0x4a, 96],
      [0x4c, 128],
      [0x50, 0.0625],
      [0x60, 256],
      [0x6e, 32768],
      [0x70, 2 ** -8],
      [0x7e, 2 ** -15],
      [0x7f, 1.5 * 2 ** -15],
      [0x01, 2 ** -22],
      [0x07, 2 ** -16],
      [0x88, -1],
      [0x6f, Infinity],
      [0xef, -Infinity],
      [0x00, 0],
    ];
    for (const [code, value] of v) assert.equal(decode('hif8', code), value, `hif8 0x${code.toString(16)}`);
    assert.ok(Number.isNaN(decode('hif8', 0x80)));
  });
  test('encode vectors, ties away', () => {
    check('hif8', { preset: 'huawei' }, [
      [1.0625, 0x09],
      [100, 0x4a],
      [40000, 0x6e],
      [40960, 0x6f],
      [1.5 * 2 ** -16, 0x7e],
      [1.4 * 2 ** -16, 0x07],
      [1.25 * 2 ** -15, 0x7f],
      [2 ** -23, 0x01],
      [0.9 * 2 ** -23, 0x00],
      [Number.NaN, 0x80],
      [Infinity, 0x6f],
      [-Infinity, 0xef],
      [-0, 0x00],
      [-1, 0x88],
    ]);
    // round to nearest even gives 1.0 where ties-away gives 1.125
    check('hif8', { rounding: 'nearest-even' }, [
      [1.0625, 0x08],
      [40960, 0x6e],
    ]);
    check('hif8', { preset: 'huawei', overflow: 'saturate' }, [
      [40960, 0x6e],
      [1e9, 0x6e],
      [-Infinity, 0xee],
    ]);
  });
});
