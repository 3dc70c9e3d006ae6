import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { CatalogError, catalogProblems, createCatalog } from './catalog.js';
import { DEFAULT_DATA_DIR, loadCatalog } from './node.js';
import { byId, type MutableCopy, shippedCopy } from './testutil.js';

/** Break a copy of the shipped data and return the problems the loader reports. */
function problemsAfter(breakIt: (c: MutableCopy) => void): string[] {
  const copy = shippedCopy();
  breakIt(copy);
  return catalogProblems(copy.data, copy.schemas);
}

/** Assert that exactly one reported problem matches (each names the file, the id and the field). */
function assertProblem(problems: string[], pattern: RegExp): void {
  const hits = problems.filter((p) => pattern.test(p));
  assert.equal(hits.length, 1, `expected one problem matching ${pattern}, got:\n${problems.join('\n')}`);
}

describe('schema validation', () => {
  it('passes for the shipped data', () => {
    assert.deepEqual(
      problemsAfter(() => {}),
      [],
    );
  });

  it('names id and field for a wrongly typed value', () => {
    const p = problemsAfter((c) => {
      (byId(c.accelerators, 'h100-sxm').figures.bf16DenseTflops as { value: unknown }).value = '989';
    });
    assertProblem(p, /^accelerators\.json: h100-sxm: figures\.bf16DenseTflops\.value must be number,null$/);
  });

  it('requires source, date and confidence on every figure', () => {
    const p = problemsAfter((c) => {
      const f = byId(c.accelerators, 'h20').figures.tdpW as Partial<{ source: string }>;
      delete f.source;
    });
    assertProblem(p, /^accelerators\.json: h20: figures\.tdpW\.source is required$/);
  });

  it('requires every accelerator figure key', () => {
    const p = problemsAfter((c) => {
      delete (byId(c.accelerators, 'b200').figures as Partial<Record<string, unknown>>).priceUsd;
    });
    assertProblem(p, /^accelerators\.json: b200: figures\.priceUsd is required$/);
  });

  it('rejects an unknown confidence level, listing the allowed ones', () => {
    const p = problemsAfter((c) => {
      (byId(c.systems, 'gb200-nvl72').figures.allInPowerKW as { confidence: string }).confidence = 'rumour';
    });
    assertProblem(
      p,
      /^systems\.json: gb200-nvl72: figures\.allInPowerKW\.confidence must be one of "vendor", .*"unknown"$/,
    );
  });

  it('rejects unknown fields and malformed dates', () => {
    const p = problemsAfter((c) => {
      const m = byId(c.models, 'llama-3.1-8b');
      (m.config as unknown as Record<string, unknown>).numLayers = 32;
      m.totalParamsB.date = '24 July 2024';
      (byId(c.accelerators, 'h100-sxm').figures.tdpW as unknown as Record<string, unknown>).dist =
        'triangular';
    });
    assertProblem(p, /^accelerators\.json: h100-sxm: figures\.tdpW\.dist is not a known field$/);
    assertProblem(p, /^models\.json: llama-3\.1-8b: config\.numLayers is not a known field$/);
    assertProblem(p, /^models\.json: llama-3\.1-8b: totalParamsB\.date must match pattern/);
  });

  it('rejects an id that is not in canonical form', () => {
    const p = problemsAfter((c) => {
      byId(c.accelerators, 'mi300x').id = 'AMD MI300X';
    });
    assert.ok(
      p.some((x) => x.startsWith('accelerators.json: AMD MI300X: id must match pattern')),
      p.join('\n'),
    );
  });
});

