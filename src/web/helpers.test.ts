import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultCatalog } from '../catalog/node.js';
import { type Param, runSupply, type Series } from '../supply/index.js';
import { loadSupplyData } from '../supply/load.js';
import { decadeDomain, log2Density, logTicks, looksLikeCode, parseCode, tickLabel } from './axis.js';
import { PACKAGE_ROOT } from './build.js';
import { toCsv, toJsonText } from './csv.js';
import { attainable, compareSystemFigures, roofline } from './headline.js';
import { errorHistogram } from './histogram.js';
import { BACKGROUNDS, BOTTLENECK_COLOURS, contrast, PALETTE } from './palette.js';
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
  it('scale low, value and high of every period, capping fractions at 1', () => {
    const s = scaleEntry(
      'x_fraction',
      {
        low: 0.2,
        value: 0.6,
        high: 0.9,
        unit: 'fraction',
        source: 's',
        date: '2025-01',
        confidence: 'unknown',
      },
      2,
    ) as Param;
    assert.deepEqual([s.low, s.value, s.high], [0.4, 1, 1]);
    const o = scaledOverrides(data, 'baseline', { cxmt_hbm_stacks_per_quarter: 2, tsmc_die_bank_dies: 1 });
    assert.deepEqual(Object.keys(o), ['cxmt_hbm_stacks_per_quarter']);
    const base = data.parameters.cxmt_hbm_stacks_per_quarter as Series;
    const scaled = o.cxmt_hbm_stacks_per_quarter as Series;
    for (const [p, v] of Object.entries(base.by_period))
      assert.equal(scaled.by_period[p]!.value, v.value * 2);
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

describe('axis helpers', () => {
  it('log ticks cover the data domain, never exceed the budget, and label 0.1 plainly', () => {
    const dom = decadeDomain([0.31, 2.5, 5000]);
    assert.deepEqual(dom, [0.1, 10000]);
    for (const max of [2, 3, 5, 8, 12, 20]) {
      const t = logTicks(dom[0], dom[1], max);
      assert.ok(t.length <= max && t.length >= 2, `${t.length} ticks for a budget of ${max}`);
      assert.ok(t.every((v) => v >= dom[0] * (1 - 1e-9) && v <= dom[1] * (1 + 1e-9)));
      assert.deepEqual(
        t,
        [...t].sort((a, b) => a - b),
      );
    }
    assert.deepEqual(
      logTicks(0.1, 10000, 20),
      [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000],
    );
    assert.deepEqual(logTicks(0.1, 10000, 6), [0.1, 1, 10, 100, 1000, 10000]);
    assert.equal(tickLabel(0.1), '0.1');
    assert.equal(tickLabel(5000), '5,000');
    assert.equal(tickLabel(1e-7), '1e-7');
  });
  it('bins a format: every positive finite value counted once, in the right log2 bin', () => {
    const values = [0.5, 1, 1.5, 2, 3, 1024, Number.NaN, -1, 0, Number.POSITIVE_INFINITY];
    const bins = log2Density(values, -1, 11, 12);
    assert.equal(
      bins.reduce((a, b) => a + b.count, 0),
      6,
    );
    // brute force: each value's bin is floor(log2(v) - lo)
    for (const v of [0.5, 1, 1.5, 2, 3, 1024]) {
      const b = bins.find((x) => Math.log2(v) >= x.lo && Math.log2(v) < x.hi);
      assert.ok(b, `bin of ${v}`);
    }
    assert.equal(bins.find((b) => b.lo === 0)!.count, 2); // 1 and 1.5
  });
  it('parses codes typed as hex or binary, and nothing else', () => {
    assert.deepEqual(parseCode('0x7e'), { code: 126, digits: 2, radix: 16 });
    assert.deepEqual(parseCode(' 0B0111_1110 '), { code: 126, digits: 8, radix: 2 });
    assert.equal(parseCode('126'), null);
    assert.equal(parseCode('0b102'), null);
    assert.equal(parseCode('0x'), null);
    assert.equal(parseCode('0x1ffffffff'), null);
    assert.ok(looksLikeCode('0x7e') && !looksLikeCode('7e'));
  });
});

describe('colours', () => {
  it('the WCAG ratio matches known pairs', () => {
    assert.ok(Math.abs(contrast('#000000', '#ffffff') - 21) < 1e-9);
    assert.equal(contrast('#777777', '#777777'), 1);
    assert.ok(Math.abs(contrast('#767676', '#ffffff') - 4.54) < 0.01);
  });
  it('every chart colour has 3:1 against both themes', () => {
    for (const c of [...PALETTE, ...Object.values(BOTTLENECK_COLOURS)])
      for (const bg of Object.values(BACKGROUNDS))
        assert.ok(contrast(c, bg) >= 3, `${c} on ${bg}: ${contrast(c, bg).toFixed(2)}`);
  });
  it('badge text and coloured text in style.css meet 4.5:1', () => {
    const css = readFileSync(join(PACKAGE_ROOT, 'src', 'web', 'app', 'style.css'), 'utf8');
    const block = (sel: string) => {
      const i = css.indexOf(`${sel} {`);
      assert.ok(i >= 0, sel);
      return css.slice(i, css.indexOf('}', i));
    };
    const badges = [...css.matchAll(/\.conf-[a-z-]+[,\s\n.a-z-]*\{\s*background: (#[0-9a-f]{6});/g)].map(
      (m) => m[1]!,
    );
    assert.ok(badges.length >= 5, `${badges.length} badge colours`);
    for (const b of badges)
      assert.ok(contrast('#ffffff', b) >= 4.5, `white on ${b}: ${contrast('#ffffff', b).toFixed(2)}`);
    for (const [sel, bg] of [
      [':root', '#ffffff'],
      ['[data-theme="dark"]', '#0d1117'],
    ] as const) {
      const vars = Object.fromEntries(
        [...block(sel).matchAll(/--([a-z-]+): (#[0-9a-f]{6});/g)].map((m) => [m[1]!, m[2]!]),
      );
      assert.equal(vars.bg, bg);
      for (const v of ['fg', 'muted', 'accent', 'err', 'sign', 'dot', 'exp', 'man'])
        assert.ok(
          contrast(vars[v]!, bg) >= 4.5,
          `${sel} --${v} ${vars[v]}: ${contrast(vars[v]!, bg).toFixed(2)}`,
        );
    }
  });
});
