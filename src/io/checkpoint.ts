/**
 * @module io/checkpoint
 * A checkpoint as one set of tensors, whether it is one `.safetensors` file, a folder of them, or
 * a folder with a `*.safetensors.index.json`. Every shard header is validated when opened, and the
 * index is checked against them: each mapped tensor must be in its shard, and no tensor may sit in
 * two shards or in a shard the index does not send it to.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SafetensorsError } from './errors.js';
import type { TensorInfo } from './header.js';
import { type CheckpointIndex, INDEX_FILE, parseCheckpointIndex } from './index-file.js';
import { openSafetensors, readRegularFile, type SafetensorsFile, type TensorData } from './reader.js';

/** A tensor of a checkpoint and the shard holding it. */
export interface CheckpointTensor extends TensorInfo {
  /** The shard's path. */
  readonly file: string;
}

/** An open checkpoint. */
export interface Checkpoint {
  /** The folder holding the shards. */
  readonly dir: string;
  /** The index, when the checkpoint has one. */
  readonly index: CheckpointIndex | undefined;
  /** The index file's path, when the checkpoint has one. */
  readonly indexPath: string | undefined;
  /** The shards, in file-name order. */
  readonly files: readonly SafetensorsFile[];
  /** Tensor names shard by shard, each shard in file order. */
  tensorNames(): string[];
  info(name: string): CheckpointTensor;
  read(name: string): Promise<Uint8Array>;
  readRange(name: string, start: number, end?: number): Promise<Uint8Array>;
  /** Every tensor, shard by shard, one at a time. */
  tensors(): AsyncGenerator<TensorData & { readonly file: string }>;
  close(): Promise<void>;
}

export interface CheckpointOptions {
  /** Skip tensors that a shard holds but the index does not map, instead of refusing. Default false. */
  readonly allowUnmapped?: boolean;
}

/** Open a `.safetensors` file, an index file, or a folder holding either. */
export async function openCheckpoint(path: string, options: CheckpointOptions = {}): Promise<Checkpoint> {
  if ((await stat(path)).isDirectory()) {
    const names = (await readdir(path)).sort();
    const indexes = names.filter((n) => n.endsWith('.safetensors.index.json'));
    const index = indexes.includes(INDEX_FILE) ? INDEX_FILE : indexes.length === 1 ? indexes[0] : undefined;
    if (index) return openIndexed(join(path, index), options);
    if (indexes.length > 1) {
      throw new SafetensorsError(
        'InvalidIndex',
        path,
        `several index files (${indexes.join(', ')}); open one of them`,
      );
    }
    const shards = names.filter((n) => n.endsWith('.safetensors'));
    if (shards.length === 0)
      throw new SafetensorsError('EmptyCheckpoint', path, 'folder holds no .safetensors file');
    return openShards(
      path,
      shards.map((n) => ({ path: join(path, n), rel: n })),
      undefined,
      options,
    );
  }
  if (path.endsWith('.index.json')) return openIndexed(path, options);
  return openShards(dirname(path), [{ path, rel: basename(path) }], undefined, options);
}

async function openIndexed(indexPath: string, options: CheckpointOptions): Promise<Checkpoint> {
  const index = parseCheckpointIndex(await readRegularFile(indexPath), indexPath);
  const dir = dirname(indexPath);
  const shards = [...new Set(index.weightMap.values())].sort();
  if (shards.length === 0) throw new SafetensorsError('EmptyCheckpoint', indexPath, 'weight_map is empty');
  for (const shard of shards) {
    const exists = await stat(join(dir, shard)).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!exists) throw new SafetensorsError('MissingShard', indexPath, `shard ${shard} is not in ${dir}`);
  }
  return openShards(
    dir,
    shards.map((rel) => ({ path: join(dir, rel), rel })),
    index,
    options,
    indexPath,
  );
}

/** A shard's path, and its name as the index spells it. */
interface ShardRef {
  readonly path: string;
  readonly rel: string;
}

async function openShards(
  dir: string,
  shards: readonly ShardRef[],
  index: CheckpointIndex | undefined,
  options: CheckpointOptions,
  indexPath?: string,
): Promise<Checkpoint> {
  const files: SafetensorsFile[] = [];
  try {
    for (const s of shards) files.push(await openSafetensors(s.path));
    const byName = catalog(files, shards, dir, index, options.allowUnmapped ?? false);
    return checkpointOver(dir, files, index, byName, indexPath);
  } catch (err) {
    await Promise.all(files.map((f) => f.close()));
    throw err;
  }
}

/** Every served tensor by name, after checking the shards against each other and the index. */
function catalog(
  files: readonly SafetensorsFile[],
  shards: readonly ShardRef[],
  dir: string,
  index: CheckpointIndex | undefined,
  allowUnmapped: boolean,
): Map<string, CheckpointTensor> {
  const byName = new Map<string, CheckpointTensor>();
  const holder = new Map<string, string>();
  for (const [i, f] of files.entries()) {
    const rel = shards[i].rel;
    for (const t of f.header.tensors) {
      const first = holder.get(t.name);
      if (first !== undefined) {
        throw new SafetensorsError('DuplicateTensor', f.path, `tensor is also in ${first}`, t.name);
      }
      holder.set(t.name, rel);
      const mapped = index?.weightMap.get(t.name);
      if (index && mapped !== rel) {
        if (mapped !== undefined) {
          throw new SafetensorsError(
            'DuplicateTensor',
            f.path,
            `tensor is also here, but the index maps it to ${mapped}`,
            t.name,
          );
        }
        if (allowUnmapped) continue;
        throw new SafetensorsError(
          'UnmappedTensor',
          f.path,
          'tensor is in this shard but not in the index weight_map',
          t.name,
        );
      }
      byName.set(t.name, { ...t, file: f.path });
    }
  }
  if (index) {
    for (const [name, shard] of index.weightMap) {
      if (!byName.has(name)) {
        throw new SafetensorsError(
          'MissingTensor',
          join(dir, shard),
          'the index maps this tensor here, but the shard lacks it',
          name,
        );
      }
    }
  }
  return byName;
}

function checkpointOver(
  dir: string,
  files: readonly SafetensorsFile[],
  index: CheckpointIndex | undefined,
  byName: ReadonlyMap<string, CheckpointTensor>,
  indexPath: string | undefined,
): Checkpoint {
  const shardOf = new Map(files.map((f) => [f.path, f]));
  const info = (name: string): CheckpointTensor => {
    const t = byName.get(name);
    if (!t)
      throw new SafetensorsError('TensorNotFound', dir, 'no tensor of this name in the checkpoint', name);
    return t;
  };
  const fileOf = (name: string) => shardOf.get(info(name).file)!;
  return {
    dir,
    index,
    indexPath,
    files,
    tensorNames: () => [...byName.keys()],
    info,
    read: async (name) => fileOf(name).read(name),
    readRange: async (name, start, end) => fileOf(name).readRange(name, start, end),
    async *tensors() {
      for (const t of byName.values())
        yield { info: t, file: t.file, data: await fileOf(t.name).read(t.name) };
    },
    async close() {
      await Promise.all(files.map((f) => f.close()));
    },
  };
}
