import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  dieYield,
  grossDiesPerWafer,
  impliedDefectDensity,
  murphyYield,
  negativeBinomialYield,
  poissonYield,
} from './geometry.js';

const ASCEND_MM2 = 665.61;

test('gross dies per wafer: 910B-class die gives 77 with 3 mm edge exclusion, 80 with none', () => {
  assert.equal(Math.round(grossDiesPerWafer(300, 3, ASCEND_MM2)), 77);
  assert.equal(Math.round(grossDiesPerWafer(300, 0, ASCEND_MM2)), 80);
});

test('gross dies fall as die, edge exclusion or scribe grow', () => {
  fc.assert(
    fc.property(
      fc.double({ min: 20, max: 800, noNaN: true }),
      fc.double({ min: 0, max: 10, noNaN: true }),
      (a, e) => {
        const g = grossDiesPerWafer(300, e, a);
        assert.ok(g >= grossDiesPerWafer(300, e, a * 1.1));
        assert.ok(g >= grossDiesPerWafer(300, e + 1, a));
        assert.ok(g >= grossDiesPerWafer(300, e, a, 0.1));
      },
    ),
  );
});

test('yield models match the research note for the Ascend die at D0 = 0.09', () => {
  const a = ASCEND_MM2 / 100;
  assert.ok(Math.abs(poissonYield(a, 0.09) - 0.55) < 0.01);
  assert.ok(Math.abs(murphyYield(a, 0.09) - 0.57) < 0.01);
  assert.ok(Math.abs(negativeBinomialYield(a, 0.09, 3) - 0.58) < 0.01);
});

test('Murphy back-solve of reported yields (20/30/40/50%) gives the D0 values used in yield.json', () => {
  const expect: [number, number][] = [
    [0.2, 0.286],
    [0.3, 0.204],
    [0.4, 0.15],
    [0.5, 0.111],
  ];
  for (const [y, d0] of expect)
    assert.ok(Math.abs(impliedDefectDensity(y, ASCEND_MM2, 'murphy') - d0) < 0.001);
});

test('every yield model lies in (0, 1], falls with D0, and round-trips through impliedDefectDensity', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('poisson' as const, 'murphy' as const, 'negative-binomial' as const),
      fc.double({ min: 0.01, max: 1, noNaN: true }),
      fc.double({ min: 50, max: 800, noNaN: true }),
      (model, d0, area) => {
        const y = dieYield(area, d0, { model, alpha: 2 });
        assert.ok(y > 0 && y <= 1);
        assert.ok(dieYield(area, d0 * 1.2, { model, alpha: 2 }) < y);
        if (y > 1e-6 && y < 1 - 1e-6) {
          const back = impliedDefectDensity(y, area, model, 2);
          assert.ok(Math.abs(back - d0) / d0 < 1e-6);
        }
      },
    ),
  );
});

test('relative-to-TSMC yield is the fraction times TSMC Murphy yield', () => {
  const y = dieYield(ASCEND_MM2, 999, { model: 'relative-to-tsmc', relativeFraction: 0.5, tsmcD0: 0.1 });
  assert.ok(Math.abs(y - 0.5 * murphyYield(ASCEND_MM2 / 100, 0.1)) < 1e-12);
  assert.ok(y > 0.25 && y < 0.29, 'half of TSMC is about 27% for this die');
});
