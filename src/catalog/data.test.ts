import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { collectFigures, figureValue, isKnown } from './figure.js';
import { DEFAULT_DATA_DIR, defaultCatalog } from './node.js';
import { ACCELERATOR_FIGURE_KEYS, CONFIDENCES, type Provenance, SYSTEM_FIGURE_KEYS } from './types.js';

const cat = defaultCatalog();
const schema = (name: string) =>
  JSON.parse(readFileSync(new URL(`schema/${name}.schema.json`, DEFAULT_DATA_DIR), 'utf8')) as {
    $defs: Record<string, { required: string[]; properties: Record<string, unknown> }>;
  };
const DATE = /^\d{4}-\d{2}(-\d{2})?$/;

function assertProvenance(where: string, p: Provenance): void {
  assert.ok(p.source.length >= 3, `${where}: source`);
  assert.match(p.date, DATE, `${where}: date`);
  assert.ok(CONFIDENCES.includes(p.confidence), `${where}: confidence`);
}

describe('data contract', () => {
  it('gives every figure a source, a date and a confidence', () => {
    const sites = collectFigures(cat);
    assert.ok(sites.length > 400);
    for (const s of sites) assertProvenance(`${s.file} ${s.id} ${s.path}`, s.figure);
  });

  it('gives every text fact, format list and model config a provenance', () => {
    for (const a of cat.accelerators) {
      for (const k of ['released', 'process', 'memoryType', 'formats'] as const)
        assertProvenance(`${a.id} ${k}`, a[k]);
    }
    for (const m of cat.models) assertProvenance(`${m.id} config`, m.config);
  });

  it('marks unknowns as unknown and never leaves a number unsourced', () => {
    for (const s of collectFigures(cat)) {
      const known = isKnown(s.figure);
      assert.equal(s.figure.confidence === 'unknown', !known && !s.figure.notSupported, `${s.id} ${s.path}`);
      if (s.figure.confidence === 'unknown') assert.match(s.figure.source, /^none found/);
    }
  });

  it('keeps the TypeScript key lists equal to the schemas', () => {
    assert.deepEqual(schema('accelerators').$defs.figures!.required, [...ACCELERATOR_FIGURE_KEYS]);
    assert.deepEqual(Object.keys(schema('systems').$defs.figures!.properties), [...SYSTEM_FIGURE_KEYS]);
  });

  it('reports coverage', (t) => {
    const chipSites = collectFigures(cat).filter((s) => s.file === 'accelerators.json');
    const count = (pred: (s: (typeof chipSites)[number]) => boolean) => chipSites.filter(pred).length;
    const unknown = count((s) => s.figure.confidence === 'unknown');
    const unsupported = count((s) => !!s.figure.notSupported);
    t.diagnostic(
      `accelerator figures: ${chipSites.length} total, ${chipSites.length - unknown - unsupported} sourced numbers, ` +
        `${unsupported} not supported, ${unknown} unknown`,
    );
    for (const c of CONFIDENCES) t.diagnostic(`  ${c}: ${count((s) => s.figure.confidence === c)}`);
    // Nvidia, AMD and Google chips have published datasheets: their core figures must all be known.
    for (const a of cat.accelerators.filter((x) => ['nvidia', 'amd', 'google'].includes(x.vendor))) {
      for (const k of ['bf16DenseTflops', 'fp8DenseTflops', 'hbmCapacityGB', 'hbmBandwidthTBps'] as const) {
        assert.ok(isKnown(a.figures[k]) || a.figures[k].notSupported, `${a.id} ${k}`);
      }
    }
  });
});

describe('figures that the story rests on', () => {
  const best = (f: Parameters<typeof figureValue>[0]) => figureValue(f, 'best')!;
  const cm = cat.getSystem('cloudmatrix-384').figures;
  const nvl = cat.getSystem('gb200-nvl72').figures;

  // SemiAnalysis (2025-04-16): CM384 vs NVL72 compute 1.7x, power 3.9x, 2.3x worse FLOPs per watt.
  it('reproduces the CloudMatrix 384 vs GB200 NVL72 ratios', () => {
    const compute = best(cm.bf16DensePflops) / figureValue(nvl.bf16DensePflops)!;
    const power = figureValue(cm.allInPowerKW)! / figureValue(nvl.allInPowerKW)!;
    assert.ok(Math.abs(compute - 1.7) < 0.05, `compute ${compute}`);
    assert.ok(Math.abs(power - 3.9) < 0.05, `power ${power}`);
    assert.ok(Math.abs(power / compute - 2.3) < 0.05, `W/FLOP ${power / compute}`);
  });

  it('records that Ascend 910-series lacks FP8 while the 950 has MX scales in hardware', () => {
    assert.equal(cat.getAccelerator('910c').figures.fp8DenseTflops.notSupported, true);
    assert.equal(cat.getAccelerator('950dt').formats.mxBlockScaleInHardware, true);
    assert.equal(cat.getAccelerator('h100').formats.mxBlockScaleInHardware, false);
    assert.equal(cat.getAccelerator('b200').formats.mxBlockScaleInHardware, true);
  });

  it('has the systems the companies in the story deploy, each on its canonical chip', () => {
    const expect: [string, string, string, number][] = [
      // [alias a user types, canonical id, accelerator, chips]
      ['atlas-800-910b', 'atlas-800t-a2', 'ascend-910b', 8],
      ['atlas-800-a3', 'atlas-800t-a3', 'ascend-910c', 8],
      ['atlas-950', 'atlas-950-superpod', 'ascend-950dt', 8192],
      ['mlu370-server', 'mlu370-x8-server', 'mlu370-x8', 8],
      ['p800-cluster', 'kunlunxin-p800-cluster', 'kunlunxin-p800', 30000],
      ['mi300x-platform', 'mi300x-platform-8', 'mi300x', 8],
      ['mi355x-platform', 'mi355x-platform-8', 'mi355x', 8],
    ];
    for (const [alias, id, chip, n] of expect) {
      const s = cat.getSystem(alias);
      assert.deepEqual([s.id, s.accelerator, figureValue(s.figures.chips)], [id, chip, n], alias);
    }
    // Unknown stays unknown: Huawei has published no Atlas 950 SuperPoD power.
    const atlas950 = cat.getSystem('atlas-950-superpod').figures.allInPowerKW;
    assert.deepEqual([atlas950.value, atlas950.confidence], [null, 'unknown']);
    // An MLU-Link bridge joins 4 of the 8 cards; the P800 cluster's domain size is unpublished.
    assert.equal(figureValue(cat.getSystem('mlu370-x8-server').figures.scaleUpDomainChips), 4);
    assert.equal(cat.getSystem('kunlunxin-p800-cluster').figures.scaleUpDomainChips?.confidence, 'unknown');
  });

  it('keeps DeepSeek-V3 MLA dimensions from its config.json', () => {
    const c = cat.getModel('deepseek-v3').config;
    // Compressed KV cache per token per layer: latent plus decoupled RoPE key.
    assert.equal(c.kvLoraRank! + c.qkRopeHeadDim!, 576);
    assert.equal(c.layers - c.denseLayers!, 58);
  });

  it('keeps GQA head dims consistent with hidden sizes where the config implies it', () => {
    for (const id of ['llama-3.1-8b', 'llama-3.1-70b', 'llama-3.1-405b']) {
      const c = cat.getModel(id).config;
      assert.equal(c.headDim! * c.attentionHeads, c.hiddenSize, id);
    }
  });
});
