import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { curveEfficiency } from './efficiency.js';

const curve: [number, number][] = [
  [0.1, 0.2],
  [1, 0.5],
  [100, 0.8],
];

describe('efficiency curves', () => {
  it('holds the ends and interpolates in log size', () => {
    assert.equal(curveEfficiency(curve, 0.001), 0.2);
    assert.equal(curveEfficiency(curve, 1e6), 0.8);
    assert.equal(curveEfficiency(curve, 1), 0.5);
    assert.ok(Math.abs(curveEfficiency(curve, 10) - 0.65) < 1e-12);
    assert.throws(() => curveEfficiency([], 1), /empty/);
  });

  it('never falls as operations grow, and stays inside the curve', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-4, max: 1e4, noNaN: true }),
        fc.double({ min: 1, max: 100, noNaN: true }),
        (x, k) => {
          const a = curveEfficiency(curve, x);
          const b = curveEfficiency(curve, x * k);
          assert.ok(b >= a - 1e-12);
          assert.ok(a >= 0.2 && a <= 0.8);
        },
      ),
    );
  });
});
