/**
 * The Performance and Compare forms' choices, as the build prepares them (perf-choices.ts): the
 * catalogue's and perf's own lists, and the pages' "auto (native 8-bit)" weights against perf's
 * (`eightBitFormat`): both read the catalogue's one rule, `nativeEightBit`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadCatalog } from '../catalog/node.js';
import { OVERLAP_KINDS, resolveSystem, STORAGE_FORMATS } from '../perf/index.js';
import { loadPerfData } from '../perf/node.js';
import { eightBitFormat } from '../perf/scenarios.js';
import { nativeEightBit, perfChoices } from './perf-choices.js';

describe('the forms’ choices prepared by the build', () => {
  const cat = loadCatalog();
  const c = perfChoices(cat);

  it('are the catalogue’s entries and perf’s lists, in their order', () => {
    assert.deepEqual(
      c.models.map((m) => m.id),
      cat.models.map((m) => m.id),
    );
    assert.deepEqual(
      c.systems.map((s) => [s.id, s.accelerator]),
      cat.systems.map((s) => [s.id, s.accelerator]),
    );
    assert.deepEqual(
      c.accelerators.map((a) => a.id),
      cat.accelerators.map((a) => a.id),
    );
    for (const m of c.models) {
      const model = cat.getModel(m.id);
      assert.equal(m.name, cat.displayName(model));
      assert.equal(m.moe, model.ffn === 'moe', m.id);
    }
    assert.ok(c.models.some((m) => m.moe) && c.models.some((m) => !m.moe));
    assert.deepEqual(
      c.formats,
      STORAGE_FORMATS.map((f) => f.id),
    );
    assert.deepEqual(c.overlapKinds, [...OVERLAP_KINDS]);
  });

  it('give the native 8-bit weight format that perf picks for every system whose chip figures are known', () => {
    const perf = loadPerfData();
    let checked = 0;
    for (const s of cat.systems) {
      let sys: ReturnType<typeof resolveSystem>;
      try {
        sys = resolveSystem(perf, cat, s.id);
      } catch {
        continue; // a figure perf needs is unknown: perf simulates nothing there
      }
      const chip = c.accelerators.find((a) => a.id === s.accelerator)!;
      assert.equal(chip.eightBit, nativeEightBit(cat.getAccelerator(s.accelerator)));
      assert.equal(chip.eightBit, eightBitFormat(sys.chip), `${s.id} (${s.accelerator})`);
      checked++;
    }
    assert.ok(checked >= 8, `only ${checked} systems checked`);
  });
});
