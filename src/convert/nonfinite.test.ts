/**
 * NaN and ±Inf in weights to quantize, per target and per `--on-nonfinite` policy: counted and
 * reported per tensor; `keep` encodes them as the target's reference does (MX and NVFP4: the block
 * holding one decodes to NaN; DeepSeek: the value decodes to NaN), and NVFP4's tensor scale comes
 * from the finite values only; `clamp` leaves no NaN and no infinity; `error` refuses the tensor and
 * leaves nothing behind. `inspect --stats` reports amax Infinity for an all-Inf tensor. Tensor names
 * with terminal control characters are printed escaped.
 */
import assert from 'node:assert/strict';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cli } from '../cli/cli.testutil.js';
import { openCheckpoint, writeShardedCheckpoint } from '../io/index.js';
import { convertCheckpoint } from './convert.js';
import { values, withTemp } from './fixtures.js';
import type { QuantLayout } from './layouts.js';
import { logicalTensors } from './source.js';

const _BIN = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
const W = 'model.layers.0.mlp.up_proj.weight';
const ROWS = 256;
const COLS = 256;
/** [row, col, value]: all in the first 128x128 DeepSeek tile, in different 16/32-blocks. */
const BAD: [number, number, number][] = [
  [0, 5, Number.POSITIVE_INFINITY],
  [3, 40, Number.NaN],
  [100, 70, Number.NEGATIVE_INFINITY],
];

/** `main` in-process (cli.testutil.ts): no process start per case. */
const run = cli;

async function writeInput(dir: string) {
  const x = values(ROWS * COLS, 7);
  let finiteMax = 0;
  for (const v of x) finiteMax = Math.max(finiteMax, Math.abs(v));
  for (const [r, c, v] of BAD) x[r * COLS + c] = v;
  const specs = [
    { name: W, dtype: 'F32' as const, shape: [ROWS, COLS] },
    { name: 'model.norm.weight', dtype: 'F32' as const, shape: [8] },
    { name: 'model.evil\u001b[2J\u0007.bias', dtype: 'F32' as const, shape: [2] },
  ];
  const data = [
    new Uint8Array(x.buffer),
    new Uint8Array(new Float32Array(8).fill(Number.POSITIVE_INFINITY).buffer),
    new Uint8Array(8),
  ];
  await writeShardedCheckpoint(
    dir,
    specs,
    specs.map((s, i) => ({ name: s.name, data: data[i]! })),
    { maxShardBytes: 1e9, sync: false },
  );
  return { x, finiteMax };
}

async function decoded(dir: string, name: string) {
  const ck = await openCheckpoint(dir);
  try {
    const t = logicalTensors(ck).find((l) => l.name === name)!;
    return { y: await t.readRows(0, 0, ROWS), ck: ck.tensorNames().map((n) => ck.info(n)) };
  } finally {
    await ck.close();
  }
}

const BLOCK: Record<QuantLayout, [number, number]> = {
  'deepseek-fp8': [128, 128],
  mxfp8: [1, 32],
  mxfp4: [1, 32],
  nvfp4: [1, 16],
  hifloat4: [1, 64],
};

