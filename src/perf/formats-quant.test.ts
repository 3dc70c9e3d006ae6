/**
 * perf derives its storage formats from the quant registry: every registered scheme is a storage
 * format, priced with the bits per element the quantizer's own accounting gives.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getScheme, SCHEMES, bitsPerElement as schemeBits } from '../quant/index.js';
import { bitsPerElement, findFormat, getFormat } from './formats.js';

test('every registered scheme is a perf storage format with the same bits per element', () => {
  for (const s of Object.values(SCHEMES)) {
    const f = findFormat(s.name);
    assert.ok(f, `${s.name} has no perf storage format`);
    assert.equal(f.scheme, s.name);
    // large tensor: per-tensor and per-channel scales vanish; perf leaves NVFP4's tensor scale out
    const n = 2 ** 26;
    const q = schemeBits(s, n, n) - (s.scale.kind === 'nvfp4' ? 32 / (n * n) : 0);
    assert.ok(Math.abs(bitsPerElement(f) - q) < 1e-6, `${s.name}: ${bitsPerElement(f)} vs ${q}`);
  }
});

test('deepseek-fp8 means the 128x128 UE8M0 weight tiles in perf and in quant', () => {
  assert.equal(getFormat('deepseek-fp8').scheme, getScheme('deepseek-fp8').name);
  assert.equal(getScheme('deepseek-fp8').name, 'deepgemm-block-ue8m0');
  assert.equal(getFormat('fp8-128x128-ue8m0').block?.shape, '128x128');
  assert.equal(getFormat('fp8-1x128-ue8m0').block?.shape, '1x128');
  assert.equal(getFormat('fp8-128x128-ue8m0').scaleStyle, 'mx');
});
