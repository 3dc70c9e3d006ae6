/**
 * The simulator's storage formats and the quantizer's schemes are written separately (the
 * simulator prices bytes; the quantizer makes them): their bits per element must agree.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getScheme, bitsPerElement as schemeBits } from '../quant/index.js';
import { bitsPerElement, getFormat } from './formats.js';

test('bits per element agree between perf formats and quant schemes', () => {
  const pairs: [string, string][] = [
    ['fp8-1x128-ue8m0', 'deepgemm-token-ue8m0'],
    ['fp8-1x128-fp32', 'deepgemm-token-fp32'],
    ['fp8-128x128-fp32', 'deepgemm-block-fp32'],
    ['mxfp8', 'torchao-mxfp8-floor'],
    ['mxfp6', 'microxcaling-mxfp6-e2m3'],
    ['mxfp4', 'torchao-mxfp4-floor'],
    ['nvfp4', 'nvfp4'],
  ];
  for (const [perf, scheme] of pairs) {
    // quant counts NVFP4's fp32 tensor scale over the tensor; perf leaves it out as negligible
    const q = schemeBits(getScheme(scheme), 1 << 20, 1 << 20);
    assert.ok(
      Math.abs(bitsPerElement(getFormat(perf)) - q) < 1e-9,
      `${perf} vs ${scheme}: ${bitsPerElement(getFormat(perf))} vs ${q}`,
    );
  }
});
