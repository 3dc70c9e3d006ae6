/**
 * A NaN element's code does not depend on whether V8 has optimised the quantizer: the sign of a
 * NaN product is not fixed in JavaScript, so the quantizer takes the sign bit from the input.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getScheme, quantize } from './index.js';

test('NaN elements keep the input sign on every run (interpreted and optimised)', () => {
  for (const name of ['deepgemm-block-fp32', 'deepgemm-token-fp32', 'fp8-per-channel']) {
    const s = getScheme(name);
    const x = new Float32Array(128 * 128);
    for (let i = 0; i < x.length; i++) x[i] = Math.sin(i);
    const bits = new Uint32Array(x.buffer);
    bits[5] = 0xffc00000; // -NaN
    bits[700] = 0x7fc00000; // +NaN
    const seen = new Set<string>();
    for (let run = 0; run < 400; run++) {
      const q = quantize(x, [128, 128], s);
      seen.add(`${q.codes[5]},${q.codes[700]}`);
    }
    // E4M3FN: 0xFF is -NaN, 0x7F is +NaN
    assert.deepEqual([...seen], ['255,127'], name);
  }
});
