import assert from 'node:assert/strict';
import { test } from 'node:test';
import { quantile } from './distributions.js';
import { loadSupplyData } from './load.js';
import { at, prepareInputs, replayUniforms, sampleRuns } from './montecarlo.js';
import { CLAIMS, mustBeTrue } from './mustbetrue.js';
import { openQuestions } from './open.js';
import { IMPORTS, OTHER_VENDORS } from './registry.js';
import { percentiles } from './stats.js';
import { targetSamples, validateTargets } from './targets.js';

const data = loadSupplyData();

test('target quantities equal brute-force sums over the quarters of the samples', () => {
  const s = sampleRuns(prepareInputs(data, 'baseline'), 500, 5);
  const sum = (metrics: string[], r: number, y: number) => {
    let t = 0;
    for (let q = (y - 2024) * 4; q < (y - 2024) * 4 + 4; q++)
      for (const m of metrics) t += at(s, m as 'domesticUnits', q, r);
    return t;
  };
  const nvidia = IMPORTS.filter((v) => v.vendor === 'nvidia').map((v) => v.metric);
  for (const r of [0, 17, 499]) {
    const close = (a: number, b: number) =>
      assert.ok(Math.abs(a - b) <= 1e-6 * (1 + Math.abs(b)), `${a} vs ${b}`);
    close(targetSamples(s, { metric: 'units', vendor: 'nvidia', year: 2025 })[r], sum(nvidia, r, 2025));
    close(
      targetSamples(s, { metric: 'units', vendor: 'alibaba', year: 2025 })[r],
      sum(['theadUnits'], r, 2025),
    );
    const dom = sum(['domesticUnits'], r, 2026);
    const imp = sum(['importUnits'], r, 2026);
    close(
      targetSamples(s, { metric: 'selfSufficiency', vendor: 'domestic', year: 2026 })[r],
      dom / (dom + imp),
    );
    close(
      targetSamples(s, { metric: 'selfSufficiency', vendor: 'imports', year: 2026 })[r],
      imp / (dom + imp),
    );
    const dv = sum(['domesticValueUsd'], r, 2024);
    const iv = sum(['importValueUsd'], r, 2024);
    close(
      targetSamples(s, { metric: 'valueShare', vendor: 'nvidia', year: 2024 })[r],
      sum(['nvidiaValueUsd'], r, 2024) / (dv + iv),
    );
    close(
      targetSamples(s, { metric: 'shareOfDemand', vendor: 'domestic', year: 2027 })[r],
      sum(['domesticUnits'], r, 2027) / sum(['demandUnits'], r, 2027),
    );
    // domestic units are the vendors' sum
    close(
      sum(['domesticUnits'], r, 2025),
      sum(['huaweiPackages', ...OTHER_VENDORS.map((v) => v.metric)], r, 2025),
    );
  }
});

test('validation lists every target with metric, vendor, year, target, p50, intervals and a verdict that follows them', () => {
  const v = validateTargets(data, { runs: 3000, seed: 2 });
  assert.equal(v.checks.length, data.targets.length);
  assert.ok(data.targets.length >= 15);
  for (const c of v.checks) {
    for (const k of ['id', 'metric', 'vendor', 'year', 'target', 'p50', 'p25', 'p75', 'p5', 'p95', 'pass'])
      assert.ok(k in c, `${c.id}: ${k}`);
    assert.ok(c.p5 <= c.p25 && c.p25 <= c.p50 && c.p50 <= c.p75 && c.p75 <= c.p95, c.id);
    if (!c.bound) {
      assert.equal(c.in50, c.p25 <= c.target && c.target <= c.p75, c.id);
      assert.equal(c.withinTolerance, Math.abs(c.p50 / c.target - 1) <= 0.15, c.id);
    }
    assert.equal(c.pass, c.withinTolerance && c.in50, c.id);
    if (!c.pass) {
      assert.ok(c.drivers.length > 0 && c.disagreement, `${c.id} says which input disagrees`);
      assert.match(c.disagreement!, /moves it most/);
      // and why, with sources: a reconciliation in targets.json or an explanation scenario that passes
      assert.ok(c.reconciliation || c.explained?.pass, `${c.id} says why the figure is not met`);
    }
    assert.ok(c.definition, `${c.id} says what the published figure counts and the metric it maps to`);
  }
  assert.equal(v.passed, v.checks.filter((c) => c.pass).length);
  // the two Huawei 2025 figures: each reproduced by its explanation scenario
  const commerce = v.checks.find((c) => c.id === 'us-commerce-2025-huawei')!;
  assert.equal(commerce.explained?.scenario, 'us-commerce-200k');
  assert.ok(commerce.explained!.pass, JSON.stringify(commerce.explained));
  // recomputing one p50 by hand from the same seed gives the same number
  const s = sampleRuns(prepareInputs(data, 'baseline'), 3000, 2);
  const t = data.targets.find((x) => x.id === 'idc-2025-huawei-units')!;
  const p50 = percentiles(targetSamples(s, t), [0.5])[0];
  assert.equal(v.checks.find((c) => c.id === t.id)!.p50, p50);
});

test('what must be true: the reported box holds the stated share of runs (brute force)', () => {
  const claim = CLAIMS.find((c) => c.id === 'most-demand-met-2026q4')!;
  const m = mustBeTrue(data, claim, { runs: 4000, seed: 3 });
  assert.ok(m.box.length >= 1, 'the claim depends on a region of inputs');
  assert.ok(m.holdsInBox > m.holds, 'the box raises the share of runs in which the claim holds');
  // recompute with the replayed draws: run in box iff every cut holds on its quantile
  const inputs = prepareInputs(data, 'baseline');
  const s = sampleRuns(inputs, 4000, 3);
  const u = replayUniforms(inputs, 4000, 3);
  const q = 11;
  let n = 0;
  let h = 0;
  let all = 0;
  for (let r = 0; r < s.runs; r++) {
    const holds = at(s, 'shareOfDemand', q, r) > 0.5;
    if (holds) all++;
    const inBox = m.box.every((c) => {
      const k = inputs.groups.findIndex((g) => g.param === c.parameter);
      return c.op === '>=' ? u[k][r] >= c.quantile : u[k][r] < c.quantile;
    });
    if (inBox) {
      n++;
      if (holds) h++;
    }
  }
  assert.equal(all / s.runs, m.holds);
  assert.equal(n / s.runs, m.support);
  assert.equal(h / n, m.holdsInBox);
  // each cut's value is the parameter's quantile at the claim's quarter
  const c0 = m.box[0];
  const g = inputs.groups.find((x) => x.param === c0.parameter)!;
  const slot = inputs.slots[(inputs.series as Record<string, Int32Array>)[c0.parameter]?.[q] ?? g.slots[0]];
  assert.equal(c0.value, quantile(slot, c0.quantile));
});

test('open questions are the unknown inputs, CXMT HBM among them with its range', () => {
  const q = openQuestions(data);
  const cxmt = q.find((x) => x.parameter === 'cxmt_hbm_stacks_per_quarter');
  assert.ok(cxmt && cxmt.periods.length > 0);
  for (const x of q) for (const p of x.periods) assert.ok(p.low < p.high, x.parameter);
  assert.ok(!q.some((x) => x.parameter === 'wafer_diameter_mm'));
});