describe('consistency checks', () => {
  it('rejects a value outside its own range', () => {
    const p = problemsAfter((c) => {
      byId(c.accelerators, 'ascend-910c').figures.bf16DenseTflops.value = 700;
    });
    assertProblem(
      p,
      /^accelerators\.json: ascend-910c: figures\.bf16DenseTflops value 700 lies outside its range 752-780$/,
    );
  });

  it('rejects non-positive figures', () => {
    const p = problemsAfter((c) => {
      byId(c.accelerators, 'h100-sxm').figures.tdpW.value = -700;
    });
    assertProblem(p, /^accelerators\.json: h100-sxm: figures\.tdpW must be positive$/);
  });

  it('requires confidence "unknown" when a figure has no number, and forbids it when it has one', () => {
    const p = problemsAfter((c) => {
      byId(c.accelerators, 'mi300x').figures.tdpW.value = null;
      byId(c.accelerators, 'mlu690').figures.tdpW.value = 300;
    });
    assertProblem(
      p,
      /^accelerators\.json: mi300x: figures\.tdpW has no number, so its confidence must be "unknown"/,
    );
    assertProblem(p, /^accelerators\.json: mlu690: figures\.tdpW has a number but confidence "unknown"$/);
  });

  it('catches unit slips with plausibility bounds', () => {
    const p = problemsAfter((c) => {
      byId(c.accelerators, 'h100-sxm').figures.hbmBandwidthTBps.value = 3350;
    });
    assertProblem(
      p,
      /^accelerators\.json: h100-sxm: figures\.hbmBandwidthTBps 3350 is outside the plausible 0\.1-50$/,
    );
  });

  it('requires lower precision to be at least as fast', () => {
    const p = problemsAfter((c) => {
      byId(c.accelerators, 'b200').figures.fp8DenseTflops.value = 2000;
    });
    assertProblem(
      p,
      /^accelerators\.json: b200: figures\.fp8DenseTflops 2000 is below bf16DenseTflops 2250$/,
    );
  });

  it('keeps formats and figures in agreement', () => {
    const p = problemsAfter((c) => {
      byId(c.accelerators, 'ascend-910c').formats.native.push('fp8-e4m3');
      byId(c.accelerators, 'h100-sxm').formats.mxBlockScaleInHardware = true;
    });
    assertProblem(p, /^accelerators\.json: ascend-910c: formats lists an FP8 format but .* notSupported$/);
    assertProblem(
      p,
      /^accelerators\.json: h100-sxm: formats says MX scales in hardware but lists no MX-scaled format$/,
    );
  });

  it('accepts only native formats the registry (or catalog/formats.ts) defines', () => {
    const p = problemsAfter((c) => {
      byId(c.accelerators, 'h100-sxm').formats.native.push('fp7-made-up');
      byId(c.accelerators, 'b200').formats.native.push('constructor');
    });
    assertProblem(
      p,
      /^accelerators\.json: h100-sxm: formats\.native "fp7-made-up" is not a registered format/,
    );
    assertProblem(p, /^accelerators\.json: b200: formats\.native "constructor" is not a registered format/);
  });

  it('refuses assumptions in catalogue figures and facts', () => {
    const p = problemsAfter((c) => {
      Object.assign(byId(c.accelerators, 'ascend-910c').figures.tdpW, {
        value: 600,
        confidence: 'assumption',
        note: 'a guess',
      });
      byId(c.accelerators, 'h20').process.confidence = 'assumption';
      (byId(c.accelerators, 'h20').process as { note?: string }).note = 'basis';
    });
    assertProblem(p, /^accelerators\.json: ascend-910c: figures\.tdpW is an assumption/);
    assertProblem(p, /^accelerators\.json: h20: process is an assumption/);
  });

  it('requires a scale-up domain no larger than the system', () => {
    const p = problemsAfter((c) => {
      byId(c.systems, 'hgx-h100-8').figures.scaleUpDomainChips = {
        value: 16,
        source: 'test',
        date: '2025-01',
        confidence: 'vendor',
      };
    });
    assertProblem(
      p,
      /^systems\.json: hgx-h100-8: figures\.scaleUpDomainChips must be a whole number no larger/,
    );
  });

  it('rejects duplicate ids and alias collisions', () => {
    const p = problemsAfter((c) => {
      byId(c.accelerators, 'a800-sxm').id = 'a100-sxm';
      byId(c.accelerators, 'h800-sxm').aliases.push('h100');
      byId(c.models, 'gpt-oss-20b').aliases.push('cm384');
    });
    assertProblem(p, /^accelerators\.json: a100-sxm: id is also used by accelerators\.json a100-sxm$/);
    assertProblem(
      p,
      /^accelerators\.json: h800-sxm: alias "h100" is already taken by accelerators\.json h100-sxm$/,
    );
    assertProblem(
      p,
      /^models\.json: gpt-oss-20b: alias "cm384" is already taken by systems\.json cloudmatrix-384$/,
    );
  });

  it('requires systems to name a known accelerator', () => {
    const p = problemsAfter((c) => {
      byId(c.systems, 'hgx-h20-8').accelerator = 'h20-pcie';
    });
    assertProblem(p, /^systems\.json: hgx-h20-8: accelerator "h20-pcie" is not a canonical accelerator id$/);
  });

  it('requires system totals to match chips x the per-chip figure', () => {
    const p = problemsAfter((c) => {
      byId(c.systems, 'cloudmatrix-384').figures.bf16DensePflops!.value = 900;
    });
    assertProblem(
      p,
      /^systems\.json: cloudmatrix-384: figures\.bf16DensePflops 900-900 disagrees with 384 x ascend-910c/,
    );
  });

  it('requires all-in power to cover the chips', () => {
    const p = problemsAfter((c) => {
      const f = byId(c.systems, 'hgx-h100-8').figures.allInPowerKW;
      f.value = 4;
    });
    assertProblem(p, /^systems\.json: hgx-h100-8: figures\.allInPowerKW 4 is below 8 chips x 700 W$/);
  });

  it('checks model configs for internal consistency', () => {
    const p = problemsAfter((c) => {
      byId(c.models, 'qwen3-235b-a22b').config.activeExperts = 300;
      byId(c.models, 'llama-3.1-70b').config.kvHeads = 7;
      byId(c.models, 'deepseek-v3').config.kvLoraRank = null;
    });
    assertProblem(p, /^models\.json: qwen3-235b-a22b: config\.activeExperts exceeds config\.routedExperts$/);
    assertProblem(
      p,
      /^models\.json: llama-3\.1-70b: config\.attentionHeads must be a multiple of config\.kvHeads$/,
    );
    assertProblem(p, /^models\.json: deepseek-v3: config\.kvLoraRank is required for MLA$/);
  });
});

describe('createCatalog and loadCatalog errors', () => {
  it('throws a CatalogError listing the problems', () => {
    const copy = shippedCopy();
    byId(copy.accelerators, 'h20').figures.hbmCapacityGB.value = 0;
    assert.throws(
      () => createCatalog(copy.data, copy.schemas),
      (err: unknown) => {
        assert.ok(err instanceof CatalogError);
        assert.equal(err.problems.length, 1);
        assert.match(
          err.message,
          /1 problem\):\n {2}accelerators\.json: h20: figures\.hbmCapacityGB must be positive/,
        );
        return true;
      },
    );
  });

  it('names the file when a data file is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chipstack-catalog-'));
    try {
      cpSync(new URL(DEFAULT_DATA_DIR), dir, { recursive: true });
      const file = join(dir, 'systems.json');
      writeFileSync(file, readFileSync(file, 'utf8').slice(0, 100));
      assert.throws(() => loadCatalog(pathToFileURL(dir)), /systems\.json: not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
