import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { readCommonSchema } from '../catalog/node.js';
import { createPerfData, PerfDataError, type PerfFiles } from './data.js';
import { DEFAULT_PERF_DIR, defaultPerfData } from './node.js';

const read = (n: string) => JSON.parse(readFileSync(new URL(n, DEFAULT_PERF_DIR), 'utf8'));
const files = (): PerfFiles => ({
  efficiency: read('efficiency.json'),
  energy: read('energy.json'),
  validation: read('validation.json'),
  schema: read('schema.json'),
  common: readCommonSchema(),
});

describe('perf data', () => {
  it('loads the shipped files', () => {
    const d = defaultPerfData();
    assert.ok(d.classes.some((c) => c.id === 'ascend-910'));
    assert.ok(d.validation.length >= 8);
    for (const c of d.classes) for (const p of c.gemm.points) assert.ok(p[1] > 0 && p[1] <= 1);
  });

  it('validates figures against the common sourced-figure schema it $refs', () => {
    const schema = read('schema.json') as { definitions: Record<string, unknown> };
    assert.deepEqual(schema.definitions.figure, { $ref: 'urn:chipstack:schema:common#/$defs/figure' });
    // A field the common figure does not know, and a date the common pattern refuses, are problems.
    const f = files();
    (f.energy as { pue: Record<string, unknown> }).pue.colour = 'red';
    (f.energy as { lifetimeYears: { date: string } }).lifetimeYears.date = '2024-13';
    assert.throws(
      () => createPerfData(f),
      (e: unknown) =>
        e instanceof PerfDataError &&
        /energy\.json: \/pue/.test(e.message) &&
        /lifetimeYears/.test(e.message),
    );
    // Without the common schema the perf schema cannot resolve its $refs.
    assert.throws(() => createPerfData({ ...files(), schema: read('schema.json'), common: {} }));
  });

  it('requires a basis for every assumption', () => {
    const f = files();
    delete (f.energy as { pue: { note?: string } }).pue.note;
    assert.throws(
      () => createPerfData(f),
      (e: unknown) => e instanceof PerfDataError && /pue/.test(e.message),
    );
  });

  it('refuses a measured metric that does not fit the setup kind', () => {
    const f = files();
    const pts = f.validation as {
      points: { id: string; setup: { kind: string }; measured: { metric: string } }[];
    };
    const inf = pts.points.find((p) => p.setup.kind === 'inference')!;
    const tr = pts.points.find((p) => p.measured.metric === 'trainingTokensPerSecPerChip')!;
    inf.measured.metric = 'trainingTokensPerSecPerChip';
    tr.measured.metric = 'outputTokensPerSecPerChip';
    assert.throws(
      () => createPerfData(f),
      (e: unknown) =>
        e instanceof PerfDataError &&
        e.message.includes(`${inf.id}: metric trainingTokensPerSecPerChip does not fit a inference setup`) &&
        e.message.includes(`${tr.id}: metric outputTokensPerSecPerChip does not fit a training setup`),
    );
  });

  it('rejects falling curves, values outside their range and duplicate members', () => {
    const f = files();
    const eff = f.efficiency as { classes: { gemm: { points: number[][] }; members: string[] }[] };
    eff.classes[0]!.gemm.points = [
      [1, 0.5],
      [10, 0.4],
    ];
    eff.classes[1]!.members.push(eff.classes[0]!.members[0]!);
    (f.energy as { lifetimeYears: { value: number } }).lifetimeYears.value = 9;
    assert.throws(
      () => createPerfData(f),
      (e: unknown) =>
        e instanceof PerfDataError &&
        /must not fall/.test(e.message) &&
        /is in both/.test(e.message) &&
        /lifetimeYears: value above high/.test(e.message),
    );
  });

  it('cites a source for every validation point and its setup', () => {
    for (const p of defaultPerfData().validation) {
      assert.ok(p.source.length > 10, p.id);
      assert.ok(p.setupFacts.length > 10, p.id);
    }
  });
});
