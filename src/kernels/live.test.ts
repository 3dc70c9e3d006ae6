/**
 * liveGemvBenchmark (the browser-safe GEMV benchmark): one row per format and kernel build, sane
 * figures, bad input rejected. No timing assertions.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LIVE_MAX_ELEMENTS, liveGemvBenchmark } from './bench.js';

describe('liveGemvBenchmark', () => {
  test('rows for every format on both builds (relaxed turned on in Node), bytes ratios, progress', async () => {
    let last = [0, 0];
    const r = await liveGemvBenchmark({
      n: 40,
      k: 300,
      ms: 10,
      formats: ['fp32', 'bf16', 'mxfp4', 'deepseek-fp8'],
      onProgress: (done, total) => {
        assert.ok(done > last[0]! && done <= total);
        last = [done, total];
      },
    });
    assert.equal(r.relaxedAvailable, true);
    assert.deepEqual(last, [5 * 2 * 4, 5 * 2 * 4]);
    assert.deepEqual(
      r.rows.map((x) => `${x.variant}:${x.format}`),
      ['simd128:fp32', 'simd128:bf16', 'simd128:mxfp4', 'simd128:deepseek-fp8']
        .flatMap((s) => [s])
        .concat(['relaxed:fp32', 'relaxed:bf16', 'relaxed:mxfp4', 'relaxed:deepseek-fp8']),
    );
    for (const x of r.rows) {
      assert.ok(x.ms > 0 && x.calls >= 5 && x.elementsPerSec > 0 && x.GBps > 0 && x.speedup > 0, x.format);
      assert.ok(Math.abs(x.GBps * 1e9 - x.elementsPerSec * x.bytesPerElement) < 1e-6 * x.GBps * 1e9);
    }
    const fp32 = r.rows.find((x) => x.format === 'fp32')!;
    assert.equal(fp32.speedup, 1);
    assert.equal(fp32.bytesRatio, 1);
    assert.equal(fp32.activations, 'f32');
    const mx = r.rows.find((x) => x.format === 'mxfp4')!;
    assert.equal(mx.activations, 'int8');
    assert.ok(mx.bytesRatio > 5 && mx.bytesRatio < 7); // 4 B vs 0.5 B + scales, K padded
  });

  test('only the asked builds; fp32 measured but not listed unless asked', async () => {
    const r = await liveGemvBenchmark({ n: 8, k: 64, ms: 5, formats: ['int8'], variants: ['simd128'] });
    assert.deepEqual(
      r.rows.map((x) => `${x.variant}:${x.format}`),
      ['simd128:int8'],
    );
  });

  test('bad input is rejected before any work', async () => {
    for (const o of [
      { n: 0 },
      { k: 1.5 },
      { n: 100000 },
      { n: 16384, k: 16384 },
      { ms: 0 },
      { formats: ['__proto__'] },
      { formats: ['fp5'] },
    ])
      await assert.rejects(liveGemvBenchmark(o as never), /./, JSON.stringify(o));
    assert.ok(16384 * 16384 > LIVE_MAX_ELEMENTS);
  });
});
