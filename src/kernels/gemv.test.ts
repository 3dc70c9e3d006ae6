import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { enableRelaxedSimd } from '../wasm/load.js';
import { randomNormal } from './bench.js';
import { createKernels, createKernelsSync, type Kernels } from './engine.js';
import { decodeRow, gemmRef, gemvRef, matvecF64, quantizeActivations, relFrobenius } from './reference.js';
import { LAYOUTS, packFloat, WEIGHT_FORMATS, type WeightFormat } from './weights.js';

/**
 * Relative Frobenius error of the format's GEMV (reference math) against float64 W x on
 * unquantized N(0, 1) data: weight quantization, plus int8 activations where `act` is int8.
 */
export const ERROR_BOUND: Readonly<Record<WeightFormat, number>> = {
  fp32: 1e-6,
  bf16: 5e-3,
  'deepseek-fp8': 6e-2,
  'deepseek-fp8-f32': 6e-2,
  mxfp8: 6e-2,
  mxfp4: 0.25,
  'mxfp4-ggml': 0.25,
  nvfp4: 0.2,
  int8: 2e-2,
};

const SHAPES: [number, number][] = [
  [1, 1],
  [3, 17],
  [8, 33],
  [37, 300],
  [130, 257],
  [5, 1000],
  [64, 128],
];

/** Per-element bound on float32 accumulation error: |y - ref| <= tol * sum |w x|. */
function assertClose(y: Float32Array, ref: Float64Array, mag: Float64Array, kp: number, what: string): void {
  const tol = (kp / 4 + 16) * 2 ** -24;
  for (let i = 0; i < ref.length; i++) {
    assert.ok(!Number.isNaN(y[i]!), `${what}: y[${i}] is NaN (not written?)`);
    const err = Math.abs(y[i]! - ref[i]!);
    assert.ok(
      err <= tol * mag[i]! + 1e-30,
      `${what}: y[${i}] = ${y[i]} vs ${ref[i]} (bound ${tol * mag[i]!})`,
    );
  }
}

function magnitudes(w: ReturnType<typeof packFloat>, x: Float32Array, m = 1): Float64Array {
  const out = new Float64Array(m * w.n);
  const row = new Float32Array(w.kp);
  for (let r = 0; r < w.n; r++) {
    decodeRow(w, r, row);
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < w.k; j++) s += Math.abs(row[j]! * x[i * w.k + j]!);
      out[i * w.n + r] = m === 1 && LAYOUTS[w.format].act === 'int8' ? s * 1.05 : s;
    }
  }
  return out;
}

