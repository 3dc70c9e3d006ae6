/**
 * Slabs are cut by elements, not rows: a row wider than a slab is cut into 128-column tiles (and a
 * large gpt-oss expert matrix into square tiles), written with positioned chunks. Whatever the
 * slab size, the output is the same bytes: converted with slabs of 128 values (every row cut, the
 * transposed experts read tile by tile) and with the default slab, each layout and back to BF16.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type ConvertOptions, convertCheckpoint } from './convert.js';
import { withTemp, writeLlama } from './fixtures.js';
import type { QuantLayout } from './layouts.js';
import { MARKER } from './ledger.js';
import { tiles } from './source.js';

async function sameFiles(a: string, b: string) {
  const files = (await readdir(a)).filter((f) => f !== MARKER).sort();
  assert.deepEqual((await readdir(b)).filter((f) => f !== MARKER).sort(), files);
  for (const f of files) assert.ok((await readFile(join(a, f))).equals(await readFile(join(b, f))), f);
}

describe('tiles', () => {
  test('tile geometry: within the slab, covering every element once', () => {
    const cases: [number[], number, number, boolean][] = [
      [[1, 2 ** 31], 1, 2 ** 20, false],
      [[1, 2 ** 28], 128, 2 ** 20, false],
      [[300, 1000], 128, 4096, false],
      [[2, 32768, 32768], 1, 2 ** 20, true],
      [[3, 7], 1, 2 ** 20, false],
    ];
    for (const [shape, rowStep, slab, transposed] of cases) {
      const t = tiles(shape, rowStep, slab, transposed);
      let covered = 0;
      for (const [, r0, r1, c0, c1] of t) {
        assert.ok((r1 - r0) * (c1 - c0) <= Math.max(slab, rowStep * 128), `${shape}: tile too large`);
        assert.equal(c0 % 128, 0);
        assert.ok(r0 % rowStep === 0);
        covered += (r1 - r0) * (c1 - c0);
      }
      assert.equal(
        covered,
        shape.reduce((a, b) => a * b, 1),
        `${shape}`,
      );
    }
  });

  const layouts: QuantLayout[] = ['deepseek-fp8', 'mxfp4', 'mxfp8', 'nvfp4'];
  for (const to of layouts) {
    test(`${to}: slabs of 128 values write the bytes whole-row slabs write, and back`, async () => {
      await withTemp(async (tmp) => {
        const fx = await writeLlama(join(tmp, 'in'), { layers: 1, experts: to === 'mxfp4' });
        const opts: ConvertOptions = { to, maxShardBytes: 60_000, sync: false, threads: 1 };
        const tiny = { slabElements: 128, wholeTransposeElements: 0 };
        await convertCheckpoint(fx.dir, join(tmp, 'rows'), opts);
        await convertCheckpoint(fx.dir, join(tmp, 'tiles'), { ...opts, ...tiny, threads: 2 });
        await sameFiles(join(tmp, 'rows'), join(tmp, 'tiles'));
        const back = { to: 'bf16' as const, sync: false };
        await convertCheckpoint(join(tmp, 'rows'), join(tmp, 'back-rows'), back);
        await convertCheckpoint(join(tmp, 'rows'), join(tmp, 'back-tiles'), { ...back, ...tiny });
        await sameFiles(join(tmp, 'back-rows'), join(tmp, 'back-tiles'));
      });
    });
  }
});
