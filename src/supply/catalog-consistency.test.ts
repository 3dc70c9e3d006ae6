/**
 * The supply model keeps its own peak-throughput triplets for H100-equivalents; they must agree
 * with the accelerator catalogue, which carries the same figures with their sources.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { figureValue } from '../catalog/index.js';
import { defaultCatalog } from '../catalog/node.js';
import { loadSupplyData } from './load.js';
import { isSeries, type Param } from './types.js';

test('supply peaks agree with the catalogue', () => {
  const params = loadSupplyData().parameters;
  const scalar = (name: string): Param => {
    const e = params[name];
    assert.ok(e && !isSeries(e), `${name} is a scalar triplet`);
    return e as Param;
  };
  const cat = defaultCatalog();
  const h100 = figureValue(cat.getAccelerator('h100-sxm').figures.bf16DenseTflops, 'value')!;
  assert.ok(Math.abs(scalar('h100_bf16_dense_tflops').central - h100) / h100 < 0.01, 'H100 BF16 dense');
  // the model's per-die Huawei range must cover the catalogue's 910B and half a 910C (two dies)
  const die = scalar('huawei_die_bf16_dense_tflops');
  const c910b = cat.getAccelerator('ascend-910b').figures.bf16DenseTflops;
  const c910c = cat.getAccelerator('ascend-910c').figures.bf16DenseTflops;
  for (const v of [figureValue(c910b, 'value')!, figureValue(c910c, 'value')! / 2]) {
    assert.ok(
      v >= die.low * 0.9 && v <= die.high * 1.1,
      `Huawei die BF16 ${v} outside the model's ${die.low}-${die.high}`,
    );
  }
});
