/**
 * `chipstack inspect` and `chipstack convert` as a user runs them (in-process through `main`; one
 * case and the memory test in a real process): exit codes, one-line errors,
 * refusing a non-empty output, resuming after an interruption, and memory bounded by a slab
 * (a checkpoint larger than the child's heap limit converts with a small peak RSS).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cli } from '../cli/cli.testutil.js';
import { writeShardedCheckpoint } from '../io/index.js';
import { convertCheckpoint } from './convert.js';
import { values, withTemp, writeLlama } from './fixtures.js';
import { MARKER } from './ledger.js';
import { toBf16Bytes } from './tensor.js';

const MAIN = new URL('../cli/main.js', import.meta.url).href;
const BIN = fileURLToPath(new URL('../cli/bin.js', import.meta.url));

function spawnRun(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
/** In-process (cli.testutil.ts); `spawnRun` where the real process matters. */
const run = cli;

function oneLineError(r: { code: number | null; err: string }, pattern: RegExp) {
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, pattern);
  assert.equal(r.err.trim().split('\n').length, 1, r.err);
  assert.doesNotMatch(r.err, /\n\s+at /);
}

describe('chipstack inspect / convert', () => {
  test('inspect lists tensors, totals and the layout; --stats decodes quantized weights', async () => {
    await withTemp(async (tmp) => {
      const fx = await writeLlama(join(tmp, 'in'), { layers: 1 });
      const plain = JSON.parse((await run('inspect', fx.dir, '--json')).out);
      assert.equal(plain.layout, 'plain');
      assert.equal(plain.tensors.length, fx.tensors.size);
      assert.deepEqual(
        plain.totals.map((t: { dtype: string }) => t.dtype),
        ['BF16', 'I64'],
      );
      const c = await run('convert', fx.dir, join(tmp, 'q'), '--to', 'deepseek-fp8', '--json');
      assert.equal(c.code, 0, c.err);
      assert.equal(c.err, '', 'no progress bar when not a terminal');
      const q = JSON.parse((await run('inspect', join(tmp, 'q'), '--stats', '--json')).out);
      assert.equal(q.layout, 'deepseek-fp8');
      assert.equal(q.quantized['deepseek-fp8'], 7);
      const s0 = JSON.parse((await run('inspect', fx.dir, '--stats', '--json')).out).stats;
      const byName = (st: { name: string }[], n: string) =>
        st.find((s) => s.name === n) as unknown as { amax: number; std: number; count: number; nan: number };
      const n = 'model.layers.0.mlp.up_proj.weight';
      const [a, b] = [byName(s0, n), byName(q.stats, n)];
      assert.equal(a.count, b.count);
      assert.ok(Math.abs(a.amax - b.amax) <= a.amax * 2 ** -4, `${a.amax} vs ${b.amax}`);
      assert.ok(Math.abs(a.std - b.std) <= a.std * 0.02, `${a.std} vs ${b.std}`);
      const text = await run('inspect', join(tmp, 'q'), '--stats');
      assert.equal(text.code, 0);
      assert.match(text.out, /layout: deepseek-fp8 \(7 deepseek-fp8 weights\)/);
      assert.match(text.out, /weight_scale_inv +F32 +\[2, 2\]/);
    });
  });

  test('bad input and refused output: one line, exit code 2', async () => {
    await withTemp(async (tmp) => {
      const fx = await writeLlama(join(tmp, 'in'), { layers: 1 });
      oneLineError(
        await run('convert', join(tmp, 'nope'), join(tmp, 'o'), '--to', 'mxfp4'),
        /nope: no such file or folder/,
      );
      oneLineError(spawnRun('inspect', join(tmp, 'nope.safetensors')), /no such file or folder/);
      oneLineError(
        await run('convert', fx.dir, join(tmp, 'o'), '--to', 'mxfp4', '--include', 'model.position_ids'),
        /dtype I64 is not a float type/,
      );
      oneLineError(await run('convert', fx.dir, join(tmp, 'o'), '--to', 'fp3'), /unknown layout/);
      oneLineError(
        await run('convert', fx.dir, join(tmp, 'o'), '--to', 'nvfp4', '--layout', 'ascend'),
        /--layout ascend applies to --to mxfp8 and mxfp4 only/,
      );
      oneLineError(
        await run('convert', fx.dir, join(tmp, 'o'), '--to', 'mxfp4', '--scheme', 'dual-mxfp4'),
        /level-0 scale per 512/,
      );
      oneLineError(
        await run(
          'convert',
          fx.dir,
          join(tmp, 'o'),
          '--to',
          'deepseek-fp8',
          '--scale-fmt',
          'fp32',
          '--scale-dtype',
          'e8m0',
        ),
        /power-of-two scales/,
      );
      oneLineError(
        await run('convert', fx.dir, join(tmp, 'o'), '--to', 'bf16', '--max-shard-size', 'lots'),
        /max-shard-size/,
      );
      oneLineError(
        await run('convert', fx.dir, fx.dir, '--to', 'bf16', '--force'),
        /refusing to write over the input/,
      );
      // a non-empty output folder needs --force
      await writeFile(join(tmp, 'full'), '');
      await writeLlama(join(tmp, 'busy'), { layers: 1 });
      oneLineError(
        await run('convert', fx.dir, join(tmp, 'busy'), '--to', 'mxfp4'),
        /output folder is not empty; pass --force/,
      );
      // --force never replaces files it did not write (safety.test.ts has the cases)
      oneLineError(
        await run('convert', fx.dir, join(tmp, 'busy'), '--to', 'mxfp4', '--force'),
        /exists and was not written by chipstack/,
      );
      // a corrupt shard
      const shard = (await readdir(fx.dir)).filter((f) => f.endsWith('.safetensors')).sort()[1]!;
      await truncate(join(fx.dir, shard), 1000);
      const named = new RegExp(shard.replace(/\./g, '\\.'));
      oneLineError(await run('inspect', fx.dir), named);
      oneLineError(await run('convert', fx.dir, join(tmp, 'o2'), '--to', 'mxfp4'), named);
    });
  });

  test('an interrupted conversion resumes, keeping the shards already complete', async () => {
    await withTemp(async (tmp) => {
      const fx = await writeLlama(join(tmp, 'in'));
      const opts = { to: 'deepseek-fp8' as const, maxShardBytes: 60_000, sync: false };
      const clean = await convertCheckpoint(fx.dir, join(tmp, 'clean'), opts);
      assert.ok(clean.shards >= 4);
      await assert.rejects(
        convertCheckpoint(fx.dir, join(tmp, 'out'), {
          ...opts,
          onProgress: (p) => {
            if (p.tensorsDone >= 14) throw new Error('interrupted');
          },
        }),
        /interrupted/,
      );
      const partial = await readdir(join(tmp, 'out'));
      assert.ok(partial.includes('.chipstack-convert.json'));
      assert.ok(!partial.includes('model.safetensors.index.json'));
      assert.ok(!partial.some((f) => f.endsWith('.tmp')), 'nothing half-written left behind');
      const done = partial.filter((f) => f.endsWith('.safetensors')).length;
      assert.ok(done >= 1 && done < clean.shards, `${done} shards done`);
      // other options: refused
      await assert.rejects(
        convertCheckpoint(fx.dir, join(tmp, 'out'), { ...opts, to: 'mxfp4' }),
        /unfinished conversion/,
      );
      const resumed = await convertCheckpoint(fx.dir, join(tmp, 'out'), opts);
      assert.equal(resumed.resumedShards, done);
      // the marker differs (it records inodes); every other file is the same bytes
      const files = (await readdir(join(tmp, 'clean'))).filter((f) => f !== MARKER).sort();
      assert.deepEqual((await readdir(join(tmp, 'out'))).filter((f) => f !== MARKER).sort(), files);
      for (const f of files)
        assert.deepEqual(await readFile(join(tmp, 'out', f)), await readFile(join(tmp, 'clean', f)), f);
    });
  });

  test('memory is bounded by a slab: 256 MB through a 64 MB heap', async () => {
    await withTemp(async (tmp) => {
      const dim = 2048; // [2048, 2048] BF16 = 8 MiB per tensor, 32 tensors
      const data = toBf16Bytes(values(dim * dim, 5));
      const specs = Array.from({ length: 32 }, (_, i) => ({
        name: `model.layers.${i}.mlp.up_proj.weight`,
        dtype: 'BF16' as const,
        shape: [dim, dim],
      }));
      await writeShardedCheckpoint(
        join(tmp, 'in'),
        specs,
        specs.map((s) => ({ name: s.name, data })),
        { maxShardBytes: 1e8, sync: false },
      );
      const script = `import(${JSON.stringify(MAIN)}).then(async (m) => { const code = await m.main(process.argv.slice(1)); process.stderr.write(JSON.stringify({ maxRssKB: process.resourceUsage().maxRSS })); process.exit(code); })`;
      const r = spawnSync(
        process.execPath,
        [
          '--max-old-space-size=64',
          '--input-type=module',
          '-e',
          script,
          'convert',
          join(tmp, 'in'),
          join(tmp, 'out'),
          '--to',
          'mxfp4',
          '--json',
        ],
        { encoding: 'utf8' },
      );
      assert.equal(r.status, 0, r.stderr);
      const { maxRssKB } = JSON.parse(r.stderr);
      const inputMB = (32 * dim * dim * 2) / 2 ** 20;
      assert.ok(
        maxRssKB / 1024 < 160,
        `peak RSS ${(maxRssKB / 1024).toFixed(0)} MB for a ${inputMB} MB checkpoint`,
      );
      assert.equal(JSON.parse(r.stdout).tensors.length, 32);
    });
  });
});
