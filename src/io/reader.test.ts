import assert from 'node:assert/strict';
import { open, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { DTYPES, type Dtype } from './dtypes.js';
import { SafetensorsError } from './errors.js';
import { headerOf, pattern, rawFile, withTempDir } from './fixtures.js';
import { openSafetensors } from './reader.js';
import { writeSafetensors } from './writer.js';

/** A shape whose byte size is whole for every dtype, F4 and F6 included (4 × 6 elements). */
const SHAPE = [4, 6];

test('every dtype round-trips through the writer and reader', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'all.safetensors');
    const tensors = DTYPES.map((d, i) => ({
      name: `t.${d.name}`,
      dtype: d.name as Dtype,
      shape: SHAPE,
      data: pattern((24 * d.bits) / 8, i),
    }));
    await writeSafetensors(path, tensors, { format: 'pt' });
    const file = await openSafetensors(path);
    try {
      assert.deepEqual(file.header.metadata, { format: 'pt' });
      assert.equal(file.tensorNames().length, DTYPES.length);
      for (const t of tensors) {
        const info = file.info(t.name);
        assert.equal(info.dtype, t.dtype);
        assert.deepEqual(info.shape, SHAPE);
        assert.deepEqual(await file.read(t.name), t.data);
      }
    } finally {
      await file.close();
    }
  });
});

test('random access, ranges, chunks and streaming', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'a.safetensors');
    const a = pattern(4000, 1);
    const b = pattern(12, 2);
    await writeSafetensors(path, [
      { name: 'a', dtype: 'F32', shape: [1000], data: a },
      { name: 'b', dtype: 'U8', shape: [3, 4], data: b },
      { name: 'empty', dtype: 'F16', shape: [0, 5], data: new Uint8Array(0) },
      { name: 'scalar', dtype: 'I16', shape: [], data: new Uint8Array([1, 2]) },
    ]);
    const file = await openSafetensors(path);
    try {
      assert.deepEqual(await file.read('b'), b);
      assert.deepEqual(await file.readRange('a', 100, 108), a.subarray(100, 108));
      assert.deepEqual(await file.readRange('a', 3990), a.subarray(3990));
      assert.deepEqual(await file.read('empty'), new Uint8Array(0));
      assert.deepEqual(await file.read('scalar'), new Uint8Array([1, 2]));
      const pieces: Uint8Array[] = [];
      for await (const c of file.chunks('a', 1500)) pieces.push(c);
      assert.deepEqual(
        pieces.map((p) => p.length),
        [1500, 1500, 1000],
      );
      assert.deepEqual(Buffer.concat(pieces), Buffer.from(a));
      const seen: string[] = [];
      for await (const { info, data } of file.tensors()) {
        seen.push(info.name);
        assert.equal(data.length, info.byteLength);
      }
      assert.deepEqual(seen, file.tensorNames());
      const view = new Float32Array((await file.read('a')).buffer);
      assert.equal(view.length, 1000);
      await assert.rejects(file.read('nope'), { code: 'TensorNotFound' });
      await assert.rejects(file.readRange('a', 10, 5), { code: 'InvalidRange' });
      await assert.rejects(file.readRange('a', 0, 4001), { code: 'InvalidRange' });
      await assert.rejects(file.readRange('a', 0.5, 2), { code: 'InvalidRange' });
    } finally {
      await file.close();
    }
    await assert.rejects(file.read('a'), { code: 'Closed' });
  });
});

test('a file over 4 GB with offsets past 2^32 (sparse)', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'big.safetensors');
    const big = 5 * 2 ** 30;
    const header = headerOf({
      big: { dtype: 'U8', shape: [big], data_offsets: [0, big] },
      tail: { dtype: 'F32', shape: [2], data_offsets: [big, big + 8] },
    });
    const head = rawFile(header);
    const fh = await open(path, 'w');
    try {
      await fh.write(head, 0, head.length, 0);
      await fh.truncate(head.length + big + 8);
      await fh.write(pattern(8, 3), 0, 8, head.length + big);
      await fh.write(new Uint8Array([9, 8, 7]), 0, 3, head.length + 2 ** 32 + 5);
    } finally {
      await fh.close();
    }
    const file = await openSafetensors(path);
    try {
      assert.equal(file.size, head.length + big + 8);
      assert.equal(file.info('tail').fileOffset, head.length + big);
      assert.deepEqual(await file.read('tail'), pattern(8, 3));
      assert.deepEqual(
        await file.readRange('big', 2 ** 32 + 4, 2 ** 32 + 9),
        new Uint8Array([0, 9, 8, 7, 0]),
      );
      assert.deepEqual(await file.readRange('big', big - 2), new Uint8Array(2));
    } finally {
      await file.close();
    }
  });
});

test('a file that shrinks while open reports TruncatedData', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 's.safetensors');
    await writeSafetensors(path, [{ name: 'x', dtype: 'U8', shape: [64], data: pattern(64) }]);
    const file = await openSafetensors(path);
    try {
      const fh = await open(path, 'r+');
      await fh.truncate(file.size - 10);
      await fh.close();
      await assert.rejects(file.read('x'), (err: unknown) => {
        assert.ok(err instanceof SafetensorsError);
        assert.equal(err.code, 'TruncatedData');
        assert.match(err.message, /s\.safetensors: tensor "x"/);
        return true;
      });
    } finally {
      await file.close();
    }
  });
});

test('opening a missing file is an ordinary ENOENT', async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(openSafetensors(join(dir, 'none.safetensors')), { code: 'ENOENT' });
    await writeFile(join(dir, 'x'), '');
    await assert.rejects(openSafetensors(join(dir, 'x')), { code: 'HeaderTooSmall' });
    assert.deepEqual(await readdir(dir), ['x']);
  });
});
