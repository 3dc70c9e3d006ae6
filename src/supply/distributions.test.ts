import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fillQuantiles, lognormalQuantile, quantile, triangularQuantile } from './distributions.js';
import { probit, Rng } from './random.js';

const triplet = fc
  .tuple(
    fc.double({ min: 0, max: 1e6, noNaN: true }),
    fc.double({ min: 0, max: 1e6, noNaN: true }),
    fc.double({ min: 0, max: 1e6, noNaN: true }),
  )
  .map((t) => t.sort((a, b) => a - b) as [number, number, number]);

test('triangular quantile stays in [low, high], is monotone in u, and hits the mode at F(c)', () => {
  fc.assert(
    fc.property(
      triplet,
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      ([a, c, b], u, v) => {
        const x = triangularQuantile(a, c, b, u);
        assert.ok(x >= a - 1e-9 && x <= b + 1e-9);
        if (u <= v) assert.ok(x <= triangularQuantile(a, c, b, v) + 1e-9);
        if (b > a) assert.ok(Math.abs(triangularQuantile(a, c, b, (c - a) / (b - a)) - c) < 1e-6 * (1 + b));
      },
    ),
  );
});

test('two-piece log-normal: median at value, p5/p95 at low/high', () => {
  assert.ok(Math.abs(lognormalQuantile(10, 20, 80, 0.5) - 20) < 1e-9);
  assert.ok(Math.abs(lognormalQuantile(10, 20, 80, 0.05) - 10) < 1e-6);
  assert.ok(Math.abs(lognormalQuantile(10, 20, 80, 0.95) - 80) < 1e-6);
  assert.equal(quantile({ low: 10, value: 20, high: 80, dist: 'lognormal' }, 0.5), 20);
});

test('fillQuantiles agrees with the scalar quantile', () => {
  const rng = new Rng(7);
  const u = rng.fill(new Float64Array(1000));
  const out = new Float64Array(1000);
  for (const t of [
    { low: 1, value: 2, high: 5 },
    { low: 3, value: 3, high: 3 },
    { low: 1, value: 2, high: 5, dist: 'lognormal' as const },
  ]) {
    fillQuantiles(t, u, out);
    for (let i = 0; i < u.length; i++) assert.ok(Math.abs(out[i] - quantile(t, u[i])) < 1e-9);
  }
});

test('a triangular sample has the mean (a+b+c)/3', () => {
  const rng = new Rng(3);
  const u = rng.fill(new Float64Array(200_000));
  const out = new Float64Array(u.length);
  fillQuantiles({ low: 0, value: 1, high: 5 }, u, out);
  const mean = out.reduce((s, x) => s + x, 0) / out.length;
  assert.ok(Math.abs(mean - 2) < 0.01);
});

test('Rng is deterministic per seed and stays in (0, 1)', () => {
  const a = new Rng(42).fill(new Float64Array(1000));
  const b = new Rng(42).fill(new Float64Array(1000));
  const c = new Rng(43).fill(new Float64Array(1000));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  for (const x of a) assert.ok(x > 0 && x < 1);
});

test('probit matches known normal quantiles', () => {
  assert.ok(Math.abs(probit(0.5)) < 1e-12);
  assert.ok(Math.abs(probit(0.95) - 1.6448536) < 1e-6);
  assert.ok(Math.abs(probit(0.01) + 2.3263479) < 1e-6);
  assert.ok(Math.abs(probit(0.999) - 3.0902323) < 1e-6);
});
