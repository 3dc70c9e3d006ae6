import assert from 'node:assert/strict';
import { test } from 'node:test';
import { METRICS } from './engine.js';
import { loadSupplyData } from './load.js';
import { annual, BLOCK, prepareInputs, sampleRuns } from './montecarlo.js';
import { runSupply } from './summary.js';

const data = loadSupplyData();
const inputs = prepareInputs(data, 'baseline');

test('same seed, same samples; another seed, other samples', () => {
  const a = sampleRuns(inputs, 2000, 9);
  const b = sampleRuns(inputs, 2000, 9);
  const c = sampleRuns(inputs, 2000, 10);
  assert.deepEqual(a.metrics.domesticUnits, b.metrics.domesticUnits);
  assert.notDeepEqual(a.metrics.domesticUnits, c.metrics.domesticUnits);
});

test('the first block of runs does not depend on the total run count', () => {
  const a = sampleRuns(inputs, BLOCK, 4);
  const b = sampleRuns(inputs, BLOCK + 500, 4);
  for (let q = 0; q < 16; q++) {
    for (let r = 0; r < BLOCK; r += 97) {
      assert.equal(a.metrics.shareOfDemand[q * a.runs + r], b.metrics.shareOfDemand[q * b.runs + r]);
    }
  }
});

test('percentiles are monotone (p5 ≤ p50 ≤ p95) for every metric, quarter and year', () => {
  const r = runSupply(data, { runs: 5000, seed: 2 });
  for (const row of [...r.quarters, ...r.years]) {
    for (const m of METRICS) {
      const i = row.metrics[m];
      assert.ok(i.p5 <= i.p50 && i.p50 <= i.p95, `${m} ${JSON.stringify(i)}`);
    }
  }
  for (const q of r.quarters) {
    const total = q.bindingShare.logic + q.bindingShare.hbm + q.bindingShare.packaging;
    assert.ok(Math.abs(total - 1) < 1e-9);
  }
});

test('annual figures are per-run sums of quarters (intervals taken after summing)', () => {
  const s = sampleRuns(inputs, 1000, 5);
  const year = annual(s, 'domesticUnits', 2025);
  for (const r of [0, 17, 999]) {
    let t = 0;
    for (let q = 4; q < 8; q++) t += s.metrics.domesticUnits[q * s.runs + r];
    assert.ok(Math.abs(year[r] - t) < 1e-3 * (1 + t));
  }
  const share = annual(s, 'shareOfDemand', 2025);
  const dem = annual(s, 'demandUnits', 2025);
  assert.ok(Math.abs(share[3] - year[3] / dem[3]) < 1e-9);
  assert.throws(() => annual(s, 'domesticUnits', 2030), /outside/);
});

test('runs must be a positive integer', () => {
  assert.throws(() => sampleRuns(inputs, 0, 1), /positive integer/);
  assert.throws(() => sampleRuns(inputs, 1.5, 1), /positive integer/);
});

test('a metric selection summarises only those metrics, with the same intervals as the full summary', () => {
  const full = runSupply(data, { runs: 3000, seed: 5 });
  const metrics = { quarters: ['selfSufficiency'], years: ['valueShare', 'h20Units'] } as const;
  const some = runSupply(data, { runs: 3000, seed: 5, metrics });
  for (const [i, q] of some.quarters.entries()) {
    assert.deepEqual(Object.keys(q.metrics), ['selfSufficiency']);
    assert.deepEqual(q.metrics.selfSufficiency, full.quarters[i]!.metrics.selfSufficiency);
    assert.deepEqual(q.bindingShare, full.quarters[i]!.bindingShare);
  }
  for (const [i, y] of some.years.entries()) {
    assert.deepEqual(Object.keys(y.metrics), ['valueShare', 'h20Units']);
    assert.deepEqual(y.metrics.valueShare, full.years[i]!.metrics.valueShare);
    assert.deepEqual(y.metrics.h20Units, full.years[i]!.metrics.h20Units);
  }
  const one = runSupply(data, {
    runs: 3000,
    seed: 5,
    metrics: { ...metrics, onlyQuarters: ['2026Q4'], onlyYears: [2025] },
  });
  assert.deepEqual(one.quarters, [some.quarters.find((q) => q.quarter === '2026Q4')]);
  assert.deepEqual(one.years, [some.years.find((y) => y.year === 2025)]);
});
