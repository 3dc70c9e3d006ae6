import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getScheme, quantize } from '../quant/index.js';
import { randomNormal } from './bench.js';
import { decodeRow } from './reference.js';
import { kernelModule, shareMemoryImport } from './wasm.js';
import { packFloat, packQuantized, paddedK, WEIGHT_FORMATS, weightBytes } from './weights.js';

describe('weight containers', () => {
  it('byte sizes per row and per block, as in ggml block structs', () => {
    const [n, k] = [256, 4096];
    const wf = randomNormal(n * k, 3);
    const bytes: Record<string, number> = {};
    for (const f of WEIGHT_FORMATS) bytes[f] = weightBytes(packFloat(wf, n, k, f)) / (n * k);
    assert.equal(bytes.fp32, 4);
    assert.equal(bytes.bf16, 2);
    assert.equal(bytes['deepseek-fp8'], 1 + 4 / (128 * 128));
    assert.equal(bytes.mxfp8, 1 + 4 / 32); // E8M0 scale decoded to float32 for the kernel
    assert.equal(bytes.mxfp4, 0.5 + 4 / 32);
    assert.equal(bytes.nvfp4, 0.5 + 4 / 16);
    assert.equal(bytes.int8, 1 + 4 / 32);
  });

  it('pads K to the block with zero codes and zero scales', () => {
    assert.equal(paddedK('deepseek-fp8', 129), 256);
    assert.equal(paddedK('mxfp4', 33), 64);
    assert.equal(paddedK('fp32', 1), 16);
    const w = packFloat(randomNormal(3 * 33, 1), 3, 33, 'mxfp4');
    assert.equal(w.rowBytes, 32);
    assert.equal(w.scales.length, 3 * 2);
    const row = decodeRow(w, 1);
    for (let j = 33; j < 64; j++) assert.equal(row[j], 0);
  });

  it('both FP4 nibble orders decode to the same values', () => {
    const wf = randomNormal(4 * 96, 2);
    const a = packFloat(wf, 4, 96, 'mxfp4');
    const b = packFloat(wf, 4, 96, 'mxfp4-ggml');
    assert.notDeepEqual(a.data, b.data);
    for (let r = 0; r < 4; r++) assert.deepEqual(decodeRow(a, r), decodeRow(b, r));
  });

  it('packs the quantizer output and refuses another scheme', () => {
    const wf = randomNormal(130 * 200, 4);
    const q = quantize(wf, [130, 200], getScheme('deepgemm-block-fp32'));
    const w = packQuantized(q, 'deepseek-fp8-f32');
    assert.equal(w.scaleCols, 2);
    assert.equal(w.scales.length, 2 * 2);
    assert.throws(() => packQuantized(q, 'deepseek-fp8'), RangeError);
    assert.throws(() => packFloat(wf, 3, 3, 'fp32'), RangeError);
    assert.throws(() => packFloat(wf, 130, 200, 'fp5' as never), /unknown weight format/);
  });

  it('an E4M3 NaN code makes its block scale NaN', () => {
    const wf = randomNormal(2 * 64, 5);
    const q = quantize(wf, [2, 64], getScheme('torchao-mxfp8-floor'));
    (q.codes as Uint8Array)[40] = 0x7f;
    const w = packQuantized(q, 'mxfp8');
    assert.ok(Number.isNaN(w.scales[1]!));
    assert.ok(!Number.isNaN(w.scales[0]!));
  });

  it('the shared variant differs only in the memory limits flag', () => {
    kernelModule(false);
    const mem = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
    const inst = new WebAssembly.Instance(kernelModule(true), { env: { memory: mem } });
    assert.equal(typeof inst.exports.gemv_f32, 'function');
    assert.throws(() => shareMemoryImport(Uint8Array.of(0, 97, 115, 109, 1, 0, 0, 0)), /no memory/);
  });
});
