import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { openCheckpoint } from './checkpoint.js';
import { pattern, withTempDir } from './fixtures.js';
import { formatCheckpointIndex, INDEX_FILE, parseCheckpointIndex } from './index-file.js';
import type { TensorSpec } from './layout.js';
import { planShards, writeShardedCheckpoint } from './shards.js';
import { writeSafetensors } from './writer.js';

/** A small Llama-shaped set of tensors: 2 layers, hidden 16, vocabulary 32. */
function llama(): (TensorSpec & { data: Uint8Array })[] {
  const specs: TensorSpec[] = [{ name: 'model.embed_tokens.weight', dtype: 'BF16', shape: [32, 16] }];
  for (let l = 0; l < 2; l++) {
    for (const p of ['q_proj', 'k_proj', 'v_proj', 'o_proj']) {
      specs.push({ name: `model.layers.${l}.self_attn.${p}.weight`, dtype: 'BF16', shape: [16, 16] });
    }
    for (const p of ['gate_proj', 'up_proj'])
      specs.push({ name: `model.layers.${l}.mlp.${p}.weight`, dtype: 'BF16', shape: [24, 16] });
    specs.push({ name: `model.layers.${l}.mlp.down_proj.weight`, dtype: 'BF16', shape: [16, 24] });
    specs.push({ name: `model.layers.${l}.input_layernorm.weight`, dtype: 'F32', shape: [16] });
  }
  specs.push(
    { name: 'model.norm.weight', dtype: 'F32', shape: [16] },
    { name: 'lm_head.weight', dtype: 'BF16', shape: [32, 16] },
  );
  return specs.map((s, i) => ({
    ...s,
    data: pattern((s.shape.reduce((a, b) => a * b, 1) * (s.dtype === 'F32' ? 32 : 16)) / 8, i),
  }));
}

test('planShards packs greedily and gives an oversized tensor its own shard', () => {
  const plan = planShards(
    [
      { name: 'a', dtype: 'U8', shape: [40] },
      { name: 'b', dtype: 'U8', shape: [50] },
      { name: 'c', dtype: 'U8', shape: [300] },
      { name: 'd', dtype: 'U8', shape: [10] },
    ],
    { maxShardBytes: 100 },
  );
  assert.deepEqual(
    plan.shards.map((s) => [s.file, s.tensors.map((t) => t.name), s.bytes]),
    [
      ['model-00001-of-00003.safetensors', ['a', 'b'], 90],
      ['model-00002-of-00003.safetensors', ['c'], 300],
      ['model-00003-of-00003.safetensors', ['d'], 10],
    ],
  );
  assert.equal(plan.totalSize, 400);
  assert.equal(plan.weightMap.get('d'), 'model-00003-of-00003.safetensors');
});

test('a sharded checkpoint round-trips through the index, the folder and shard-by-shard iteration', async () => {
  await withTempDir(async (dir) => {
    const tensors = llama();
    const out = join(dir, 'ckpt');
    const { plan, indexPath } = await writeShardedCheckpoint(out, tensors, tensors, { maxShardBytes: 2048 });
    assert.ok(plan.shards.length >= 3);
    assert.deepEqual((await readdir(out)).sort(), [...plan.shards.map((s) => s.file), INDEX_FILE].sort());
    const index = parseCheckpointIndex(await readFile(indexPath, 'utf8'), indexPath);
    assert.equal(index.totalSize, plan.totalSize);
    assert.equal(index.weightMap.size, tensors.length);
    for (const s of plan.shards) assert.ok((await stat(join(out, s.file))).size > s.bytes);
    for (const path of [out, indexPath]) {
      const ckpt = await openCheckpoint(path);
      try {
        assert.equal(ckpt.files.length, plan.shards.length);
        assert.deepEqual(new Set(ckpt.tensorNames()), new Set(tensors.map((t) => t.name)));
        for (const t of tensors) assert.deepEqual(await ckpt.read(t.name), t.data);
        assert.deepEqual(await ckpt.readRange('lm_head.weight', 2, 6), tensors.at(-1)!.data.subarray(2, 6));
        const files: string[] = [];
        let count = 0;
        for await (const { info, file, data } of ckpt.tensors()) {
          if (files.at(-1) !== file) files.push(file);
          assert.equal(data.length, info.byteLength);
          count++;
        }
        assert.equal(count, tensors.length);
        assert.deepEqual(files, [...new Set(files)], 'shard by shard, each shard once');
        assert.equal(
          ckpt.info('model.norm.weight').file,
          join(out, plan.weightMap.get('model.norm.weight')!),
        );
        await assert.rejects(ckpt.read('nope'), { code: 'TensorNotFound' });
      } finally {
        await ckpt.close();
      }
    }
  });
});

test('writing refuses to replace a shard the process is reading', async () => {
  await withTempDir(async (dir) => {
    const tensors = llama();
    await writeShardedCheckpoint(dir, tensors, tensors, { maxShardBytes: 4096 });
    const ckpt = await openCheckpoint(dir);
    try {
      await assert.rejects(
        writeShardedCheckpoint(dir, tensors, tensors, { maxShardBytes: 4096, overwrite: true }),
        {
          code: 'OverwriteInput',
        },
      );
    } finally {
      await ckpt.close();
    }
    assert.ok((await readdir(dir)).every((n) => !n.endsWith('.tmp')));
  });
});

