import assert from 'node:assert/strict';
import { link, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseSafetensorsBuffer } from './buffer.js';
import { pattern, withTempDir } from './fixtures.js';
import { layoutSafetensors, serializeSafetensors, type TensorSpec } from './layout.js';
import { openSafetensors } from './reader.js';
import { createSafetensorsWriter, writeSafetensors } from './writer.js';

test('layout matches the reference writer byte for byte', () => {
  // What huggingface/safetensors writes for {"b": u8[1], "a": f32[2]}: wider dtype first, compact
  // JSON with fields in dtype, shape, data_offsets order, spaces up to a multiple of 8.
  const { header, fileSize } = layoutSafetensors(
    [
      { name: 'b', dtype: 'U8', shape: [1] },
      { name: 'a', dtype: 'F32', shape: [2] },
    ],
    { format: 'pt' },
  );
  const json =
    '{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
    '"b":{"dtype":"U8","shape":[1],"data_offsets":[8,9]}}';
  const padded = json.padEnd(Math.ceil(json.length / 8) * 8, ' ');
  assert.equal(new DataView(header.buffer).getBigUint64(0, true), BigInt(padded.length));
  assert.equal(new TextDecoder().decode(header.subarray(8)), padded);
  assert.equal(fileSize, 8 + padded.length + 9);
});

test('tensors are ordered by descending dtype alignment, then by code point', () => {
  const specs: TensorSpec[] = [
    { name: 'z', dtype: 'U8', shape: [2] },
    { name: 'b', dtype: 'F16', shape: [2] },
    { name: 'a', dtype: 'BF16', shape: [2] },
    { name: 'm', dtype: 'F4', shape: [2] },
    { name: 'c', dtype: 'I64', shape: [1] },
    { name: '\u{1F600}', dtype: 'F32', shape: [1] },
    { name: '\uFFFD', dtype: 'F32', shape: [1] },
    { name: 'B', dtype: 'F32', shape: [1] },
  ];
  const order = layoutSafetensors(specs).tensors.map((t) => t.name);
  assert.deepEqual(order, ['c', 'B', '\uFFFD', '\u{1F600}', 'a', 'b', 'z', 'm']);
});

test('headers are space-padded to a multiple of 8 for any name length', () => {
  for (let len = 1; len <= 16; len++) {
    const bytes = serializeSafetensors([
      { name: 'x'.repeat(len), dtype: 'U8', shape: [1], data: new Uint8Array(1) },
    ]);
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal(n % 8, 0);
    assert.equal(bytes[8 + n - 1] === 0x20 || bytes[8 + n - 1] === 0x7d, true);
    parseSafetensorsBuffer(bytes);
  }
});

test('streamed writes in pieces and in any order give the same file as a one-shot write', async () => {
  await withTempDir(async (dir) => {
    const a = pattern(4096, 1);
    const b = pattern(100, 2);
    const specs: TensorSpec[] = [
      { name: 'a', dtype: 'F32', shape: [32, 32] },
      { name: 'b', dtype: 'U8', shape: [100] },
      { name: 'e', dtype: 'F16', shape: [0] },
    ];
    const w = await createSafetensorsWriter(join(dir, 'streamed.safetensors'), specs, { k: 'v' });
    assert.equal(w.complete, false);
    await w.write('b', b.subarray(0, 60));
    await w.writeAll([
      { name: 'a', data: a.subarray(0, 1000) },
      { name: 'b', data: b.subarray(60) },
      { name: 'a', data: a.subarray(1000) },
    ]);
    assert.equal(w.complete, true);
    await w.finish();
    await writeSafetensors(
      join(dir, 'oneshot.safetensors'),
      [
        { ...specs[0], data: a },
        { ...specs[1], data: b },
        { ...specs[2], data: new Uint8Array(0) },
      ],
      { k: 'v' },
    );
    assert.deepEqual(
      await readFile(join(dir, 'streamed.safetensors')),
      await readFile(join(dir, 'oneshot.safetensors')),
    );
    assert.deepEqual((await readdir(dir)).sort(), ['oneshot.safetensors', 'streamed.safetensors']);
    await assert.rejects(w.write('a', a), { code: 'Closed' });
  });
});

