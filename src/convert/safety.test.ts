/**
 * `convert` never deletes, replaces or modifies an input, however the output folder names it:
 * a symlink to the input folder, a symlinked parent, a hard link or symlink of an input shard in the
 * output folder, a bind mount (when this process may mount). `--force` removes only files this tool
 * wrote (listed in its marker, by device and inode); a failed run cleans up what it wrote; a resumed
 * run removes the temporary shards a killed run left, and says so.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { link, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cli } from '../cli/cli.testutil.js';
import { convertCheckpoint } from './convert.js';
import { withTemp, writeLlama } from './fixtures.js';
import { MARKER } from './ledger.js';

const BIN = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
const CONVERT = new URL('./convert.js', import.meta.url).href;

function spawnRun(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
/** `main` in-process (cli.testutil.ts); `spawnRun` for the cases where the real process matters. */
const run = cli;

function refused(r: { code: number | null; err: string }, pattern: RegExp) {
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, pattern);
  assert.equal(r.err.trim().split('\n').length, 1, r.err);
}

/** Name, inode, size and SHA-256 of every file in `dir`. */
async function snapshot(dir: string) {
  const out: string[] = [];
  for (const n of (await readdir(dir)).sort()) {
    const s = await stat(join(dir, n));
    const hash = createHash('sha256')
      .update(await readFile(join(dir, n)))
      .digest('hex');
    out.push(`${n} ${s.ino} ${s.size} ${hash}`);
  }
  return out;
}

