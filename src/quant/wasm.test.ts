/**
 * The WebAssembly kernels equal the TypeScript quantizer bit for bit on every scheme they cover:
 * random shapes (tails that are not multiples of 4, 16, 32 or 128), wide dynamic range, zeros,
 * subnormals, infinities and NaN.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { hasSimd } from '../wasm/load.js';
import { dequantize, getScheme, quantize, SCHEMES } from './index.js';
import { wasmPlan } from './wasm.js';

const covered = Object.values(SCHEMES).filter((s) => wasmPlan(s) !== null);

describe('WebAssembly kernels = TypeScript path', {
  skip: hasSimd ? false : 'no WebAssembly SIMD in this engine',
}, () => {
  test('the kernels cover DeepSeek UE8M0 tiles and the torchao, microxcaling FP4 and triton MX schemes', () => {
    const names = covered.map((s) => s.name);
    for (const n of [
      'deepgemm-token-ue8m0',
      'deepgemm-block-ue8m0',
      'torchao-mxfp8-floor',
      'torchao-mxfp8-rceil',
      'torchao-mxfp4-floor',
      'torchao-mxfp4-rceil',
      'microxcaling-mxfp4',
      'triton-mxfp4',
      'triton-mxfp8',
    ]) {
      assert.ok(names.includes(n), n);
    }
    assert.equal(wasmPlan(getScheme('microxcaling-mxfp8-e4m3')), null, 'E4M3 ties away stays in TypeScript');
    assert.equal(wasmPlan(getScheme('ggml-mxfp4')), null, 'ggml stays in TypeScript');
  });
  const special = fc.constantFrom(
    0,
    -0,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    -Number.POSITIVE_INFINITY,
    2 ** -140,
    -(2 ** -130),
    448,
    464,
    465,
    6,
    7,
    0.25,
    2.5,
  );
  const value = fc.oneof(
    { weight: 8, arbitrary: fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }) },
    { weight: 1, arbitrary: special },
    { weight: 1, arbitrary: fc.float({ noNaN: true, noDefaultInfinity: true }) },
  );
  for (const scheme of covered) {
    test(scheme.name, () => {
      const tile = scheme.block[0] === 1;
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: tile ? 5 : 140 }),
          fc.integer({ min: 1, max: tile ? 300 : 150 }),
          fc.array(value, { minLength: 1, maxLength: 200 }),
          fc.integer({ min: 0, max: 1000 }),
          (rows, cols, pool, seed) => {
            const x = new Float32Array(rows * cols);
            for (let i = 0; i < x.length; i++) x[i] = pool[(i * 31 + seed) % pool.length]!;
            const a = quantize(x, [rows, cols], scheme, { backend: 'ts' });
            const b = quantize(x, [rows, cols], scheme, { backend: 'wasm' });
            assert.deepEqual(b.scaleCodes, a.scaleCodes, 'scale codes');
            assert.deepEqual(b.scales, a.scales, 'scales');
            for (let i = 0; i < x.length; i++)
              assert.equal(b.codes[i], a.codes[i], `element ${i}: x=${x[i]}`);
            assert.equal(b.saturated, a.saturated, 'saturated count');
            const da = dequantize(a, undefined, { backend: 'ts' });
            const db = dequantize(a, undefined, { backend: 'wasm' });
            for (let i = 0; i < x.length; i++) {
              assert.ok(
                Object.is(da[i], db[i]) || (Number.isNaN(da[i]!) && Number.isNaN(db[i]!)),
                `dequantized ${i}: ${da[i]} vs ${db[i]}`,
              );
            }
          },
        ),
        { numRuns: tile ? 80 : 10 },
      );
    });
  }
  test('a block holding NaN and both infinities: same codes, scales and clip count', () => {
    const x = new Float32Array(256);
    x[3] = Number.POSITIVE_INFINITY;
    x[5] = Number.NaN;
    x[7] = Number.NEGATIVE_INFINITY;
    x[130] = 1;
    for (const s of covered) {
      const a = quantize(x, [2, 128], s, { backend: 'ts' });
      const b = quantize(x, [2, 128], s, { backend: 'wasm' });
      assert.deepEqual(b.codes, a.codes, s.name);
      assert.deepEqual(b.scaleCodes, a.scaleCodes, s.name);
      assert.equal(b.saturated, a.saturated, s.name);
    }
  });
  test('NVFP4 dequantizes through the E2M1 kernel too', () => {
    const x = Float32Array.from({ length: 16 * 37 }, (_, i) => Math.sin(i) * (i % 7) * 3);
    const q = quantize(x, [16, 37], getScheme('nvfp4'));
    assert.deepEqual(
      dequantize(q, undefined, { backend: 'wasm' }),
      dequantize(q, undefined, { backend: 'ts' }),
    );
  });
});