test('finish waits for writes still in flight', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'c.safetensors');
    const data = pattern(1 << 20, 5);
    const w = await createSafetensorsWriter(path, [{ name: 'x', dtype: 'U8', shape: [data.length] }]);
    const pieces = [0, 1, 2, 3].map((k) => w.write('x', data.subarray(k << 18, (k + 1) << 18)));
    await w.finish();
    await Promise.all(pieces);
    const file = await openSafetensors(path);
    assert.deepEqual(await file.read('x'), data);
    await file.close();
  });
});

test('an unfinished or failed write leaves nothing under the final name', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'out.safetensors');
    const specs: TensorSpec[] = [{ name: 'x', dtype: 'F32', shape: [4] }];
    const w = await createSafetensorsWriter(path, specs);
    await w.write('x', new Uint8Array(8));
    // as if the process died here: only a temporary file exists
    const names = await readdir(dir);
    assert.equal(names.length, 1);
    assert.match(names[0], /^\.out\.safetensors\.\d+\.[0-9a-f]+\.tmp$/);
    await assert.rejects(w.finish(), {
      code: 'IncompleteWrite',
      message: /out\.safetensors: tensor "x": only 8 of its 16/,
    });
    assert.deepEqual(await readdir(dir), []);
    const w2 = await createSafetensorsWriter(path, specs);
    await assert.rejects(w2.write('x', new Uint8Array(20)), { code: 'TensorOverrun' });
    await assert.rejects(w2.write('y', new Uint8Array(2)), { code: 'TensorNotFound' });
    await w2.abort();
    await w2.abort();
    assert.deepEqual(await readdir(dir), []);
  });
});

test('refuses to replace an open input, or an existing file without overwrite', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'in.safetensors');
    const tensors = [{ name: 'x', dtype: 'U8' as const, shape: [2], data: new Uint8Array([1, 2]) }];
    await writeSafetensors(path, tensors);
    await assert.rejects(writeSafetensors(path, tensors), { code: 'OutputExists' });
    const input = await openSafetensors(path);
    try {
      await assert.rejects(writeSafetensors(path, tensors, {}, { overwrite: true }), {
        code: 'OverwriteInput',
        message: /open for reading/,
      });
      await link(path, join(dir, 'hard.safetensors'));
      await assert.rejects(
        writeSafetensors(join(dir, 'hard.safetensors'), tensors, {}, { overwrite: true }),
        {
          code: 'OverwriteInput',
        },
      );
      await assert.rejects(
        writeSafetensors(join(dir, 'sub', '..', 'in.safetensors'), tensors, {}, { overwrite: true }),
        {
          code: 'OverwriteInput',
        },
      );
    } finally {
      await input.close();
    }
    await writeSafetensors(path, [{ ...tensors[0], data: new Uint8Array([3, 4]) }], {}, { overwrite: true });
    const again = await openSafetensors(path);
    assert.deepEqual(await again.read('x'), new Uint8Array([3, 4]));
    await again.close();
  });
});

test('specs the reader would refuse are refused before anything is written', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'x.safetensors');
    const bad: [TensorSpec[], string][] = [
      [[{ name: '__metadata__', dtype: 'U8', shape: [1] }], 'ReservedName'],
      [
        [
          { name: 'a', dtype: 'U8', shape: [1] },
          { name: 'a', dtype: 'U8', shape: [1] },
        ],
        'DuplicateKey',
      ],
      [[{ name: 'a', dtype: 'F12' as 'F16', shape: [1] }], 'UnknownDtype'],
      [[{ name: 'a', dtype: 'F16', shape: [-1] }], 'InvalidShape'],
      [[{ name: 'a', dtype: 'F4', shape: [3] }], 'MisalignedSlice'],
      [[{ name: 'a', dtype: 'F64', shape: [2 ** 40, 2 ** 20] }], 'InvalidShape'],
    ];
    for (const [specs, code] of bad) await assert.rejects(createSafetensorsWriter(path, specs), { code });
    await assert.rejects(createSafetensorsWriter(path, [], { n: 1 as unknown as string }), {
      code: 'InvalidMetadata',
    });
    await writeFile(join(dir, 'keep'), '');
    assert.deepEqual(await readdir(dir), ['keep']);
  });
});
