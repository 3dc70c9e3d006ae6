/**
 * Behaviour checks of the baseline and scenarios (20,000 runs, seed 1). The published targets
 * themselves are checked in targets.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainHuawei2025 } from './explain.js';
import { loadSupplyData } from './load.js';
import { runSupply } from './summary.js';
import { tornado } from './tornado.js';

const data = loadSupplyData();
const baseline = runSupply(data, { runs: 20_000, seed: 1 });
const year = (r: typeof baseline, y: number) => r.years.find((x) => x.year === y)!.metrics;
const q = (r: typeof baseline, label: string) => r.quarters.find((x) => x.quarter === label)!;

test("2025 self-sufficiency: IDC's 41% (the count after the year) is within 15% of the p50 and inside the 90% interval; TrendForce's May-2025 forecast (58% domestic) is not", () => {
  const idc = data.targets.find((x) => x.id === 'idc-2025-self-sufficiency')!;
  const tf = data.targets.find((x) => x.id === 'trendforce-2025-import-share')!;
  const ss = year(baseline, 2025).selfSufficiency;
  assert.ok(Math.abs(ss.p50 / idc.value - 1) <= 0.15, JSON.stringify(ss));
  assert.ok(ss.p5 <= idc.value && idc.value <= ss.p95, JSON.stringify(ss));
  assert.ok(1 - tf.value > ss.p95, 'the two published figures cannot both hold');
  assert.ok(tf.reconciliation?.includes('IDC'), 'the conflict is explained in targets.json');
});

test('200k (US Commerce) vs 805k (SemiAnalysis): each parameter set lands within 20% of its figure', () => {
  const [commerce, semi] = explainHuawei2025(data);
  assert.equal(commerce.scenario, 'us-commerce-200k');
  assert.equal(semi.scenario, 'semianalysis-805k');
  for (const e of [commerce, semi]) assert.ok(Math.abs(e.ratio - 1) < 0.2, `${e.scenario}: ${e.modelled}`);
  const names = (e: typeof commerce) => e.parameters.map((p) => p.name).sort();
  assert.ok(
    names(commerce).includes('tsmc_die_bank_dies') && names(commerce).includes('hbm_stockpile_stacks'),
  );
  assert.equal(commerce.parameters.find((p) => p.name === 'tsmc_die_bank_dies')!.value, 0);
  assert.equal(semi.parameters.find((p) => p.name === 'tsmc_die_bank_dies')!.value, 2_900_000);
});

test('tornado ordering is deterministic with a seed and sorted by swing', () => {
  const a = tornado(data, { runs: 4000, seed: 7 });
  const b = tornado(data, { runs: 4000, seed: 7 });
  assert.deepEqual(a, b);
  assert.ok(a.rows.length > 10);
  for (let i = 1; i < a.rows.length; i++) assert.ok(a.rows[i - 1].swing >= a.rows[i].swing);
  for (const r of a.rows) assert.ok(r.rankCorrelation >= -1 && r.rankCorrelation <= 1);
  assert.equal(a.quarter, '2026Q4');
  const c = tornado(data, { runs: 4000, seed: 8 });
  assert.deepEqual(
    c.rows.map((r) => r.parameter),
    a.rows.map((r) => r.parameter),
    'one-at-a-time order does not depend on the seed',
  );
});

test('scenarios move the outputs the expected way', () => {
  const opts = { runs: 4000, seed: 1 };
  const cut = runSupply(data, { ...opts, scenario: 'hbm-cutoff' });
  const nv = runSupply(data, { ...opts, scenario: 'nvidia-allowed' });
  const fab = runSupply(data, { ...opts, scenario: 'huawei-fabs-late-2026' });
  const base = runSupply(data, opts);
  assert.ok(q(cut, '2026Q4').metrics.shareOfDemand.p50 < q(base, '2026Q4').metrics.shareOfDemand.p50);
  assert.ok(year(nv, 2026).selfSufficiency.p50 < year(base, 2026).selfSufficiency.p50);
  assert.ok(year(nv, 2026).importH100eBf16.p50 > year(base, 2026).importH100eBf16.p50);
  assert.ok(year(fab, 2027).wafers.p50 > year(base, 2027).wafers.p50);
});

test('"half of TSMC yield is enough": at half TSMC yield, logic binds in few 2025-26 quarters', () => {
  const half = runSupply(data, { runs: 4000, seed: 1, scenario: 'half-tsmc-yield' });
  for (const label of ['2025Q2', '2025Q4', '2026Q2', '2026Q4'])
    assert.ok(q(half, label).bindingShare.logic < 0.2, label);
});

test('end-2026 "most of demand": self-sufficiency is above half while the unit share of demand stays lower', () => {
  const end = q(baseline, '2026Q4').metrics;
  assert.ok(end.selfSufficiency.p50 > 0.5, `self-sufficiency ${end.selfSufficiency.p50}`);
  assert.ok(end.shareOfDemand.p50 < end.selfSufficiency.p50);
});
