/**
 * Worker threads change nothing but speed: a conversion with `threads: 2` writes the same bytes
 * as one with `threads: 1` (encoding in the calling thread), slabs small enough that every tensor
 * is several slabs in flight at once. Bad thread counts are refused, by the API and the CLI.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cli } from '../cli/cli.testutil.js';
import { type ConvertOptions, convertCheckpoint } from './convert.js';
import { withTemp, writeLlama } from './fixtures.js';
import type { QuantLayout } from './layouts.js';
import { MARKER } from './ledger.js';
import { parseThreads } from './pool.js';

const BIN = fileURLToPath(new URL('../cli/bin.js', import.meta.url));

async function sameFiles(a: string, b: string) {
  // the marker differs (it records inodes); everything else is the same bytes
  const files = (await readdir(a)).filter((f) => f !== MARKER).sort();
  assert.deepEqual((await readdir(b)).filter((f) => f !== MARKER).sort(), files);
  assert.ok(files.filter((f) => f.endsWith('.safetensors')).length >= 2, 'several shards');
  for (const f of files) assert.ok((await readFile(join(a, f))).equals(await readFile(join(b, f))), f);
}

describe('threads', () => {
  const layouts: QuantLayout[] = ['deepseek-fp8', 'mxfp4', 'mxfp8', 'nvfp4'];
  for (const to of layouts) {
    test(`${to}: threads 2 writes the bytes threads 1 writes`, async () => {
      await withTemp(async (tmp) => {
        const fx = await writeLlama(join(tmp, 'in'), { experts: to === 'mxfp4' });
        const opts: ConvertOptions = { to, maxShardBytes: 60_000, slabElements: 2048, sync: false };
        const one = await convertCheckpoint(fx.dir, join(tmp, 'one'), { ...opts, threads: 1 });
        const two = await convertCheckpoint(fx.dir, join(tmp, 'two'), { ...opts, threads: 2 });
        assert.deepEqual(two.tensors, one.tensors);
        assert.ok(one.tensors.some((t) => t.action === 'quantized'));
        await sameFiles(join(tmp, 'one'), join(tmp, 'two'));
      });
    });
  }

  test('a quantized input re-encoded on workers (decoded by the source): same bytes', async () => {
    await withTemp(async (tmp) => {
      const fx = await writeLlama(join(tmp, 'in'), { layers: 1 });
      await convertCheckpoint(fx.dir, join(tmp, 'fp8'), { to: 'deepseek-fp8', sync: false, threads: 1 });
      const opts: ConvertOptions = { to: 'mxfp4', maxShardBytes: 60_000, slabElements: 4096, sync: false };
      await convertCheckpoint(join(tmp, 'fp8'), join(tmp, 'one'), { ...opts, threads: 1 });
      await convertCheckpoint(join(tmp, 'fp8'), join(tmp, 'two'), { ...opts, threads: 3 });
      await sameFiles(join(tmp, 'one'), join(tmp, 'two'));
    });
  });

  test('bad thread counts are refused', async () => {
    for (const bad of ['0', 'x', '-1', '1.5', '', '2x']) assert.throws(() => parseThreads(bad), /--threads/);
    assert.equal(parseThreads('4'), 4);
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      await assert.rejects(
        convertCheckpoint('/nonexistent', '/nonexistent-out', { to: 'mxfp4', threads: bad }),
        /--threads/,
      );
    }
  });

  test('the CLI refuses --threads 0 and --threads x: one line, exit code 2', async () => {
    // in-process (cli.testutil.ts), and --threads 0 once as a real process: its exit status and stderr
    assert.match((await cli('convert', '--help')).out, /--threads <n>/);
    for (const bad of ['0', 'x']) {
      const r = await cli('convert', 'in', 'out', '--to', 'mxfp4', '--threads', bad);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, /--threads/);
      assert.equal(r.err.trim().split('\n').length, 1, r.err);
    }
    const r = spawnSync(process.execPath, [BIN, 'convert', 'in', 'out', '--to', 'mxfp4', '--threads', '0'], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /--threads/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });
});
