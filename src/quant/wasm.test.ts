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
import { wasmPlan, wasmQuantizeMatrix, wasmQuantizeMatrixBf16 } from './wasm.js';

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
  test('BF16 input (widened inside the kernels) = float32 input widened first, every covered scheme', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(
          ...covered.filter((s) => typeof s.block[0] === 'number' && typeof s.block[1] === 'number'),
        ),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 64 }),
        fc.integer({ min: 0, max: 1000 }),
        (scheme, rows, colBlocks, pool, seed) => {
          const [br, bc] = scheme.block as [number, number];
          // whole blocks (the fused row path) for row tiles; ragged shapes for 2-D tiles
          const r = br === 1 ? rows : rows * 37;
          const cols = br === 1 ? colBlocks * bc : colBlocks * 29 + 3;
          const bits = new Uint16Array(r * cols);
          // mostly normal magnitudes (exponent near 127), some from the whole 16-bit range (NaN, Inf, subnormals)
          for (let i = 0; i < bits.length; i++) {
            const b = pool[(i * 31 + seed) % pool.length]!;
            bits[i] = i % 11 === 5 ? b : (b & 0x807f) | ((120 + (b % 16)) << 7);
          }
          const x = new Float32Array(new Uint32Array(bits.length).map((_, i) => bits[i]! << 16).buffer);
          const nb = Math.ceil(r / br) * Math.ceil(cols / bc);
          const plan = wasmPlan(scheme)!;
          const out = () => ({
            c: new Uint8Array(r * cols),
            sc: new Uint8Array(nb),
            s: new Float32Array(nb),
          });
          const a = out();
          const b = out();
          const satA = wasmQuantizeMatrix(scheme, plan, x, r, cols, br, bc, a.c, a.sc, a.s);
          const satB = wasmQuantizeMatrixBf16(scheme, plan, bits, r, cols, br, bc, b.c, b.sc, b.s);
          assert.deepEqual(b.c, a.c, `${scheme.name} codes`);
          assert.deepEqual(b.sc, a.sc, `${scheme.name} scale codes`);
          assert.deepEqual(b.s, a.s, `${scheme.name} scales`);
          assert.equal(satB, satA, `${scheme.name} saturated`);
          // and the float32 kernel path itself equals the TypeScript reference on these values
          const ref = quantize(x, [r, cols], scheme, { backend: 'ts' });
          assert.deepEqual(a.c, ref.codes, `${scheme.name} codes vs reference`);
        },
      ),
      { numRuns: 60 },
    );
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