describe('convert never touches its input', () => {
  test('output reached through a symlink, a symlinked parent, or holding links to input shards', async () => {
    await withTemp(async (tmp) => {
      const fx = await writeLlama(join(tmp, 'm', 'in'), { layers: 1 });
      const before = await snapshot(fx.dir);
      const shards = (await readdir(fx.dir)).filter((f) => f.endsWith('.safetensors')).sort();
      assert.ok(shards.length >= 2);
      // a symlink to the input folder
      await symlink(fx.dir, join(tmp, 'alias'));
      for (const to of ['bf16', 'mxfp4', 'hifloat4']) {
        refused(
          // the real executable once, in-process for the rest
          to === 'bf16'
            ? spawnRun('convert', fx.dir, join(tmp, 'alias'), '--to', to, '--force')
            : await run('convert', fx.dir, join(tmp, 'alias'), '--to', to, '--force'),
          /refusing to write over the input/,
        );
      }
      // a symlinked parent
      await symlink(join(tmp, 'm'), join(tmp, 'parent'));
      refused(
        await run('convert', fx.dir, join(tmp, 'parent', 'in'), '--to', 'bf16', '--force'),
        /refusing to write over the input/,
      );
      // `..` spelling, and the input named through the alias while the output is the real folder
      refused(
        await run('convert', join(tmp, 'alias'), join(tmp, 'm', '..', 'm', 'in'), '--to', 'bf16', '--force'),
        /refusing to write over the input/,
      );
      // a hard link of an input shard in the output folder, under the name a shard would get
      await mkdir(join(tmp, 'hard'));
      await link(join(fx.dir, shards[0]!), join(tmp, 'hard', 'model-00001-of-00002.safetensors'));
      refused(
        await run('convert', fx.dir, join(tmp, 'hard'), '--to', 'bf16', '--force'),
        /is the input file .*a link to it/,
      );
      // a symlink to an input shard in the output folder
      await mkdir(join(tmp, 'soft'));
      await symlink(join(fx.dir, shards[1]!), join(tmp, 'soft', 'model-00001-of-00001.safetensors'));
      refused(
        await run('convert', fx.dir, join(tmp, 'soft'), '--to', 'bf16', '--force'),
        /is the input file .*a link to it/,
      );
      // a single-file input converted into its own folder, reached through the alias
      refused(
        await run('convert', join(fx.dir, shards[0]!), join(tmp, 'alias'), '--to', 'bf16', '--force'),
        /refusing to write over the input/,
      );
      // an empty output name is not the current folder
      refused(await run('convert', fx.dir, '', '--to', 'bf16', '--force'), /output folder is empty/);
      assert.deepEqual(await snapshot(fx.dir), before);
      assert.equal((await readdir(join(tmp, 'hard'))).length, 1);
      assert.equal((await readdir(join(tmp, 'soft'))).length, 1);
    });
  });

  test('output reached through a bind mount of the input folder', async (t) => {
    await withTemp(async (tmp) => {
      const fx = await writeLlama(join(tmp, 'in'), { layers: 1 });
      await mkdir(join(tmp, 'mnt'));
      const m = spawnSync('mount', ['--bind', fx.dir, join(tmp, 'mnt')], { encoding: 'utf8' });
      if (m.status !== 0) {
        t.skip(`bind mount not permitted here (mount: ${(m.stderr || m.error?.message || '').trim()})`);
        return;
      }
      try {
        const before = await snapshot(fx.dir);
        refused(
          await run('convert', fx.dir, join(tmp, 'mnt'), '--to', 'bf16', '--force'),
          /same device and inode.*refusing to write over the input/,
        );
        assert.deepEqual(await snapshot(fx.dir), before);
      } finally {
        spawnSync('umount', [join(tmp, 'mnt')]);
      }
    });
  });

  test('--force removes only files this tool wrote (by device and inode), never replaces others', async () => {
    await withTemp(async (tmp) => {
      const fx = await writeLlama(join(tmp, 'in'), { layers: 1 });
      const out = join(tmp, 'out');
      // a folder holding someone else's checkpoint: names collide, so even --force refuses
      const other = await writeLlama(out, { layers: 1 });
      const theirs = await snapshot(other.dir);
      refused(await run('convert', fx.dir, out, '--to', 'mxfp4'), /not empty; pass --force/);
      refused(
        await run('convert', fx.dir, out, '--to', 'mxfp4', '--force'),
        /out\/model.*: exists and was not written by chipstack convert; it is never replaced, even with --force/,
      );
      assert.deepEqual(await snapshot(out), theirs);

      // a foreign file that collides with nothing stays, through conversions and --force
      const busy = join(tmp, 'busy');
      await mkdir(busy);
      await writeFile(join(busy, 'mine.safetensors'), 'not a checkpoint, but not ours either');
      const first = await run(
        'convert',
        fx.dir,
        busy,
        '--to',
        'bf16',
        '--force',
        '--max-shard-size',
        '60KB',
        '--json',
      );
      assert.equal(first.code, 0, first.err);
      const firstShards = JSON.parse(first.out).shards;
      assert.ok(firstShards >= 3);
      // same output again: a finished conversion is there, so it needs --force ...
      refused(await run('convert', fx.dir, busy, '--to', 'mxfp4'), /holds a finished conversion/);
      // ... which removes the earlier run's files (all of them: fewer shards now) and nothing else
      const second = await run('convert', fx.dir, busy, '--to', 'mxfp4', '--force', '--json');
      assert.equal(second.code, 0, second.err);
      const r = JSON.parse(second.out);
      assert.equal(r.shards, 1);
      assert.ok(r.removed.length >= firstShards, r.removed.join());
      const names = (await readdir(busy)).sort();
      assert.deepEqual(
        names.filter((n) => n.endsWith('.safetensors')),
        ['mine.safetensors', 'model-00001-of-00001.safetensors'],
      );
      assert.equal(
        await readFile(join(busy, 'mine.safetensors'), 'utf8'),
        'not a checkpoint, but not ours either',
      );

      // a forged marker naming a foreign file: the inode does not match, so it is not removed
      const marker = JSON.parse(await readFile(join(busy, MARKER), 'utf8'));
      marker.files.push({ name: 'mine.safetensors', id: '1:1' });
      await writeFile(join(busy, MARKER), JSON.stringify(marker));
      const third = await run('convert', fx.dir, busy, '--to', 'bf16', '--force', '--json');
      assert.equal(third.code, 0, third.err);
      assert.ok(!JSON.parse(third.out).removed.includes('mine.safetensors'));
      assert.equal(
        await readFile(join(busy, 'mine.safetensors'), 'utf8'),
        'not a checkpoint, but not ours either',
      );
    });
  });

  test('a conversion that fails after setup cleans up what it wrote', async () => {
    await withTemp(async (tmp) => {
      const fx = await writeLlama(join(tmp, 'in'), { layers: 1 });
      const before = await snapshot(fx.dir);
      // fails before any shard is complete: the folder it created is gone
      await assert.rejects(
        convertCheckpoint(fx.dir, join(tmp, 'out'), {
          to: 'mxfp4',
          sync: false,
          onProgress: (p) => {
            if (p.tensorsDone >= 2) throw new Error('disk on fire');
          },
        }),
        /disk on fire \(nothing was left in .*out\)/,
      );
      await assert.rejects(stat(join(tmp, 'out')), /ENOENT/);
      // in a folder that was there before: the folder stays, empty
      await mkdir(join(tmp, 'kept'));
      await assert.rejects(
        convertCheckpoint(fx.dir, join(tmp, 'kept'), {
          to: 'mxfp4',
          sync: false,
          onProgress: (p) => {
            if (p.tensorsDone >= 2) throw new Error('disk on fire');
          },
        }),
        /nothing was left/,
      );
      assert.deepEqual(await readdir(join(tmp, 'kept')), []);
      // fails with complete shards: they stay, with the marker, and the message says how to resume
      await assert.rejects(
        convertCheckpoint(fx.dir, join(tmp, 'part'), {
          to: 'mxfp4',
          sync: false,
          maxShardBytes: 20_000,
          onProgress: (p) => {
            if (p.tensorsDone >= 8) throw new Error('disk on fire');
          },
        }),
        /complete file\(s\) kept in .*part: run the same command again to resume/,
      );
      const left = await readdir(join(tmp, 'part'));
      assert.ok(left.includes(MARKER));
      assert.ok(!left.some((f) => f.endsWith('.tmp')), left.join());
      assert.deepEqual(await snapshot(fx.dir), before);
    });
  });

  test('resume after kill -9 removes the orphan temporary shard and says so', async () => {
    await withTemp(async (tmp) => {
      const fx = await writeLlama(join(tmp, 'in'), { layers: 1 });
      const opts = { to: 'deepseek-fp8' as const, maxShardBytes: 60_000, sync: false, threads: 1 };
      await convertCheckpoint(fx.dir, join(tmp, 'clean'), opts);
      // a child that kills itself (SIGKILL: no cleanup at all) in the middle of a shard
      const out = JSON.stringify(join(tmp, 'out'));
      const script = `import { readdirSync } from 'node:fs'; import(${JSON.stringify(CONVERT)}).then((m) => m.convertCheckpoint(${JSON.stringify(fx.dir)}, ${out}, { ...${JSON.stringify(opts)}, onProgress: (p) => { if (p.tensorsDone >= 4 && readdirSync(${out}).some((f) => f.startsWith('.model-'))) process.kill(process.pid, 'SIGKILL'); } }))`;
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
      assert.equal(child.signal, 'SIGKILL', child.stderr);
      const orphans = (await readdir(join(tmp, 'out'))).filter((f) => f.endsWith('.tmp'));
      assert.ok(orphans.length >= 1, 'the killed run left a temporary shard');
      const r = await run(
        'convert',
        fx.dir,
        join(tmp, 'out'),
        '--to',
        'deepseek-fp8',
        '--max-shard-size',
        '60000',
        '--threads',
        '1',
      );
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /removed 1 temporary file\(s\) an interrupted run left/);
      assert.match(r.out, /kept from an interrupted run/);
      const files = (await readdir(join(tmp, 'clean'))).filter((f) => f !== MARKER).sort();
      assert.deepEqual((await readdir(join(tmp, 'out'))).filter((f) => f !== MARKER).sort(), files);
      for (const f of files) {
        assert.ok((await readFile(join(tmp, 'out', f))).equals(await readFile(join(tmp, 'clean', f))), f);
      }
    });
  });

  test('a full disk and a read-only folder: exit 2, one line naming the file', async (t) => {
    await withTemp(async (tmp) => {
      const fx = await writeLlama(join(tmp, 'in'), { layers: 1 });
      await mkdir(join(tmp, 'small'));
      await mkdir(join(tmp, 'ro'));
      const small = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', join(tmp, 'small')]);
      if (small.status !== 0) {
        t.skip('mounting a small tmpfs is not permitted here');
        return;
      }
      try {
        const ro = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', join(tmp, 'ro')]);
        assert.equal(ro.status, 0);
        const full = await run('convert', fx.dir, join(tmp, 'small', 'out'), '--to', 'bf16');
        refused(
          full,
          /small\/out\/.*: cannot write: no space left on the disk \(ENOSPC\) \(nothing was left in/,
        );
        assert.deepEqual(await readdir(join(tmp, 'small')), [], 'what it wrote is gone');
        refused(
          await run('convert', fx.dir, join(tmp, 'ro', 'out'), '--to', 'mxfp4'),
          /ro\/out.*: the file system is read-only \(EROFS\)/,
        );
      } finally {
        spawnSync('umount', [join(tmp, 'small')]);
        spawnSync('umount', [join(tmp, 'ro')]);
      }
    });
  });
});