// Both kernel builds: SIMD128, and relaxed SIMD (FMA: rounds once per multiply-add, so its bits
// differ from SIMD128's; the same float32 accumulation bound holds, since an FMA's error is at most
// that of a multiply then an add). Node 20 runs relaxed SIMD after enableRelaxedSimd().
for (const variant of ['simd128', 'relaxed'] as const)
  describe(`gemv (${variant} kernels)`, () => {
    let k1: Kernels;
    let k2: Kernels;
    before(async () => {
      if (variant === 'relaxed')
        assert.ok(await enableRelaxedSimd(), 'relaxed SIMD can be turned on in Node');
      k1 = createKernelsSync({ poison: true, variant });
      k2 = await createKernels({ threads: 2, poison: true, variant });
      assert.equal(k1.variant, variant);
      assert.equal(k2.variant, variant);
    });
    after(async () => {
      await k2.close();
    });

    for (const format of WEIGHT_FORMATS) {
      it(`${format}: WASM matches the reference on every shape, every output written`, () => {
        for (const [n, k] of SHAPES) {
          const wf = randomNormal(n * k, n * 31 + k);
          const x = randomNormal(k, k * 7 + 1);
          const w = packFloat(wf, n, k, format);
          k1.reset();
          const y = k1.gemv(k1.upload(w), x, new Float32Array(n).fill(Number.NaN));
          assertClose(y, gemvRef(w, x), magnitudes(w, x), w.kp, `${format} ${n}x${k}`);
        }
      });

      it(`${format}: error against float64 W x within ${ERROR_BOUND[format]}`, () => {
        for (const [n, k] of [
          [64, 512],
          [100, 333],
          [257, 160],
        ] as const) {
          const wf = randomNormal(n * k, n + k);
          const x = randomNormal(k, 99 + k);
          const err = relFrobenius(gemvRef(packFloat(wf, n, k, format), x), matvecF64(wf, n, k, x));
          assert.ok(err <= ERROR_BOUND[format], `${format} ${n}x${k}: error ${err}`);
          if (format !== 'fp32') assert.ok(err > 0, 'a quantized format has some error');
        }
      });

      if (LAYOUTS[format].act === 'int8')
        it(`${format}: extreme codes and activations (every |q| = 127, every E2M1 value) match the reference (no i16 saturation)`, () => {
          // the relaxed FP4 path sums (2*E2M1 + 12) * q in i16 lanes (vpmaddubsw saturates at
          // 2^15): the largest lane here is 2 * 24 * 127
          const e2m1 = [0, 0.5, 1, 1.5, 2, 3, 4, 6, -0, -0.5, -1, -1.5, -2, -3, -4, -6];
          const [n, k] = [16, 256];
          const wf = new Float32Array(n * k);
          for (let r = 0; r < n; r++)
            for (let j = 0; j < k; j++)
              wf[r * k + j] = r < 4 ? (r % 2 ? -6 : 6) : j % 16 === 0 ? 6 : e2m1[(r * 7 + j) % 16]!;
          for (const x of [
            Float32Array.from({ length: k }, () => 1),
            Float32Array.from({ length: k }, () => -1),
            Float32Array.from({ length: k }, (_, j) => (j % 3 ? 1 : -1)),
          ]) {
            const w = packFloat(wf, n, k, format);
            k1.reset();
            const y = k1.gemv(k1.upload(w), x, new Float32Array(n).fill(Number.NaN));
            assertClose(y, gemvRef(w, x), magnitudes(w, x), w.kp, `${format} extremes`);
          }
        });

      it(`${format}: NaN never passes silently`, () => {
        const [n, k] = [9, 70];
        const wf = randomNormal(n * k, 5);
        const x = randomNormal(k, 6);
        k1.reset();
        const d = k1.upload(packFloat(wf, n, k, format));
        const xn = x.slice();
        xn[40] = Number.NaN;
        const y = k1.gemv(d, xn);
        for (let i = 0; i < n; i++) assert.ok(Number.isNaN(y[i]!), `NaN in x: y[${i}] = ${y[i]}`);
        const wn = wf.slice();
        wn[3 * k + 11] = Number.NaN;
        k1.reset();
        const y2 = k1.gemv(k1.upload(packFloat(wn, n, k, format)), x);
        assert.ok(Number.isNaN(y2[3]!), `NaN in W row 3: y[3] = ${y2[3]}`);
      });

      it(`${format}: two threads give the same bits as one`, () => {
        const [n, k] = [203, 190];
        const w = packFloat(randomNormal(n * k, 11), n, k, format);
        const x = randomNormal(k, 12);
        k1.reset();
        k2.reset();
        const y1 = k1.gemv(k1.upload(w), x);
        const y2 = k2.gemv(k2.upload(w), x);
        assert.deepEqual(y2, y1);
      });

      it(`${format}: gemm (fp32 A) matches the reference, threads 1 and 2`, () => {
        for (const [m, n, k] of [
          [1, 5, 40],
          [3, 9, 130],
          [8, 37, 256],
        ] as const) {
          const w = packFloat(randomNormal(n * k, m + n + k), n, k, format);
          const a = randomNormal(m * k, 3 * k);
          const ref = gemmRef(w, a, m);
          const mag = magnitudes(w, a, m);
          for (const kern of [k1, k2]) {
            kern.reset();
            const c = kern.gemm(kern.upload(w), a, m, new Float32Array(m * n).fill(Number.NaN));
            assertClose(c, ref, mag, w.kp, `${format} gemm ${m}x${n}x${k} T=${kern.threads}`);
          }
        }
      });
    }

    it('random shapes (property): every format, threads 2, matches the reference', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 70 }),
          fc.integer({ min: 1, max: 400 }),
          fc.constantFrom(...WEIGHT_FORMATS),
          fc.integer({ min: 0, max: 1000 }),
          (n, k, format, seed) => {
            const w = packFloat(randomNormal(n * k, seed), n, k, format);
            const x = randomNormal(k, seed + 1);
            k2.reset();
            const y = k2.gemv(k2.upload(w), x, new Float32Array(n).fill(Number.NaN));
            assertClose(y, gemvRef(w, x), magnitudes(w, x), w.kp, `${format} ${n}x${k}`);
          },
        ),
        { numRuns: 60 },
      );
    });

    it('WASM activation quantizer equals the reference bit for bit (ties to even, NaN, zeros)', () => {
      const cases: Float32Array[] = [randomNormal(1000, 3), new Float32Array(64)];
      // a block whose amax is 127 makes x / s integral: 2.5 and -3.5 are ties
      const ties = new Float32Array(64);
      ties[0] = 127;
      ties[1] = 2.5;
      ties[2] = -3.5;
      ties[3] = 0.5;
      ties[33] = 1e-40;
      ties[40] = -3e38;
      ties[41] = 1;
      cases.push(ties);
      const nan = randomNormal(70, 4);
      nan[35] = Number.NaN;
      cases.push(nan);
      for (const x of cases) {
        const kp = Math.ceil(x.length / 32) * 32;
        const want = quantizeActivations(x, kp);
        const got = k1.quantizeActivations(x, kp);
        assert.deepEqual(got.q, want.q);
        assert.deepEqual([...got.s], [...want.s]); // NaN payloads may differ
      }
      const t = quantizeActivations(ties, 64);
      assert.deepEqual([...t.q.subarray(0, 4)], [127, 2, -4, 0]);
    });

    it('rejects mismatched sizes', () => {
      const w = packFloat(new Float32Array(12), 3, 4, 'fp32');
      k1.reset();
      const d = k1.upload(w);
      assert.throws(() => k1.gemv(d, new Float32Array(5)), RangeError);
      assert.throws(() => k1.gemv(d, new Float32Array(4), new Float32Array(2)), RangeError);
      assert.throws(() => k1.gemm(d, new Float32Array(7), 2), RangeError);
    });
  });
