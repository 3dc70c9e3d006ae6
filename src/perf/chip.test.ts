import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultCatalog } from '../catalog/node.js';
import { attentionPath, chipSpec, gemmPath, systemSpec } from './chip.js';
import { getFormat } from './formats.js';
import { defaultPerfData } from './node.js';

const cat = defaultCatalog();
const data = defaultPerfData();
const chip = (id: string) => chipSpec(data, cat.getAccelerator(id));
const f = getFormat;

describe('chips and compute paths', () => {
  it('dequantises FP8 to BF16 on Ascend 910C and says so', () => {
    const p = gemmPath(chip('910c'), f('fp8-1x128-ue8m0'), f('bf16'), 'bf16');
    assert.equal(p.kind, 'bf16');
    assert.equal(p.peakTflops, 780);
    assert.equal(p.weightStorage.id, 'fp8-1x128-ue8m0');
    assert.match(p.label, /dequantised to bf16 \(ascend-910c has no fp8 matrix unit\)/);
  });

  it('or requantises FP8 to INT8, which changes the stored bytes too', () => {
    const p = gemmPath(chip('910c'), f('fp8'), f('fp8'), 'int8');
    assert.equal(p.kind, 'int8');
    assert.equal(p.peakTflops, 1504);
    assert.equal(p.weightStorage.id, 'int8');
    assert.match(p.label, /requantised to int8/);
  });

  it('runs block FP8 natively on Hopper with scales in software, and MX in hardware on Blackwell and Ascend 950', () => {
    const h = gemmPath(chip('h800'), f('fp8-128x128-fp32'), f('fp8-1x128-fp32'), 'bf16');
    assert.equal(h.kind, 'fp8');
    assert.equal(h.scaleFactor, 0.95);
    assert.match(h.label, /software/);
    const b = gemmPath(chip('b200'), f('mxfp8'), f('mxfp8'), 'bf16');
    assert.equal(b.scaleFactor, 1);
    assert.match(b.label, /hardware/);
    const a = gemmPath(chip('ascend-950dt'), f('fp8-1x128-ue8m0'), f('fp8-1x128-ue8m0'), 'bf16');
    assert.equal(a.kind, 'fp8');
    assert.equal(a.scaleFactor, 1);
    assert.equal(gemmPath(chip('b200'), f('nvfp4'), f('nvfp4'), 'bf16').kind, 'fp4');
  });

  it('runs a GEMM at the wider operand (W8A16 at BF16 rate)', () => {
    assert.equal(gemmPath(chip('h100'), f('int8'), f('bf16'), 'bf16').kind, 'bf16');
    assert.equal(gemmPath(chip('h100'), f('mxfp4'), f('fp8'), 'bf16').kind, 'fp8');
  });

  it('attention runs in BF16 unless KV and activations are 8-bit on an FP8 chip', () => {
    assert.equal(attentionPath(chip('h100'), f('bf16'), f('fp8')).kind, 'bf16');
    assert.equal(attentionPath(chip('h100'), f('fp8'), f('fp8')).kind, 'fp8');
    assert.equal(attentionPath(chip('910c'), f('fp8'), f('int8')).kind, 'bf16');
  });

  it('fills unknown peaks and power from labelled assumptions', () => {
    const c = chip('ascend-950dt');
    assert.equal(c.peaks.bf16, 500);
    assert.equal(c.powerW, 800);
    assert.ok(c.assumptions.some((a) => /assumption/.test(a)));
  });

  it('splits system power into chip and overhead, and prices chip-hours', () => {
    const cm = systemSpec(data, cat, cat.getSystem('cloudmatrix-384'));
    assert.ok(Math.abs(cm.overheadWPerChip! + 800 - 559000 / 384) < 1e-9);
    assert.equal(cm.scaleUpDomain, 384);
    assert.ok(Math.abs(cm.usdPerChipHour! - 8.2e6 / 384 / (5 * 8760)) < 1e-9);
    const h800 = systemSpec(data, cat, cat.getSystem('hgx-h800-8'));
    assert.equal(h800.usdPerChipHour, 2);
    assert.equal(h800.rental, true);
  });
});
