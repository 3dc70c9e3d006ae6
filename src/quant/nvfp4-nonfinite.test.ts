/**
 * NVFP4 with NaN and ±Inf: one rule, in `blockScale` (README: NaN and Inf). A 16-block holding
 * one gets the NaN scale (E4M3 0x7F) and the E2M1 NaN code (0x8, as MX blocks), so it decodes to
 * NaN; the tensor scale comes from the finite values only; the other blocks are those of the same
 * tensor with the bad blocks zeroed (same tensor scale); finite overflow still saturates (0x7E).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { dequantize, finiteAmax, getScheme, NVFP4_NAN_SCALE, nvfp4GlobalScale, quantize } from './index.js';

const nvfp4 = getScheme('nvfp4');
const SPECIAL = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

describe('NVFP4 blocks holding NaN or ±Inf', () => {
  test('NaN scale and NaN codes for the bad blocks; the rest as the zeroed tensor; tensor scale from finite values', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 5 }),
        // magnitudes >= 2^-100: 448 * 6 / amax must fit float32 (a subnormal amax overflows it)
        fc.array(
          fc
            .float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 })
            .filter((v) => v === 0 || Math.abs(v) >= 2 ** -100),
          {
            minLength: 1,
            maxLength: 40,
          },
        ),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 6 }),
        (rows, colBlocks, pool, bad) => {
          const cols = colBlocks * 16 - (colBlocks > 1 ? 3 : 0); // a ragged last block too
          const n = rows * cols;
          const x = Float32Array.from({ length: n }, (_, i) => pool[(i * 7) % pool.length]!);
          const zeroed = x.slice();
          const badBlocks = new Set<number>();
          for (const [at, kind] of bad) {
            const i = at % n;
            x[i] = SPECIAL[kind]!;
            const r = Math.floor(i / cols);
            const b = Math.floor((i % cols) / 16);
            badBlocks.add(r * colBlocks + b);
            for (let j = b * 16; j < Math.min(cols, b * 16 + 16); j++) zeroed[r * cols + j] = 0;
          }
          // the finite maximum, by a plain loop over the values that are not bad
          let m = 0;
          for (let i = 0; i < n; i++) if (Number.isFinite(x[i]!)) m = Math.max(m, Math.abs(x[i]!));
          assert.equal(finiteAmax(x), m);
          const q = quantize(x, [rows, cols], nvfp4);
          assert.equal(q.globalScale, nvfp4GlobalScale(m), 'the tensor scale ignores NaN and Inf');
          const ref = quantize(zeroed, [rows, cols], nvfp4, { globalScale: q.globalScale });
          const y = dequantize(q);
          for (let r = 0; r < rows; r++) {
            for (let b = 0; b < colBlocks; b++) {
              const k = r * colBlocks + b;
              const c0 = r * cols + b * 16;
              const c1 = r * cols + Math.min(cols, b * 16 + 16);
              if (badBlocks.has(k)) {
                assert.equal(q.scaleCodes![k], NVFP4_NAN_SCALE);
                assert.ok(Number.isNaN(q.scales[k]!));
                for (let j = c0; j < c1; j++) {
                  assert.equal(q.codes[j], 0x8);
                  assert.ok(Number.isNaN(y[j]!), `element ${j} decodes to NaN`);
                }
              } else {
                assert.equal(q.scaleCodes![k], ref.scaleCodes![k]);
                assert.equal(q.scales[k], ref.scales[k]);
                assert.deepEqual(q.codes.subarray(c0, c1), ref.codes.subarray(c0, c1));
              }
            }
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  test('the rule is the same whatever the tensor scale; finite overflow saturates to 448 (0x7E)', () => {
    const x = new Float32Array(32).fill(1);
    x[3] = Number.POSITIVE_INFINITY;
    for (const globalScale of [1, 2 ** -20, 2 ** 20]) {
      const q = quantize(x, [1, 32], nvfp4, { globalScale });
      assert.equal(q.scaleCodes![0], NVFP4_NAN_SCALE);
      assert.notEqual(q.scaleCodes![1], NVFP4_NAN_SCALE, 'a finite block keeps a finite scale');
      assert.deepEqual([...q.codes.subarray(0, 16)], new Array(16).fill(0x8));
    }
    // amax 1 / 6 * 2^20 is far above 448: saturated, not NaN
    assert.equal(quantize(x, [1, 32], nvfp4, { globalScale: 2 ** 20 }).scaleCodes![1], 0x7e);
    // all non-finite: no finite value, tensor scale 1
    const all = Float32Array.from([
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.NaN,
    ]);
    const q = quantize(all, [1, 4], nvfp4);
    assert.equal(q.globalScale, 1);
    assert.equal(q.scaleCodes![0], NVFP4_NAN_SCALE);
  });
});
