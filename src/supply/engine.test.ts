import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HBM, LOGIC, METRICS, PACKAGING } from './engine.js';
import { dieYield, grossDiesPerWafer } from './geometry.js';
import { loadSupplyData } from './load.js';
import { at, centralRun, prepareInputs, sampleRuns } from './montecarlo.js';
import { OTHER_VENDORS } from './registry.js';

const data = loadSupplyData();

test('central run: SMIC good dies in 2025Q1 equal wafers x gross dies x Murphy yield by hand', () => {
  const inputs = prepareInputs(data, 'baseline');
  const run = centralRun(inputs);
  const c = (name: string, q = 4) => {
    const s =
      inputs.scalar[name as keyof typeof inputs.scalar] ??
      inputs.series[name as keyof typeof inputs.series][q];
    return inputs.slots[s].value;
  };
  const wafAI = c('smic_advanced_capacity_wpm') * c('smic_ai_accelerator_share_fraction') * 3;
  const hs = c('huawei_share_of_ai_wafers_fraction');
  const d = (area: string) =>
    grossDiesPerWafer(c('wafer_diameter_mm'), c('edge_exclusion_mm'), c(area), c('scribe_lane_mm')) *
    dieYield(c(area), c('smic_defect_density_per_cm2'), { model: 'murphy' });
  const expected = wafAI * hs * d('huawei_die_area_mm2') + wafAI * (1 - hs) * d('other_vendors_die_area_mm2');
  assert.ok(Math.abs(at(run, 'smicGoodDies', 4) - expected) / expected < 1e-6);
  assert.ok(Math.abs(at(run, 'wafers', 4) - wafAI) / wafAI < 1e-6);
});

test('invariants hold in every run and quarter', () => {
  const s = sampleRuns(prepareInputs(data, 'baseline'), 3000, 11);
  const m = s.metrics;
  for (let q = 0; q < 16; q++) {
    for (let r = 0; r < s.runs; r++) {
      const k = q * s.runs + r;
      for (const name of METRICS) assert.ok(Number.isFinite(m[name][k]) && m[name][k] >= 0, `${name} q${q}`);
      const vendors = OTHER_VENDORS.reduce((t, v) => t + m[v.metric][k], m.huaweiPackages[k]);
      const imports = m.h20Units[k] + m.h200Units[k] + m.nvidiaOtherUnits[k] + m.amdUnits[k];
      assert.ok(Math.abs(imports - m.importUnits[k]) <= 1e-4 * (1 + imports));
      assert.ok(Math.abs(vendors - m.domesticUnits[k]) <= 1e-4 * (1 + m.domesticUnits[k]));
      assert.ok(m.shareOfDemand[k] <= 5 && m.selfSufficiency[k] <= 1 + 1e-6 && m.valueShare[k] <= 1 + 1e-6);
      const ss = m.domesticUnits[k] / (m.domesticUnits[k] + m.importUnits[k]);
      assert.ok(
        Math.abs(m.selfSufficiency[k] - ss) < 1e-5,
        'self-sufficiency = domestic / (domestic + imports)',
      );
      assert.ok([LOGIC, HBM, PACKAGING].includes(s.binding[k]));
      if (q > 0) assert.ok(m.dieBankEnd[k] <= m.dieBankEnd[k - s.runs] + 1e-3, 'die bank never grows');
    }
  }
});

test('every yield model runs; Poisson gives fewer good dies than Murphy at the same D0', () => {
  const good = (model: string) => {
    const inputs = prepareInputs(data, 'baseline');
    inputs.yieldModel = model as typeof inputs.yieldModel;
    return at(centralRun(inputs), 'smicGoodDies', 4);
  };
  assert.ok(good('poisson') < good('murphy'));
  assert.ok(good('negative-binomial') > good('poisson'));
  assert.ok(good('relative-to-tsmc') > 0);
});

test('binding constraint is named: no HBM after 2024 and no CXMT makes HBM bind by 2026', () => {
  const s = sampleRuns(prepareInputs(data, 'hbm-cutoff'), 2000, 3);
  let hbm = 0;
  for (let r = 0; r < s.runs; r++) if (s.binding[11 * s.runs + r] === HBM) hbm++;
  assert.ok(hbm / s.runs > 0.9, `HBM binds in ${hbm} of ${s.runs} runs in 2026Q4`);
});
