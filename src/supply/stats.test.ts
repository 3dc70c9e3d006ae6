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

test('interval is ordered p5 ≤ p50 ≤ p95 and gives the mean', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 500 }), (xs) => {
      const r = interval(Float64Array.from(xs));
      assert.ok(r.p5 <= r.p50 && r.p50 <= r.p95);
      assert.ok(Math.abs(r.mean - xs.reduce((s, x) => s + x, 0) / xs.length) < 1e-9);
    }),
  );
});
