import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accumulateStudy, fp8Gemm, roundMantissa, truncateMantissa } from './accumulate.js';
import { randomNormal } from './bench.js';
import { relFrobenius } from './reference.js';

describe('limited-precision accumulator', () => {
  it('rounds to the given mantissa bits', () => {
    // 1 + 2^-14 + 2^-20 keeps 1 + 2^-14 at 14 bits; 1.75 * 2^3 is exact at 2 bits
    assert.equal(truncateMantissa(1 + 2 ** -14 + 2 ** -20, 14), 1 + 2 ** -14);
    assert.equal(truncateMantissa(-(1 + 2 ** -15), 14), -1);
    assert.equal(truncateMantissa(14, 2), 14);
    assert.equal(truncateMantissa(15, 2), 14);
    assert.equal(roundMantissa(15, 2), 16);
    assert.equal(roundMantissa(1 + 2 ** -15 + 2 ** -20, 14), 1 + 2 ** -14);
    assert.equal(truncateMantissa(1 + 2 ** -40, 30), 1);
    assert.equal(truncateMantissa(0.1, 52), 0.1);
  });

  it('fp64 equals the oracle; fp32 is within 1e-6; 52 bits without promotion is float64', () => {
    const [m, n, k] = [2, 3, 300];
    const a = randomNormal(m * k, 1);
    const w = randomNormal(n * k, 2, 0.02);
    const r64 = fp8Gemm(a, m, w, n, k, { kind: 'fp64' });
    assert.deepEqual(r64.c, r64.ref);
    assert.ok(relFrobenius(fp8Gemm(a, m, w, n, k, { kind: 'fp32' }).c, r64.ref) < 1e-6);
    const wide = fp8Gemm(a, m, w, n, k, {
      kind: 'limited',
      mantissaBits: 52,
      promoteEvery: Number.POSITIVE_INFINITY,
    });
    assert.ok(relFrobenius(wide.c, r64.ref) < 1e-7);
  });

  it('reproduces the finding: 14 bits lose ~1% at K=4096 without promotion, ~1e-4 with N_C=128', () => {
    const [row] = accumulateStudy({ ks: [4096], ncs: [32, 128], m: 4, n: 4 });
    assert.ok(row!.noPromotion > 3e-3, `no promotion: ${row!.noPromotion}`);
    assert.ok(row!.byNc[128]! < 1e-3, `N_C=128: ${row!.byNc[128]}`);
    assert.ok(row!.byNc[32]! <= row!.byNc[128]!, 'promoting more often helps');
    assert.ok(row!.fp32 < 1e-6);
  });

  it('rejects bad options', () => {
    const a = new Float32Array(128);
    assert.throws(() => fp8Gemm(a, 1, a, 1, 128, { kind: 'limited', promoteEvery: 0 }), RangeError);
    assert.throws(() => fp8Gemm(a, 1, a, 1, 128, { kind: 'limited', mantissaBits: 0 }), RangeError);
  });
});
