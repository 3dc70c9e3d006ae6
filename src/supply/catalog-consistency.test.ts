/**
 * One source of chip facts: the supply model reads its peaks from the accelerator catalogue, and
 * its H100-equivalents follow them by hand.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { figureValue } from '../catalog/index.js';
import { defaultCatalog } from '../catalog/node.js';
import { loadSupplyData } from './load.js';
import { at, centralRun, prepareInputs } from './montecarlo.js';
import { HUAWEI_CHIPS, IMPORTS, OTHER_VENDORS } from './registry.js';

const data = loadSupplyData();
const cat = defaultCatalog();

test('supply chip facts are the catalogue figures, vendor ids included', () => {
  for (const [id, c] of Object.entries(data.chips)) {
    const a = cat.getAccelerator(id);
    assert.equal(c.vendor, a.vendor, id);
    assert.equal(c.bf16DenseTflops, figureValue(a.figures.bf16DenseTflops, 'best'), id);
  }
  for (const v of OTHER_VENDORS) if (v.chip) assert.equal(cat.getAccelerator(v.chip).vendor, v.vendor);
  for (const v of IMPORTS) if (v.chip) assert.equal(cat.getAccelerator(v.chip).vendor, v.vendor);
  // no copy of a catalogue peak is kept in data/supply: only the range for chips the catalogue lacks
  const peaks = Object.keys(data.parameters).filter((n) => /_tflops/.test(n));
  assert.deepEqual(peaks, ['unknown_peak_bf16_dense_tflops_per_package']);
});

test('central run: domestic H100e BF16 = Σ units × catalogue peak / H100 peak', () => {
  const inputs = prepareInputs(data, 'baseline');
  const run = centralRun(inputs);
  const q = 8;
  const slot = (name: string) =>
    inputs.slots[
      (inputs.series as Record<string, Int32Array>)[name]?.[q] ??
        (inputs.scalar as Record<string, number>)[name]
    ].value;
  const f = Math.min(1, Math.max(0, slot('huawei_dies_per_package') - 1));
  const peak = (id: string | null) =>
    (id ? data.chips[id].bf16DenseTflops : null) ?? slot('unknown_peak_bf16_dense_tflops_per_package');
  let tflops = at(run, 'huaweiPackages', q) * ((1 - f) * peak(HUAWEI_CHIPS.b)! + f * peak(HUAWEI_CHIPS.c)!);
  for (const v of OTHER_VENDORS) tflops += at(run, v.metric, q) * peak(v.chip)!;
  const expected = tflops / data.chips['h100-sxm'].bf16DenseTflops!;
  const got = at(run, 'domesticH100eBf16', q);
  assert.ok(Math.abs(got - expected) / expected < 1e-5, `${got} vs ${expected}`);
});
