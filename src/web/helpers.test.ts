import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultCatalog } from '../catalog/node.js';
import { type Param, runSupply, type Series } from '../supply/index.js';
import { loadSupplyData } from '../supply/load.js';
import { toCsv, toJsonText } from './csv.js';
import { attainable, compareSystemFigures, roofline } from './headline.js';
import { errorHistogram } from './histogram.js';
import { SLIDER_PARAMS, scaledOverrides, scaleEntry } from './scale.js';

describe('csv', () => {
  it('quotes commas, quotes and newlines, and spells out non-finite numbers', () => {
    assert.equal(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', 'say "hi"'],
          [Number.NaN, null],
        ],
      ),
      'a,b\r\n"x,y","say ""hi"""\r\nNaN,\r\n',
    );
    assert.equal(toJsonText({ v: Number.POSITIVE_INFINITY }), '{\n  "v": "Infinity"\n}');
  });
});

describe('errorHistogram', () => {
  it('counts exact elements apart and bins the rest by log10 of the error over rms(x)', () => {
    const x = new Float32Array([1, -1, 1, -1]);
    const q = new Float32Array([1, -1, 1.1, -1.001]);
    const h = errorHistogram(x, q, -6, 1, 7);
    assert.equal(h.exact, 2);
    assert.equal(h.rms, 1);
    assert.equal(
      h.counts.reduce((a, b) => a + b, 0),
      2,
    );
    assert.equal(h.counts[5], 1); // log10(0.1) = -1 -> bin [-1, 0)
    assert.equal(h.counts[3], 1); // log10(0.001) = -3 -> bin [-3, -2)
  });
});

describe('headline', () => {
  const cat = defaultCatalog();
  it('compares CloudMatrix 384 with GB200 NVL72 from the catalogue figures', () => {
    const c = compareSystemFigures(cat, 'cm384', 'nvl72');
    const row = (m: string) => c.rows.find((r) => r.metric === m)!;
    assert.equal(row('chips').ratio, 384 / 72);
    assert.ok(Math.abs(row('BF16 dense PFLOPS').ratio! - 300 / 180) < 1e-12);
    assert.ok(Math.abs(row('BF16 PFLOPS per kW').a! - 300 / 559) < 1e-12);
    assert.ok(row('BF16 PFLOPS per kW').ratio! < 1, 'CloudMatrix spends more power per FLOP');
  });
  it('draws a roofline: min(peak, intensity x bandwidth), ridge = peak / bandwidth', () => {
    const r = roofline(cat.getAccelerator('h100-sxm'), 'bf16')!;
    assert.ok(Math.abs(r.ridge - r.peakTflops / r.hbmTBps) < 1e-12);
    assert.equal(attainable(r, 1), r.hbmTBps);
    assert.equal(attainable(r, 1e6), r.peakTflops);
    assert.equal(roofline(cat.getAccelerator('ascend-910c'), 'fp8'), null);
  });
});

describe('supply sliders', () => {
  const data = loadSupplyData();
  it('scale low, central and high of every period, capping fractions at 1', () => {
    const s = scaleEntry(
      'x_fraction',
      {
        low: 0.2,
        central: 0.6,
        high: 0.9,
        unit: 'fraction',
        source: 's',
        date: '2025-01',
        confidence: 'unknown',
      },
      2,
    ) as Param;
    assert.deepEqual([s.low, s.central, s.high], [0.4, 1, 1]);
    const o = scaledOverrides(data, 'baseline', { cxmt_hbm_stacks_per_quarter: 2, tsmc_die_bank_dies: 1 });
    assert.deepEqual(Object.keys(o), ['cxmt_hbm_stacks_per_quarter']);
    const base = data.parameters.cxmt_hbm_stacks_per_quarter as Series;
    const scaled = o.cxmt_hbm_stacks_per_quarter as Series;
    for (const [p, v] of Object.entries(base.by_period))
      assert.equal(scaled.by_period[p]!.central, v.central * 2);
    assert.throws(() => scaledOverrides(data, 'baseline', { nope: 2 }), /unknown supply parameter/);
  });
  it('move the model: more CXMT HBM raises the end-2026 share of demand', () => {
    for (const p of SLIDER_PARAMS) assert.ok(data.parameters[p], p);
    const share = (k: number) =>
      runSupply(data, {
        runs: 2000,
        seed: 1,
        overrides: scaledOverrides(data, 'baseline', { cxmt_hbm_stacks_per_quarter: k }),
      }).quarters.find((q) => q.quarter === '2026Q4')!.metrics.shareOfDemand.p50;
    assert.ok(share(3) > share(1));
  });
});
