import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  bitsPerElement,
  bytesPerElement,
  findFormat,
  formatTable,
  getFormat,
  STORAGE_FORMATS,
} from './formats.js';

describe('storage formats', () => {
  it('counts block-scale bits per element', () => {
    const bits = (id: string) => bitsPerElement(getFormat(id));
    assert.equal(bits('fp32'), 32);
    assert.equal(bits('bf16'), 16);
    assert.equal(bits('fp8'), 8);
    assert.equal(bits('int8'), 8);
    assert.equal(bits('fp8-1x128-ue8m0'), 8.0625);
    assert.equal(bits('fp8-1x128-fp32'), 8.25);
    assert.equal(bits('fp8-128x128-fp32'), 8 + 32 / 16384);
    assert.equal(bits('fp8-128x128-ue8m0'), 8 + 8 / 16384);
    assert.equal(bits('deepseek-fp8'), 8 + 8 / 16384);
    assert.equal(bits('hif8'), 8);
    assert.ok(Math.abs(bits('fp8-128x128-fp32') - 8.002) < 0.001);
    assert.equal(bits('mxfp8'), 8.25);
    assert.equal(bits('mxfp6'), 6.25);
    assert.equal(bits('mxfp4'), 4.25);
    assert.equal(bits('nvfp4'), 4.5);
    assert.equal(bits('int4'), 4.125);
    assert.equal(bytesPerElement(getFormat('nvfp4')), 0.5625);
  });

  it('derives every row from element, block and scale widths', () => {
    fc.assert(
      fc.property(fc.constantFrom(...STORAGE_FORMATS), (f) => {
        const overhead = f.block ? f.block.scaleBits / f.block.elements : 0;
        assert.equal(bitsPerElement(f), f.elementBits + overhead);
        assert.ok(bitsPerElement(f) >= f.elementBits);
      }),
    );
  });

  it('checks block byte sizes like a static_assert', () => {
    // 32 MXFP4 values: 16 bytes of nibbles + 1 E8M0 byte; 16 NVFP4 values: 8 bytes + 1 UE4M3 byte.
    assert.equal(32 * bytesPerElement(getFormat('mxfp4')), 17);
    assert.equal(16 * bytesPerElement(getFormat('nvfp4')), 9);
    assert.equal(128 * bytesPerElement(getFormat('fp8-1x128-ue8m0')), 129);
  });

  it('resolves aliases and rejects unknown names', () => {
    assert.equal(findFormat('DeepSeek FP8')?.id, 'fp8-128x128-ue8m0');
    assert.equal(findFormat('deepseek-act')?.id, 'fp8-1x128-ue8m0');
    assert.equal(findFormat('bfloat16')?.id, 'bf16');
    assert.equal(findFormat('torchao-mxfp4-rceil')?.scheme, 'torchao-mxfp4-rceil');
    assert.equal(findFormat('W8A8')?.id, 'int8');
    assert.equal(findFormat('fp7'), undefined);
    assert.throws(() => getFormat('fp7'), /unknown format "fp7"; known: fp32/);
    assert.equal(formatTable().length, STORAGE_FORMATS.length);
  });
});