test('resume keeps complete shards and rewrites missing ones', async () => {
  await withTempDir(async (dir) => {
    const tensors = llama();
    const { plan } = await writeShardedCheckpoint(dir, tensors, tensors, { maxShardBytes: 2048 });
    const lost = plan.shards[1];
    await rm(join(dir, lost.file));
    const before = await stat(join(dir, plan.shards[0].file));
    const fed: string[] = [];
    const source = tensors.map((t) => {
      fed.push(t.name);
      return t;
    });
    await writeShardedCheckpoint(dir, tensors, source, { maxShardBytes: 2048, resume: true });
    assert.equal((await stat(join(dir, plan.shards[0].file))).mtimeMs, before.mtimeMs);
    const ckpt = await openCheckpoint(dir);
    for (const t of lost.tensors)
      assert.deepEqual(await ckpt.read(t.name), tensors.find((x) => x.name === t.name)!.data);
    await ckpt.close();
  });
});

test('a source that stops early leaves complete shards only and no index', async () => {
  await withTempDir(async (dir) => {
    const tensors = llama();
    const source = tensors.slice(0, 5);
    await assert.rejects(writeShardedCheckpoint(dir, tensors, source, { maxShardBytes: 2048 }), {
      code: 'IncompleteWrite',
    });
    const names = await readdir(dir);
    assert.ok(!names.includes(INDEX_FILE));
    assert.ok(names.every((n) => !n.endsWith('.tmp')));
    for (const n of names) await openCheckpoint(join(dir, n)).then((c) => c.close());
  });
});

/** Write shards a.safetensors {x, y} and b.safetensors {z}, and an index from `map`. */
async function shardsWithIndex(dir: string, map: Record<string, string> | string): Promise<void> {
  const u8 = (name: string) => ({ name, dtype: 'U8' as const, shape: [2], data: new Uint8Array([1, 2]) });
  await writeSafetensors(join(dir, 'a.safetensors'), [u8('x'), u8('y')]);
  await writeSafetensors(join(dir, 'b.safetensors'), [u8('z')]);
  const text = typeof map === 'string' ? map : formatCheckpointIndex(new Map(Object.entries(map)), 6);
  await writeFile(join(dir, INDEX_FILE), text);
}

test('index and shards must agree', async () => {
  const cases: [Record<string, string> | string, string, RegExp][] = [
    [
      { x: 'a.safetensors', y: 'a.safetensors', z: 'b.safetensors', w: 'a.safetensors' },
      'MissingTensor',
      /"w": the index maps/,
    ],
    [
      { x: 'a.safetensors', y: 'b.safetensors', z: 'b.safetensors' },
      'DuplicateTensor',
      /"y": tensor is also/,
    ],
    [
      { x: 'a.safetensors', z: 'b.safetensors' },
      'UnmappedTensor',
      /a\.safetensors: tensor "y": tensor is in this shard but not/,
    ],
    [{ x: 'a.safetensors', y: 'a.safetensors', z: 'c.safetensors' }, 'MissingShard', /shard c\.safetensors/],
    [{ x: '../a.safetensors' }, 'InvalidIndex', /relative path inside/],
    [{ x: '/etc/passwd' }, 'InvalidIndex', /relative path inside/],
    [
      '{"weight_map": {"x": "a.safetensors", "x": "a.safetensors"}}',
      'DuplicateKey',
      /tensor "x": tensor appears twice/,
    ],
    ['{"weight_map": [1]}', 'InvalidIndex', /weight_map/],
    ['{"weight_map": {"x": 1}}', 'InvalidIndex', /tensor "x": weight_map value/],
    ['{"metadata": {"total_size": -1}, "weight_map": {}}', 'InvalidIndex', /total_size/],
    ['{"weight_map": {}', 'InvalidIndex', /not valid JSON/],
    ['{"weight_map": {}}', 'EmptyCheckpoint', /weight_map is empty/],
  ];
  for (const [map, code, message] of cases) {
    await withTempDir(async (dir) => {
      await shardsWithIndex(dir, map);
      await assert.rejects(openCheckpoint(dir), (err: Error & { code?: string }) => {
        assert.equal(err.code, code, err.message);
        assert.match(err.message, message);
        assert.match(err.message, new RegExp(`^${dir}/`));
        return true;
      });
    });
  }
  await withTempDir(async (dir) => {
    await shardsWithIndex(dir, { x: 'a.safetensors', z: 'b.safetensors' });
    const ckpt = await openCheckpoint(dir, { allowUnmapped: true });
    assert.deepEqual(ckpt.tensorNames(), ['x', 'z']);
    await ckpt.close();
  });
});

test('folders without an index, single files, and empty folders', async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(openCheckpoint(dir), { code: 'EmptyCheckpoint' });
    const u8 = (name: string) => ({ name, dtype: 'U8' as const, shape: [1], data: new Uint8Array([7]) });
    await writeSafetensors(join(dir, 'one.safetensors'), [u8('p'), u8('q')]);
    await writeSafetensors(join(dir, 'two.safetensors'), [u8('r')]);
    const folder = await openCheckpoint(dir);
    assert.deepEqual(folder.tensorNames(), ['p', 'q', 'r']);
    assert.equal(folder.index, undefined);
    await folder.close();
    const single = await openCheckpoint(join(dir, 'two.safetensors'));
    assert.deepEqual(single.tensorNames(), ['r']);
    await single.close();
    await writeSafetensors(join(dir, 'three.safetensors'), [u8('q')]);
    await assert.rejects(openCheckpoint(dir), { code: 'DuplicateTensor', message: /two|three|one/ });
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'a.safetensors.index.json'), '{}');
    await writeFile(join(dir, 'sub', 'b.safetensors.index.json'), '{}');
    await assert.rejects(openCheckpoint(join(dir, 'sub')), {
      code: 'InvalidIndex',
      message: /several index files/,
    });
  });
});
