import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeEntry, resolveScenario, scenarioNames } from './dataset.js';
import { compileInputs } from './inputs.js';
import { loadSupplyData } from './load.js';
import type { Param, Series } from './types.js';

const p = (value: number, unit = 'u'): Param => ({
  low: value,
  value,
  high: value,
  unit,
  source: 'test',
  date: '2025-01',
  confidence: 'derived',
});

test('a series override replaces the base from its first period on and keeps earlier periods', () => {
  const base: Series = { by_period: { '2024': p(1), '2025': p(2), '2026': p(3) } };
  const merged = mergeEntry(base, { by_period: { '2025Q3': p(9) } }) as Series;
  assert.deepEqual(Object.keys(merged.by_period).sort(), ['2024', '2025', '2025Q3']);
  const scalar = p(5);
  assert.equal(mergeEntry(base, scalar), scalar, 'a scalar override replaces the series');
  const fromScalar = mergeEntry(p(1), { by_period: { '2026': p(4) } }) as Series;
  assert.deepEqual(Object.keys(fromScalar.by_period), ['2024', '2026']);
});

test('series expand to 16 quarters: a period holds until the next; a quarter key starts mid-year', () => {
  const data = loadSupplyData();
  const inputs = compileInputs(resolveScenario(data, 'baseline'), data.chips);
  const cap = inputs.series.smic_advanced_capacity_wpm;
  const central = (q: number) => inputs.slots[cap[q]].value;
  assert.equal(central(0), 20000);
  assert.equal(central(4), 35000);
  assert.equal(central(7), 45000); // 2025Q4
  assert.equal(central(8), 60000);
  assert.equal(central(15), 80000);
  const share = inputs.series.smic_ai_accelerator_share_fraction;
  assert.equal(share[15], share[4], '2025 value carries forward');
});

test('scenarios resolve: settings merge over base settings and overrides apply', () => {
  const data = loadSupplyData();
  assert.deepEqual(scenarioNames(data).slice(0, 1), ['baseline']);
  for (const name of [
    'baseline',
    'half-tsmc-yield',
    'hbm-cutoff',
    'nvidia-allowed',
    'huawei-fabs-late-2026',
  ]) {
    assert.ok(scenarioNames(data).includes(name), name);
  }
  assert.equal(resolveScenario(data, 'baseline').settings.yield_model, 'murphy');
  assert.equal(resolveScenario(data, 'half-tsmc-yield').settings.yield_model, 'relative-to-tsmc');
  const fab = compileInputs(resolveScenario(data, 'huawei-fabs-late-2026'), data.chips);
  const own = fab.series.huawei_own_fab_capacity_wpm;
  assert.equal(fab.slots[own[10]].value, 0); // 2026Q3
  assert.equal(fab.slots[own[11]].value, 7000); // 2026Q4
});
