/**
 * One headline: `report`, `serve`'s summary and the dashboard (which imports headline.ts) print
 * the same numbers, computed once from the same inputs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultCatalog } from '../catalog/node.js';
import { headlines } from '../cli/commands/report.js';
import { defaultPerfData } from '../perf/node.js';
import { compareSystems } from '../perf/scenarios.js';
import { analyze, getScheme, synthetic } from '../quant/index.js';
import { loadSupplyData } from '../supply/load.js';
import { compareSystemFigures, HEADLINE, headline, quantHeadline } from './headline.js';
import { computeSummary } from './summary.js';

const RUNS = 1000;

describe('one headline', () => {
  const cat = defaultCatalog();
  const h = headline(cat, loadSupplyData(), RUNS);
  const report = headlines(RUNS);
  const summary = computeSummary(RUNS);
  // what the dashboard's Chips page calls
  const dashboard = compareSystemFigures(cat, 'cloudmatrix-384', 'gb200-nvl72');

  it('report, serve and the dashboard print identical numbers', () => {
    assert.deepEqual(report.quant, h.quant.schemes);
    assert.deepEqual(summary.quantization, h.quant);
    assert.deepEqual(report.systems, dashboard);
    assert.deepEqual(h.systems, dashboard);
    assert.deepEqual(
      summary.systems.ratios,
      dashboard.rows.map(({ metric, unit, a, b, ratio }) => ({ metric, unit, a, b, ratio })),
    );
    assert.deepEqual(report.supply.share2025, h.supply.share2025);
    assert.deepEqual(report.supply.selfSufficiency2025, h.supply.selfSufficiency2025);
    assert.deepEqual(summary.supply.selfSufficiency2025, {
      p5: h.supply.selfSufficiency2025.p5,
      p50: h.supply.selfSufficiency2025.p50,
      p95: h.supply.selfSufficiency2025.p95,
    });
    assert.deepEqual(summary.supply.shareOfDemand2025, {
      p5: h.supply.share2025.p5,
      p50: h.supply.share2025.p50,
      p95: h.supply.share2025.p95,
    });
  });

  it('the SQNR figures are analyze() on the headline tensor (independent recomputation)', () => {
    const { kind, rows, cols, seed } = HEADLINE.tensor;
    const x = synthetic(kind, rows, cols, seed);
    const nv = analyze(x, [rows, cols], getScheme('nvfp4'));
    assert.equal(quantHeadline(['nvfp4']).schemes[0]!.sqnrDb, nv.sqnrDb);
    assert.equal(h.quant.schemes.find((s) => s.scheme === 'nvfp4')!.sqnrDb, nv.sqnrDb);
  });

  it('the system comparison is perf’s: compare-systems starts with the same rows', () => {
    const c = compareSystems(defaultPerfData(), cat, 'cloudmatrix-384', 'gb200-nvl72');
    assert.deepEqual(c.rows.slice(0, dashboard.rows.length), dashboard.rows);
    const row = (m: string) => dashboard.rows.find((r) => r.metric === m)!;
    assert.equal(row('chips').ratio, 384 / 72);
    assert.equal(row('all-in power kW').a, 559);
  });
});
