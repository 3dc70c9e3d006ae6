/**
 * @module web/perf-choices
 * What the Performance and Compare pages' forms offer, taken from the catalogue and perf by the
 * build (scripts/build-web.mjs, as the module `chipstack:perf-choices`): model, system and chip
 * ids with their display names, whether a model has experts, each chip's native 8-bit weight
 * format, perf's storage formats, overlap kinds and assumable figures. The pages and the router read this small
 * record instead of loading and checking the whole catalogue on the page's thread: the simulator
 * (in its worker) has the catalogue itself.
 */
import { nativeEightBit as nativeEightBitOf } from '../catalog/formats.js';
import type { Accelerator, Catalog } from '../catalog/index.js';
import { ASSUMABLE_FIELDS, OVERLAP_KINDS, STORAGE_FORMATS } from '../perf/index.js';

export interface PerfChoices {
  models: { id: string; name: string; moe: boolean }[];
  systems: { id: string; name: string; accelerator: string }[];
  accelerators: { id: string; name: string; eightBit: string }[];
  /** perf's storage format ids, in its order. */
  formats: string[];
  /** perf's overlap kinds (`Workload.overlapKind`), the default first. */
  overlapKinds: string[];
  /** The figures perf's `--assume` may set (`ASSUMABLE_FIELDS`). */
  assumable: string[];
}

/** A chip's "auto" weights on the pages: its best native 8-bit format (the catalogue's one rule). */
export function nativeEightBit(acc: Accelerator): string {
  return nativeEightBitOf(acc.formats.native);
}

/** The pages' choices from a (validated) catalogue. */
export function perfChoices(cat: Catalog): PerfChoices {
  return {
    models: cat.models.map((m) => ({ id: m.id, name: cat.displayName(m), moe: m.ffn === 'moe' })),
    systems: cat.systems.map((s) => ({ id: s.id, name: cat.displayName(s), accelerator: s.accelerator })),
    accelerators: cat.accelerators.map((a) => ({
      id: a.id,
      name: cat.displayName(a),
      eightBit: nativeEightBit(a),
    })),
    formats: STORAGE_FORMATS.map((f) => f.id),
    overlapKinds: [...OVERLAP_KINDS],
    assumable: [...ASSUMABLE_FIELDS],
  };
}
