/**
 * @module io/shards
 * Sharded output: tensors are packed, in the order given, into files of at most `maxShardBytes`
 * of tensor data (a larger tensor gets a file to itself), named `model-00001-of-00003.safetensors`,
 * plus `model.safetensors.index.json`. Each shard is written like a single file (temporary name,
 * renamed when complete), and a source in plan order keeps only one shard open at a time.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { byteSize } from './dtypes.js';
import { SafetensorsError } from './errors.js';
import { formatCheckpointIndex } from './index-file.js';
import { layoutSafetensors, type TensorSpec } from './layout.js';
import {
  createSafetensorsWriter,
  type SafetensorsWriter,
  type TensorChunk,
  type WriterOptions,
} from './writer.js';

/** One planned shard. */
export interface PlannedShard {
  /** The file name, relative to the output folder. */
  readonly file: string;
  readonly tensors: readonly TensorSpec[];
  /** Tensor bytes in the shard (its header not counted). */
  readonly bytes: number;
}

export interface ShardPlan {
  readonly shards: readonly PlannedShard[];
  readonly weightMap: ReadonlyMap<string, string>;
  /** Sum of all tensor byte lengths: the index's `total_size`. */
  readonly totalSize: number;
}

export interface ShardOptions {
  /** Most tensor bytes per shard. */
  readonly maxShardBytes: number;
  /** File name stem. Default 'model'. */
  readonly prefix?: string;
}

export interface ShardedWriteOptions extends ShardOptions, WriterOptions {
  /** `__metadata__` of every shard. Default `{format: 'pt'}`, which transformers expects. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Extra keys for the index's `metadata`, beside `total_size`. */
  readonly indexMetadata?: Readonly<Record<string, unknown>>;
  /** Keep shards already on disk whose header and size match the plan; their chunks are skipped. */
  readonly resume?: boolean;
}

/** Pack `specs`, in order, into shards. */
export function planShards(specs: readonly TensorSpec[], options: ShardOptions): ShardPlan {
  const { maxShardBytes, prefix = 'model' } = options;
  if (!(maxShardBytes > 0)) throw new RangeError(`maxShardBytes must be positive, got ${maxShardBytes}`);
  const groups: { tensors: TensorSpec[]; bytes: number }[] = [];
  let totalSize = 0;
  for (const spec of specs) {
    const size = Number(byteSize(spec.dtype, spec.shape) ?? 0n);
    const last = groups[groups.length - 1];
    if (last && last.bytes + size <= maxShardBytes) {
      last.tensors.push(spec);
      last.bytes += size;
    } else {
      groups.push({ tensors: [spec], bytes: size });
    }
    totalSize += size;
  }
  const count = String(groups.length).padStart(5, '0');
  const shards = groups.map((g, i) => ({
    file: `${prefix}-${String(i + 1).padStart(5, '0')}-of-${count}.safetensors`,
    ...g,
  }));
  const weightMap = new Map<string, string>();
  for (const s of shards) for (const t of s.tensors) weightMap.set(t.name, s.file);
  return { shards, weightMap, totalSize };
}

/** Whether `path` already holds exactly the file `specs` and `metadata` plan (same header, same size). */
export async function isShardComplete(
  path: string,
  specs: readonly TensorSpec[],
  metadata: Readonly<Record<string, string>> = {},
): Promise<boolean> {
  const { header, fileSize } = layoutSafetensors(specs, metadata, path);
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return false;
  try {
    if ((await fh.stat()).size !== fileSize) return false;
    const got = new Uint8Array(header.length);
    const { bytesRead } = await fh.read(got, 0, got.length, 0);
    return bytesRead === got.length && Buffer.compare(got, header) === 0;
  } finally {
    await fh.close();
  }
}

/**
 * Write `specs` as a sharded checkpoint in `dir` (created if needed), taking bytes from `source`,
 * then the index. Returns the plan and the index path. On failure no shard is left half-written.
 */
export async function writeShardedCheckpoint(
  dir: string,
  specs: readonly TensorSpec[],
  source: AsyncIterable<TensorChunk> | Iterable<TensorChunk>,
  options: ShardedWriteOptions,
): Promise<{ plan: ShardPlan; indexPath: string }> {
  const plan = planShards(specs, options);
  const metadata = options.metadata ?? { format: 'pt' };
  const indexPath = join(dir, `${options.prefix ?? 'model'}.safetensors.index.json`);
  await mkdir(dir, { recursive: true });
  const shardOf = new Map<string, number>();
  for (const [i, s] of plan.shards.entries()) for (const t of s.tensors) shardOf.set(t.name, i);
  const state = plan.shards.map(() => 'pending' as 'pending' | 'skipped' | 'done');
  if (options.resume) {
    for (const [i, s] of plan.shards.entries()) {
      if (await isShardComplete(join(dir, s.file), s.tensors, metadata)) state[i] = 'skipped';
    }
  }
  const writerOptions = { ...options, overwrite: options.overwrite || options.resume };
  const writers = new Map<number, SafetensorsWriter>();
  const writerFor = async (i: number) => {
    let w = writers.get(i);
    if (!w) {
      const s = plan.shards[i];
      w = await createSafetensorsWriter(join(dir, s.file), s.tensors, metadata, writerOptions);
      writers.set(i, w);
    }
    return w;
  };
  const finish = async (i: number) => {
    await (await writerFor(i)).finish();
    writers.delete(i);
    state[i] = 'done';
  };
  try {
    for await (const { name, data, offset } of source) {
      const i = shardOf.get(name);
      if (i === undefined)
        throw new SafetensorsError('TensorNotFound', dir, 'not among the planned tensors', name);
      if (state[i] === 'skipped') continue;
      if (state[i] === 'done') {
        throw new SafetensorsError(
          'TensorOverrun',
          join(dir, plan.shards[i].file),
          'bytes arrived after the shard was complete',
          name,
        );
      }
      const w = await writerFor(i);
      await w.write(name, data, offset);
      if (w.complete) await finish(i);
    }
    for (const [i, s] of state.entries()) if (s === 'pending') await finish(i);
    await writeIndex(
      indexPath,
      formatCheckpointIndex(plan.weightMap, plan.totalSize, options.indexMetadata),
      writerOptions,
    );
  } catch (err) {
    await Promise.all([...writers.values()].map((w) => w.abort()));
    throw err;
  }
  return { plan, indexPath };
}

async function writeIndex(path: string, text: string, options: WriterOptions): Promise<void> {
  if (
    !options.overwrite &&
    (await stat(path).then(
      () => true,
      () => false,
    ))
  ) {
    throw new SafetensorsError('OutputExists', path, 'file already exists; pass overwrite to replace it');
  }
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  let created = false; // exclusive create: a file of that name that is not ours is never written or removed
  try {
    await options.onTemp?.(temp);
    await writeFile(temp, text, { flag: 'wx' });
    created = true;
    await rename(temp, path);
    await options.onPlaced?.(path);
  } catch (err) {
    if (created) await rm(temp, { force: true });
    throw err;
  }
}
