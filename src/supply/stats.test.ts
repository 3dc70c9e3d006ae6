import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { interval, percentiles } from './stats.js';

function sortedPercentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) * p;
  const k = Math.floor(h);
  return s[k] + (h - k) * ((s[k + 1] ?? s[k]) - s[k]);
}

test('percentiles by selection equal percentiles of the sorted sample', () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 3000 }),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 5 }),
      (xs, ps) => {
        const got = percentiles(Float64Array.from(xs), ps);
        for (const [i, p] of ps.entries()) {
          assert.ok(Math.abs(got[i] - sortedPercentile(xs, p)) <= 1e-9 * (1 + Math.abs(got[i])));
        }
      },
    ),
  );
});

test('percentiles with many ties and large samples (selection recursion) equal the sorted ones', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 601, maxLength: 6000 }),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 7 }),
      (xs, ps) => {
        const got = percentiles(Float64Array.from(xs), [...ps, 0, 1, 0.5]);
        for (const [i, p] of [...ps, 0, 1, 0.5].entries())
          assert.ok(Math.abs(got[i] - sortedPercentile(xs, p)) <= 1e-9 * (1 + Math.abs(got[i])));
      },
    ),
    { numRuns: 60 },
  );
});

/** Exact type-7 percentile of a sorted copy (equality, not tolerance). */
function exactPercentile(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const k = Math.floor(h);
  return h > k ? sorted[k] + (h - k) * (sorted[k + 1] - sorted[k]) : sorted[k];
}

test('large samples give exactly the sorted sample percentiles', () => {
  // value families: spread over many binades, heavy ties, one value, mixed signs and zeros, subnormals
  const value = fc.oneof(
    fc.double({ min: -1e300, max: 1e300, noNaN: true, noDefaultInfinity: true }),
    fc.integer({ min: -3, max: 3 }).map((x) => (x === 0 ? -0 : x)),
    fc.double({ min: 0.9, max: 1.1, noNaN: true }),
    fc.constantFrom(0, -0, 5e-324, -5e-324, 2.2250738585072014e-308, Number.MAX_VALUE, -Number.MAX_VALUE),
  );
  fc.assert(
    fc.property(
      fc.array(value, { minLength: 1, maxLength: 64 }),
      fc.integer({ min: 16_384, max: 40_000 }),
      fc.integer({ min: 0, max: 0x7fffffff }),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 6 }),
      fc.boolean(),
      (pool, n, seed, ps, single) => {
        // n samples drawn from a small pool (ties) by a simple LCG, two in three spread by a factor in
        // (1 - 2^-7, 1]; as float64, or as float32 (the Monte Carlo's type: the bucketed path)
        const xs = single ? new Float32Array(n) : new Float64Array(n);
        let s = seed;
        for (let i = 0; i < n; i++) {
          s = (Math.imul(s, 1103515245) + 12345) >>> 0;
          const v0 = pool[s % pool.length];
          const v = single ? Math.max(-3e38, Math.min(3e38, v0)) : v0; // finite in float32 too
          xs[i] = i % 3 === 0 ? v : v * (1 - (s >>> 8) / 2 ** 31); // shrinks: stays finite
        }
        const before = Float64Array.from(xs);
        const sorted = Float64Array.from(xs).sort();
        const qs = [...ps, 0, 0.05, 0.5, 0.95, 1];
        const got = percentiles(xs, qs);
        for (const [i, p] of qs.entries()) {
          const want = exactPercentile(sorted, p);
          assert.ok(
            got[i] === want || (Number.isNaN(got[i]) && Number.isNaN(want)),
            `p=${p}: ${got[i]} vs ${want}`,
          );
        }
        // the input is read, never reordered
        assert.ok(xs.every((x, i) => Object.is(x, before[i])));
      },
    ),
    { numRuns: 20 },
  );
});

test('float32 samples spread over many buckets (the bucketed path) give exactly the sorted percentiles', () => {
  for (const n of [16_384, 100_000]) {
    const xs = new Float32Array(n);
    let s = 12345;
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      xs[i] = (i % 7 === 0 ? -1 : 1) * Math.exp((s / 2 ** 32) * 6) * 1000;
    }
    const sorted = Float64Array.from(xs).sort();
    const qs = [0, 0.001, 0.05, 0.25, 0.5, 0.75, 0.95, 0.999, 1, 1 / 3];
    const got = percentiles(xs, qs);
    for (const [i, p] of qs.entries()) assert.equal(got[i], exactPercentile(sorted, p), `n=${n} p=${p}`);
    const iv = interval(xs);
    assert.deepEqual(
      [iv.p5, iv.p50, iv.p95],
      [0.05, 0.5, 0.95].map((p) => exactPercentile(sorted, p)),
    );
  }
});

test('interval is ordered p5 ≤ p50 ≤ p95 and gives the mean', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 500 }), (xs) => {
      const r = interval(Float64Array.from(xs));
      assert.ok(r.p5 <= r.p50 && r.p50 <= r.p95);
      assert.ok(Math.abs(r.mean - xs.reduce((s, x) => s + x, 0) / xs.length) < 1e-9);
    }),
  );
});
