import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultCatalog } from '../catalog/node.js';
import {
  attentionPath,
  chipSpec,
  gemmPath,
  nativeKind,
  parseAssume,
  resolveSystem,
  systemSpec,
  withAssumed,
} from './chip.js';
import { getFormat } from './formats.js';
import { defaultPerfData } from './node.js';
import { simulate } from './simulate.js';

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

  it('names the unpublished peak of a native unit instead of falling back (INT8 on MetaX C500, B300)', () => {
    // the catalogue lists int8 as native on both and publishes no INT8 peak for either
    for (const id of ['metax-c500', 'b300']) {
      assert.ok(cat.getAccelerator(id).formats.native.includes('int8'));
      assert.equal(cat.getAccelerator(id).figures.int8DenseTops?.value ?? null, null);
      assert.throws(
        () => gemmPath(chip(id), f('int8'), f('int8'), 'bf16'),
        new RegExp(
          `^RangeError: ${id}: published figure int8DenseTops is unknown .*--assume int8DenseTops=VALUE`,
        ),
      );
    }
    // a unit the chip does not have still falls back, and says so
    assert.match(gemmPath(chip('910c'), f('fp8'), f('bf16'), 'bf16').label, /has no fp8 matrix unit/);
  });

  it('every missing-figure message suggests a figure --assume accepts', () => {
    let messages = 0;
    for (const acc of cat.accelerators) {
      let spec: ReturnType<typeof chipSpec>;
      try {
        spec = chipSpec(data, acc);
      } catch (e) {
        assertAssumable((e as Error).message);
        messages++;
        continue;
      }
      for (const w of ['bf16', 'fp16', 'fp8', 'int8', 'int4', 'nvfp4', 'mxfp4', 'mxfp6', 'fp32'])
        for (const fb of ['bf16', 'int8'] as const) {
          try {
            gemmPath(spec, f(w), f('bf16'), fb);
          } catch (e) {
            assertAssumable((e as Error).message);
            messages++;
          }
        }
    }
    assert.ok(messages > 5, `only ${messages} messages checked`);
    function assertAssumable(m: string) {
      const hint = /--assume (\w+)=VALUE/.exec(m);
      assert.ok(hint, m);
      assert.doesNotThrow(() => parseAssume([`${hint[1]}=1`]), m);
    }
    // and assuming the suggested figure removes that failure (Ascend 960 has no BF16 listing)
    const a960 = cat.getAccelerator('ascend-960');
    const fails = () => gemmPath(chipSpec(data, a960), f('fp8'), f('bf16'), 'bf16');
    const hint = /--assume (\w+)=VALUE/.exec(
      (() => {
        try {
          fails();
          return '';
        } catch (e) {
          return (e as Error).message;
        }
      })(),
    )!;
    assert.equal(hint[1], 'bf16DenseTflops');
    const fixed = chipSpec(data, withAssumed(a960, parseAssume([`${hint[1]}=500`])));
    assert.equal(gemmPath(fixed, f('fp8'), f('bf16'), 'bf16').kind, 'bf16');
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

  it('attention runs in BF16 unless the KV cache is FP8 and activations 8-bit or narrower on an FP8 chip', () => {
    assert.equal(attentionPath(chip('h100'), f('bf16'), f('fp8')).kind, 'bf16');
    assert.equal(attentionPath(chip('h100'), f('fp8'), f('fp8')).kind, 'fp8');
    assert.equal(attentionPath(chip('910c'), f('fp8'), f('int8')).kind, 'bf16');
    // NVFP4 activations with an FP8 KV cache: FP8 attention (SGLang GB200 Part II); BF16 KV stays BF16.
    assert.equal(attentionPath(chip('b200'), f('fp8'), f('nvfp4')).kind, 'fp8');
    assert.equal(attentionPath(chip('b200'), f('bf16'), f('nvfp4')).kind, 'bf16');
    assert.equal(attentionPath(chip('b200'), f('fp8'), f('bf16')).kind, 'bf16');
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

  it('reads native formats from the registry: the same kinds as the hand table it replaced', () => {
    // The literal table chip.ts had before the catalogue's native names came from the registry.
    const before: Record<string, string | null> = {
      fp32: 'fp32',
      tf32: null,
      fp16: 'fp16',
      bf16: 'bf16',
      'fp8-e4m3': 'fp8',
      'fp8-e5m2': 'fp8',
      'fp8-e4m3fnuz': 'fp8',
      'fp8-e5m2fnuz': 'fp8',
      fp8: 'fp8',
      hif8: 'fp8',
      mxfp8: 'fp8',
      mxfp6: 'fp6',
      mxfp4: 'fp4',
      nvfp4: 'fp4',
      hif4: 'fp4',
      int8: 'int8',
      int4: 'int4',
    };
    for (const [name, kind] of Object.entries(before)) assert.equal(nativeKind(name), kind, name);
    for (const a of cat.accelerators)
      for (const n of a.formats.native) assert.ok(n in before, `${a.id} lists ${n}: add it to this oracle`);
    assert.equal(nativeKind('constructor'), null);
    assert.equal(chip('b200').nvfp4Hardware, true);
    assert.equal(chip('h100').nvfp4Hardware, false);
    assert.equal(chip('ascend-950dt').nvfp4Hardware, false);
  });

  it('marks --assume figures as assumptions with a note', () => {
    const a = withAssumed(cat.getAccelerator('kunlunxin-p800'), parseAssume(['hbmBandwidthTBps=2']));
    const f = a.figures.hbmBandwidthTBps;
    assert.equal(f.value, 2);
    assert.equal(f.confidence, 'assumption');
    assert.equal(f.note, 'given with --assume');
  });

  it('refuses an --assume figure over 100 x the largest the catalogue publishes, naming it', () => {
    // the bound, recomputed here by brute force over the catalogue
    const top = (k: 'hbmBandwidthTBps' | 'tdpW') =>
      Math.max(
        ...cat.accelerators.map((a) => {
          const f = a.figures[k];
          return f && !f.notSupported ? (f.high ?? f.value ?? 0) : 0;
        }),
      );
    for (const k of ['hbmBandwidthTBps', 'tdpW'] as const) {
      const t = top(k);
      assert.ok(t > 0);
      // at the bound: accepted; just over it: refused with the figure, the value and the catalogue's largest
      assert.doesNotThrow(() => resolveSystem(data, cat, 'h100:8', parseAssume([`${k}=${100 * t}`])));
      assert.throws(
        () => resolveSystem(data, cat, 'h100:8', parseAssume([`${k}=${100 * t * 1.001}`])),
        new RegExp(
          `^RangeError: --assume ${k}=.*: over 100 x the largest published ${k} in the catalogue \\(${t}, `,
        ),
      );
    }
    // a catalogue system, not only CHIP:N
    assert.throws(
      () => resolveSystem(data, cat, 'hgx-h100-8', parseAssume(['hbmBandwidthTBps=900000'])),
      /over 100 x the largest published hbmBandwidthTBps/,
    );
  });

  it("takes the system's scale-up domain, and the largest catalogued domain for CHIP:N", () => {
    assert.equal(systemSpec(data, cat, cat.getSystem('mlu370-x8-server')).scaleUpDomain, 4);
    // The MLU370-X8's only catalogued system is 8 chips, but its domain is 4.
    assert.equal(resolveSystem(data, cat, 'mlu370-x8:16').scaleUpDomain, 4);
    // Without scaleUpDomainChips the whole system is one domain.
    assert.equal(resolveSystem(data, cat, 'ascend-910c:1000').scaleUpDomain, 384);
    assert.equal(resolveSystem(data, cat, 'ascend-910c:1000', { scaleUpDomain: 16 }).scaleUpDomain, 16);
  });

  it('stops a multi-board run when the scale-up domain is unknown, naming scaleUpDomainChips', () => {
    const assume = parseAssume([
      'hbmBandwidthTBps=2',
      'hbmCapacityGB=96',
      'bf16DenseTflops=300',
      'int8DenseTops=600',
      'scaleUpGBps=400',
      'scaleOutGBps=50',
    ]);
    const sys = resolveSystem(data, cat, 'kunlunxin-p800-cluster', assume);
    assert.equal(sys.scaleUpDomainUnknown, true);
    assert.equal(sys.scaleUpDomain, 8);
    const big = {
      model: 'deepseek-v3',
      system: 'kunlunxin-p800-cluster',
      weights: 'bf16',
      seqLen: 2048,
      assume,
    };
    assert.throws(
      () => simulate(data, cat, { ...big, phase: 'decode', batch: 8 }),
      (e: unknown) =>
        e instanceof RangeError &&
        /kunlunxin-p800-cluster: published figure scaleUpDomainChips is unknown/.test(e.message),
    );
    // One board is fine; so is a domain given with --assume.
    const small = simulate(data, cat, { ...big, model: 'llama-3.1-8b', phase: 'decode', batch: 8 });
    assert.ok(small.parallel.chips <= 8 && small.tokensPerSecPerChip > 0);
    const given = simulate(data, cat, {
      ...big,
      phase: 'decode',
      batch: 8,
      assume: { ...assume, scaleUpDomain: 32 },
    });
    assert.ok(given.parallel.chips > 8);
  });

  it("falls back to the system's scale-out per chip when the chip has no figure", () => {
    assert.equal(cat.getAccelerator('ascend-910c').figures.scaleOutGBps.value, null);
    // A test system: 8 x 910C with the HGX H100's 3.2 Tb/s of scale-out.
    const test = { ...cat.getSystem('hgx-h100-8'), id: 'test-910c-8', accelerator: 'ascend-910c' };
    const s = systemSpec(data, cat, test);
    assert.equal(s.chip.scaleOutGBps, (3.2 * 1000) / 8 / 8);
    assert.ok(
      s.assumptions.some((a) => /scale-out 50 GB\/s per chip: test-910c-8 scale-out 3.2 Tb\/s/.test(a)),
    );
    assert.equal(systemSpec(data, cat, cat.getSystem('cloudmatrix-384')).chip.scaleOutGBps, null);
  });
});
