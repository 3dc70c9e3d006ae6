/** The worker pool gives exactly what the single-thread quantizer gives. */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { getScheme, quantize, synthetic } from './index.js';
import { createQuantPool } from './parallel.js';

describe('quantization pool', () => {
  const pool = createQuantPool(2);
  after(() => pool.close());
  for (const name of [
    'deepgemm-block-ue8m0',
    'torchao-mxfp4-floor',
    'microxcaling-mxfp6-e2m3',
    'nvfp4',
    'hifloat4-g64',
    'fp8-per-tensor',
  ]) {
    test(name, async () => {
      const s = getScheme(name);
      const x = synthetic('outliers', 300, 1000, 4);
      const shape = [3, 100, 1000];
      const a = quantize(x, shape, s, { axis: -1 });
      const b = await pool.quantize(x, shape, s);
      assert.deepEqual(b.codes, a.codes);
      assert.deepEqual(b.scales, a.scales);
      assert.deepEqual(b.scaleCodes, a.scaleCodes);
      assert.deepEqual(b.scaleShape, a.scaleShape);
      assert.equal(b.saturated, a.saturated);
      assert.equal(b.globalScale, a.globalScale);
      assert.deepEqual(b.microExponents, a.microExponents);
    });
  }
  test('bad thread counts are refused', () => {
    assert.throws(() => createQuantPool(0), /positive integer/);
  });
});
