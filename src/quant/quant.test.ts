/**
 * Regression vectors (formats.md sections 1.3, 3, 4, 5), packing layouts, properties of block
 * scaling, and bad input.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  analyze,
  bitsPerElement,
  dequantize,
  getScheme,
  mxScheme,
  packFp4,
  packUe8m0,
  quantize,
  repackFp4,
  SCHEMES,
  synthetic,
  unpackFp4,
  unpackUe8m0,
} from './index.js';

function block(values: number[], n: number): Float32Array {
  const a = new Float32Array(n);
  values.forEach((v, i) => {
    a[i] = v;
  });
  return a;
}
function run(name: string, values: number[], n = 32) {
  const q = quantize(block(values, n), [n], getScheme(name));
  return { q, d: dequantize(q) };
}

describe('vectors from the reference notes', () => {
  test('MX (formats.md 1.3)', () => {
    let r = run('microxcaling-mxfp8-e4m3', [1000]);
    assert.equal(r.q.scaleCodes![0], 0x80);
    assert.equal(r.q.codes[0], 0x7e);
    assert.equal(r.d[0], 896);
    r = run('torchao-mxfp4-floor', [5.0, -0.3, 1.25, 0]);
    assert.equal(r.q.scaleCodes![0], 0x7f);
    assert.deepEqual([...r.q.codes.slice(0, 4)], [0x6, 0x9, 0x2, 0x0]);
    assert.deepEqual([...r.d.slice(0, 4)], [4, -0.5, 1, 0]);
    r = run('microxcaling-mxfp4', [5.0, -0.3, 1.25, 0]);
    assert.deepEqual([...r.q.codes.slice(0, 4)], [0x7, 0x9, 0x3, 0x0]);
    assert.deepEqual([...r.d.slice(0, 4)], [6, -0.5, 1.5, 0]);
    r = run('torchao-mxfp4-floor', [7]);
    assert.equal(r.q.codes[0], 0x7);
    r = run('triton-mxfp4', [7]);
    assert.equal(r.q.scaleCodes![0], 0x80);
    assert.equal(r.d[0], 8);
    r = run('microxcaling-mxfp4', []);
    assert.equal(r.q.scaleCodes![0], 0x00);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      r = run('microxcaling-mxfp8-e4m3', [1, bad]);
      assert.equal(r.q.scaleCodes![0], 0xff);
      assert.ok(r.d.every((v) => Number.isNaN(v)));
    }
  });
  test('gpt-oss packing of [5.0, -0.3, 1.25, 0] with RNE is 0x96, 0x02', () => {
    const r = run('torchao-mxfp4-floor', [5.0, -0.3, 1.25, 0]);
    assert.deepEqual([...packFp4(r.q.codes, 'gpt-oss').slice(0, 2)], [0x96, 0x02]);
  });
  test('DeepSeek UE8M0 activations (formats.md 3)', () => {
    let r = run('deepgemm-token-ue8m0', [448], 128);
    assert.equal(r.q.scales[0], 1);
    assert.equal(r.q.codes[0], 0x7e);
    r = run('deepgemm-token-ue8m0', [449], 128);
    assert.equal(r.q.scales[0], 2);
    assert.equal(r.q.codes[0], 0x76);
    r = run('deepseek-v3-act-ue8m0', [1000], 128);
    assert.equal(r.q.scales[0], 4);
    assert.equal(r.q.codes[0], 0x78);
    assert.equal(r.d[0], 1024);
    r = run('deepgemm-token-ue8m0', [], 128);
    assert.equal(r.q.scales[0], 2 ** -22);
  });
  test('NVFP4 (formats.md 5): tensor amax 2688 gives global scale 1; block amax 3, x=1.3 -> 1.5', () => {
    const x = new Float32Array(32);
    x[0] = 2688;
    x[16] = 3;
    x[17] = 1.3;
    const q = quantize(x, [32], getScheme('nvfp4'));
    assert.equal(q.globalScale, 1);
    assert.equal(q.scaleCodes![1], 0x30);
    assert.equal(q.codes[17], 0x5);
    assert.equal(dequantize(q)[17], 1.5);
  });
});

describe('bits per element include the scales', () => {
  test('the figures the simulator uses', () => {
    assert.equal(bitsPerElement(getScheme('torchao-mxfp4-floor')), 4.25);
    assert.equal(bitsPerElement(getScheme('nvfp4'), 4096, 4096), 4.5 + 32 / 4096 ** 2);
    assert.equal(bitsPerElement(getScheme('deepgemm-token-ue8m0')), 8.0625);
    assert.equal(bitsPerElement(getScheme('deepgemm-token-fp32')), 8.25);
    assert.equal(bitsPerElement(getScheme('deepgemm-block-fp32')), 8 + 32 / 16384);
    assert.equal(bitsPerElement(getScheme('int8-q8_0')), 8.5);
  });
});

describe('packing', () => {
  test('FP4 round trips in both orders and converts losslessly between them', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 15 }), { minLength: 32, maxLength: 32 * 4 }),
        (codes0) => {
          const codes = Uint8Array.from(codes0.slice(0, codes0.length - (codes0.length % 32)));
          const a = packFp4(codes, 'gpt-oss');
          const b = packFp4(codes, 'ggml');
          assert.deepEqual(unpackFp4(a, 'gpt-oss'), codes);
          assert.deepEqual(unpackFp4(b, 'ggml'), codes);
          assert.deepEqual(repackFp4(a, 'gpt-oss', 'ggml'), b);
          assert.deepEqual(repackFp4(b, 'ggml', 'gpt-oss'), a);
        },
      ),
    );
    // ggml: byte j holds elements j and j+16
    const codes = new Uint8Array(32).map((_, i) => i % 16);
    assert.equal(packFp4(codes, 'ggml')[1], 1 | (1 << 4));
    assert.equal(packFp4(codes, 'gpt-oss')[1], 2 | (3 << 4));
    assert.throws(() => packFp4(Uint8Array.of(16, 0)), /not a 4-bit code/);
    assert.throws(() => packFp4(new Uint8Array(16), 'ggml'), /multiple of 32/);
  });
  test('UE8M0 scales pack four to an int32, little-endian along K', () => {
    const s = Uint8Array.of(0x7f, 0x80, 0x81, 0x82, 0x7e, 1, 2, 3, 4, 5);
    const w = packUe8m0(s, 2, 5);
    assert.equal(w.length, 4);
    assert.equal(w[0], 0x8281807f | 0); // bytes 7f 80 81 82, little-endian
    assert.deepEqual(unpackUe8m0(w, 2, 5), s);
  });
});

describe('properties of block scaling', () => {
  const pow2Schemes = [
    'microxcaling-mxfp8-e4m3',
    'torchao-mxfp4-floor',
    'torchao-mxfp8-rceil',
    'deepgemm-token-ue8m0',
    'microxcaling-mxfp6-e3m2',
  ];
  const data = fc.array(fc.float({ min: -1e4, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 300 });
  test('dequantize(quantize(x)) is within half an element step times the scale (unsaturated elements)', () => {
    for (const name of [
      'microxcaling-mxfp8-e4m3',
      'torchao-mxfp4-floor',
      'deepgemm-token-fp32',
      'microxcaling-mxfp6-e2m3',
      'nvfp4',
    ]) {
      const s = getScheme(name);
      const mb = { e4m3fn: 3, e2m1: 1, e2m3: 3 }[s.element as 'e4m3fn']!;
      const minExp = { e4m3fn: -6, e2m1: 0, e2m3: 0 }[s.element as 'e4m3fn']!;
      fc.assert(
        fc.property(data, (xs) => {
          const x = Float32Array.from(xs);
          const q = quantize(x, [x.length], s);
          const d = dequantize(q);
          const bc = s.block[1] as number;
          for (let i = 0; i < x.length; i++) {
            const sc = q.scales[Math.floor(i / bc)]!;
            const y = Math.abs(x[i]!) / sc;
            if (y > 448 || !(sc > 0)) continue;
            const e = Math.max(minExp, Math.floor(Math.log2(Math.max(y, 2 ** -30))));
            const bound = 2 ** (e - mb - 1) * sc * (1 + 1e-6) + 1e-30;
            const sat = { e4m3fn: 448, e2m1: 6, e2m3: 7.5 }[s.element as 'e4m3fn']!;
            if (y > sat) continue;
            assert.ok(Math.abs(d[i]! - x[i]!) <= bound, `${name} x=${x[i]} d=${d[i]} bound=${bound}`);
          }
        }),
        { numRuns: 100 },
      );
    }
  });
  test('quantizing a quantized tensor is lossless (power-of-two scales)', () => {
    for (const name of pow2Schemes) {
      const s = getScheme(name);
      fc.assert(
        fc.property(data, (xs) => {
          const d1 = dequantize(quantize(Float32Array.from(xs), [xs.length], s));
          const d2 = dequantize(quantize(d1, [xs.length], s));
          assert.deepEqual(d2, d1, name);
        }),
        { numRuns: 100 },
      );
    }
  });
  test('multiplying a block by 2^k shifts its E8M0 scale by k and keeps the codes', () => {
    for (const name of pow2Schemes) {
      const s = getScheme(name);
      fc.assert(
        fc.property(data, fc.integer({ min: -8, max: 8 }), (xs, k) => {
          const x = Float32Array.from(xs);
          const bc = s.block[1] as number;
          for (let b = 0; b * bc < x.length; b++) {
            if (Math.max(...x.subarray(b * bc, b * bc + bc).map(Math.abs)) < 1) return; // clear of DeepSeek's 1e-4 floor
          }
          const y = x.map((v) => v * 2 ** k);
          const qx = quantize(x, [x.length], s);
          const qy = quantize(y, [y.length], s);
          for (let b = 0; b < qx.scaleCodes!.length; b++) {
            const cx = qx.scaleCodes![b]!;
            if (cx < 30 || cx > 220) return; // keep clear of the E8M0 range ends
            assert.equal(qy.scaleCodes![b], cx + k, `${name} scale`);
          }
          assert.deepEqual(qy.codes, qx.codes, `${name} codes`);
        }),
        { numRuns: 100 },
      );
    }
  });
  test('UE8M0 scales are exact powers of two', () => {
    for (const name of Object.keys(SCHEMES)) {
      const s = SCHEMES[name]!;
      if (s.scaleStorage !== 'e8m0') continue;
      const x = synthetic('outliers', 8, 256, 3);
      const q = quantize(x, [8, 256], s);
      for (const v of q.scales) assert.equal(2 ** Math.round(Math.log2(v)), v, `${name}: ${v}`);
    }
  });
});

describe('error analysis', () => {
  test('tiles keep rows that a per-tensor scale flushes; UE8M0 costs little; fewer bits cost SQNR', () => {
    // rows spanning 2^0 .. 2^-21 (amax ~400 down to ~2e-4, above DeepSeek's 1e-4 floor):
    // one per-tensor scale cannot serve them all
    const rows = 15;
    const cols = 256;
    const x = synthetic('gaussian', rows, cols, 11).map(
      (v, i) => v * 5000 * 2 ** (-1.5 * Math.floor(i / cols)),
    );
    const shape = [rows, cols];
    const tile = analyze(x, shape, getScheme('deepgemm-token-fp32'));
    const tensor = analyze(x, shape, getScheme('fp8-per-tensor'));
    assert.ok(
      tensor.flushedToZero > 0.1 && tile.flushedToZero < 0.01,
      `${tensor.flushedToZero} ${tile.flushedToZero}`,
    );
    const y = synthetic('outliers', 64, 512, 11);
    const sq = (n: string) => analyze(y, [64, 512], getScheme(n)).sqnrDb;
    // an fp32 tile scale maps each block's largest element (here, the outlier) exactly to 448;
    // a UE8M0 scale rounds it, so it loses SQNR on outlier-dominated data
    assert.ok(sq('deepgemm-token-fp32') > sq('deepgemm-token-ue8m0') + 3);
    assert.ok(sq('int8-q8_0') > sq('torchao-mxfp8-floor'));
    assert.ok(sq('torchao-mxfp8-floor') > sq('torchao-mxfp4-floor') + 10);
    const a = analyze(y, [64, 512], getScheme('torchao-mxfp4-floor'));
    assert.equal(a.bitsPerElement, 4.25);
    assert.ok(a.saturated > 0 && a.saturated < 0.1, `MXFP4 floor clips some block maxima: ${a.saturated}`);
    assert.ok(a.mse > 0 && Number.isFinite(a.sqnrDb));
  });
  test('synthetic data is seeded', () => {
    assert.deepEqual(synthetic('student-t', 4, 8, 5), synthetic('student-t', 4, 8, 5));
    assert.notDeepEqual(synthetic('laplace', 4, 8, 5), synthetic('laplace', 4, 8, 6));
  });
});

describe('bad input', () => {
  test('shapes, lengths and schemes are checked', () => {
    const s = getScheme('mxfp4');
    assert.throws(() => quantize(new Float32Array(6), [2, 2], s), /holds 4 elements, data has 6/);
    assert.throws(() => quantize(new Float32Array(4), [2, Number.NaN], s), /not a non-negative integer/);
    assert.throws(() => quantize(new Float32Array(4), [], s), /at least one dimension/);
    assert.throws(() => getScheme('mxfp5'), /unknown scheme "mxfp5"/);
    assert.throws(
      () => quantize(new Float32Array(4), [4], { ...s, block: [1, 0] }),
      /block cols must be a positive integer/,
    );
    assert.throws(
      () => quantize(new Float32Array(4), [4], { ...s, scaleStorage: 'f32' }),
      /MX scales are stored as e8m0/,
    );
    assert.throws(
      () => quantize(new Float32Array(4), [4], mxScheme('e4m3fn', 'mx-ggml', {})),
      /mx-ggml is for e2m1/,
    );
  });
});