describe('NaN and Inf', () => {
  for (const to of ['mxfp4', 'mxfp8', 'nvfp4', 'deepseek-fp8', 'hifloat4'] as const) {
    test(`${to}: keep, clamp and error`, async () => {
      await withTemp(async (tmp) => {
        const { x, finiteMax } = await writeInput(join(tmp, 'in'));
        const [br, bc] = BLOCK[to];
        const badBlock = (r: number, c: number) =>
          BAD.some(
            ([rr, cc]) =>
              Math.floor(rr / br) === Math.floor(r / br) && Math.floor(cc / bc) === Math.floor(c / bc),
          );

        const kept = await convertCheckpoint(join(tmp, 'in'), join(tmp, 'keep'), { to, sync: false });
        assert.deepEqual(kept.nonFinite, [{ name: W, count: BAD.length, policy: 'keep' }]);
        const { y } = await decoded(join(tmp, 'keep'), W);
        for (let r = 0; r < ROWS; r++) {
          for (let c = 0; c < COLS; c++) {
            const v = y[r * COLS + c]!;
            if (BAD.some(([rr, cc]) => rr === r && cc === c)) assert.ok(Number.isNaN(v), `${r},${c}: ${v}`);
            else if (to !== 'deepseek-fp8' && badBlock(r, c)) assert.ok(Number.isNaN(v), `${r},${c}: ${v}`);
            else if (!badBlock(r, c)) {
              assert.ok(Number.isFinite(v), `${r},${c}: ${v}`);
              assert.ok(Math.abs(v - x[r * COLS + c]!) <= finiteMax * 0.25, `${r},${c}: ${v}`);
            }
          }
        }
        if (to === 'nvfp4') {
          const ck = await openCheckpoint(join(tmp, 'keep'));
          try {
            const s2 = new Float32Array((await ck.read(`${W}_scale_2`)).slice().buffer)[0]!;
            const g = Math.fround((448 * 6) / finiteMax);
            assert.equal(s2, Math.fround(1 / g), 'the tensor scale comes from the finite values');
          } finally {
            await ck.close();
          }
        }

        const clamped = await convertCheckpoint(join(tmp, 'in'), join(tmp, 'clamp'), {
          to,
          sync: false,
          onNonFinite: 'clamp',
        });
        assert.deepEqual(clamped.nonFinite, [{ name: W, count: BAD.length, policy: 'clamp' }]);
        const c = (await decoded(join(tmp, 'clamp'), W)).y;
        for (const v of c) assert.ok(Number.isFinite(v));
        assert.ok(c[0 * COLS + 5]! > 0, '+Inf becomes the block maximum');
        assert.ok(c[100 * COLS + 70]! < 0, '-Inf becomes minus the block maximum');
        assert.equal(c[3 * COLS + 40], 0, 'NaN becomes 0');

        await assert.rejects(
          convertCheckpoint(join(tmp, 'in'), join(tmp, 'err'), { to, sync: false, onNonFinite: 'error' }),
          /tensor "model\.layers\.0\.mlp\.up_proj\.weight": \d+ non-finite value\(s\).*nothing was left/,
        );
        await assert.rejects(stat(join(tmp, 'err')), /ENOENT/);
      });
    });
  }

  test('the CLI warns with the tensor name, refuses with --on-nonfinite error; inspect --stats; escaped names', async () => {
    await withTemp(async (tmp) => {
      await writeInput(join(tmp, 'in'));
      const k = await run('convert', join(tmp, 'in'), join(tmp, 'k'), '--to', 'mxfp4', '--json');
      assert.equal(k.code, 0, k.err);
      assert.match(
        k.err,
        /warning: tensor "model\.layers\.0\.mlp\.up_proj\.weight": 3 NaN\/Inf input value\(s\)/,
      );
      const e = await run(
        'convert',
        join(tmp, 'in'),
        join(tmp, 'e'),
        '--to',
        'nvfp4',
        '--on-nonfinite',
        'error',
      );
      assert.equal(e.code, 2, e.err);
      assert.equal(e.err.trim().split('\n').length, 1, e.err);
      assert.match(e.err, /up_proj\.weight": 3 non-finite/);
      assert.deepEqual(await readdir(tmp), ['in', 'k']);
      const s = JSON.parse((await run('inspect', join(tmp, 'in'), '--stats', '--json')).out).stats;
      const norm = s.find((t: { name: string }) => t.name === 'model.norm.weight');
      assert.equal(norm.amax, 'Infinity', 'an all-Inf tensor has amax Infinity, not 0');
      assert.equal(norm.inf, 8);
      const text = await run('inspect', join(tmp, 'in'), '--stats');
      assert.equal(text.code, 0, text.err);
      assert.ok(
        !Array.from(text.out).some((ch) => {
          const u = ch.codePointAt(0)!;
          return (u < 0x20 && ch !== '\n') || (u >= 0x7f && u <= 0x9f);
        }),
        'no control character printed raw',
      );
      assert.ok(text.out.includes('model.evil\\u001b[2J\\u0007.bias'), text.out);
    });
  });
});
