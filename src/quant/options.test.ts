/**
 * quantize's options: NVFP4's global scale given from outside (a slab of a larger tensor), and
 * the reduction axis for rank > 2 shapes. Oracles: the whole-tensor result, and explicit
 * transposes written out in the test.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { synthetic } from './analyze.js';
import { getScheme } from './presets.js';
import {
  AmbiguousShapeError,
  dequantize,
  nvfp4GlobalScale,
  QuantizeOptionError,
  quantize,
  tensorAmax,
} from './quantize.js';

describe('global scale option', () => {
  test('slabs quantized with the whole tensor’s global scale equal the whole tensor', () => {
    const s = getScheme('nvfp4');
    const rows = 24;
    const cols = 64;
    const x = synthetic('outliers', rows, cols, 5);
    const whole = quantize(x, [rows, cols], s);
    const g = nvfp4GlobalScale(tensorAmax(x));
    assert.equal(whole.globalScale, g);
    for (const [r0, r1] of [
      [0, 5],
      [5, 17],
      [17, 24],
    ] as const) {
      const slab = quantize(x.subarray(r0 * cols, r1 * cols), [r1 - r0, cols], s, { globalScale: g });
      assert.equal(slab.globalScale, g);
      assert.deepEqual(slab.codes, whole.codes.subarray(r0 * cols, r1 * cols));
      assert.deepEqual(slab.scaleCodes, whole.scaleCodes!.subarray((r0 * cols) / 16, (r1 * cols) / 16));
    }
  });
  test('refused where it does not apply or is not a positive finite number', () => {
    const x = new Float32Array(32).fill(1);
    assert.throws(() => quantize(x, [32], getScheme('mxfp4'), { globalScale: 2 }), QuantizeOptionError);
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => quantize(x, [32], getScheme('nvfp4'), { globalScale: bad }), QuantizeOptionError);
    }
  });
});

/** [a, b, c] row-major → the same values with axis 1 moved last: [a, c, b]. */
function moveMiddleLast(x: Float32Array, a: number, b: number, c: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < a; i++)
    for (let j = 0; j < b; j++)
      for (let k = 0; k < c; k++) out[(i * c + k) * b + j] = x[(i * b + j) * c + k]!;
  return out;
}

describe('reduction axis', () => {
  test('a rank > 2 shape needs an axis unless the scheme is per-tensor', () => {
    const x = synthetic('gaussian', 4, 64, 1);
    assert.throws(() => quantize(x, [2, 2, 64], getScheme('mxfp8')), AmbiguousShapeError);
    assert.throws(() => quantize(x, [2, 2, 64], getScheme('deepseek-fp8')), /give the reduction axis/);
    assert.throws(() => quantize(x, [2, 2, 64], getScheme('mxfp8'), { axis: 3 }), QuantizeOptionError);
    assert.throws(() => quantize(x, [2, 2, 64], getScheme('mxfp8'), { axis: 1.5 }), QuantizeOptionError);
    const t = quantize(x, [2, 2, 64], getScheme('fp8-per-tensor'));
    assert.deepEqual(t.codes, quantize(x, [256], getScheme('fp8-per-tensor')).codes);
  });
  test('axis -1 is the matrices of the last two dimensions', () => {
    const x = synthetic('laplace', 6, 64, 2);
    const s = getScheme('mxfp4');
    assert.deepEqual(quantize(x, [2, 3, 64], s, { axis: -1 }).codes, quantize(x, [6, 64], s).codes);
  });
  test('another axis equals quantizing the explicit transpose, codes in the input order', () => {
    const [a, b, c] = [2, 64, 3]; // [experts, K, N]: blocks run along K (axis 1)
    const x = synthetic('student-t', a * b, c, 3);
    for (const name of ['mxfp8', 'deepgemm-token-fp32', 'nvfp4']) {
      const s = getScheme(name);
      const q = quantize(x, [a, b, c], s, { axis: 1 });
      const t = quantize(moveMiddleLast(x, a, b, c), [a, c, b], s, { axis: -1 });
      assert.deepEqual(q.scales, t.scales, name);
      assert.deepEqual(q.scaleShape, t.scaleShape, name);
      // codes come back in x's order: moving them the same way gives the transpose's codes
      const codesMoved = moveMiddleLast(Float32Array.from(q.codes), a, b, c);
      assert.deepEqual(Uint8Array.from(codesMoved), t.codes, name);
      const d = dequantize(q);
      assert.deepEqual(moveMiddleLast(d, a, b, c), dequantize(t), name);
    }
  });
});

test('analyze takes the axis for a rank > 2 tensor', async () => {
  const { analyze } = await import('./analyze.js');
  const x = synthetic('gaussian', 4, 64, 9);
  assert.throws(() => analyze(x, [2, 2, 64], getScheme('mxfp4')), AmbiguousShapeError);
  const r = analyze(x, [2, 2, 64], getScheme('mxfp4'), { axis: -1 });
  assert.deepEqual(r, analyze(x, [4, 64], getScheme('mxfp4')));
});
