/**
 * @module convert/convert
 * Convert a checkpoint between BF16/F16/F32 and the quantized layouts, streaming: one slab of rows
 * is read, encoded and written at a time, so memory stays bounded by a slab (about
 * `slabElements` values), not by a tensor or the checkpoint. Output goes through the io writer
 * (temporary name, renamed when complete). A marker file records the input and options while a
 * conversion runs; re-running the same conversion after an interruption keeps the shards already
 * complete and only writes the rest.
 */
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  type Checkpoint,
  isShardComplete,
  openCheckpoint,
  planShards,
  type TensorChunk,
  type TensorSpec,
  writeShardedCheckpoint,
} from '../io/index.js';
import { tensorAmax } from '../quant/index.js';
import { copyConfigFiles } from './config-files.js';
import { ConvertError } from './errors.js';
import {
  baseName,
  outputSpecs,
  type QuantTarget,
  quantTarget,
  refusal,
  slabEncoder,
  type TargetName,
} from './layouts.js';
import type { Progress } from './progress.js';
import { type SelectionOptions, selector } from './select.js';
import { type LogicalTensor, logicalTensors, matrices, transpose } from './source.js';
import { toBf16Bytes } from './tensor.js';

export interface ConvertOptions extends SelectionOptions {
  readonly to: TargetName;
  /** Scheme name or alias; default per layout (layouts.ts DEFAULT_SCHEMES). */
  readonly scheme?: string;
  /** DeepSeek scale storage. Default F32. */
  readonly scaleDtype?: 'F32' | 'F8_E8M0';
  /** Most tensor bytes per output shard. Default 5e9 (5 GB). */
  readonly maxShardBytes?: number;
  /** Write into a non-empty output folder (starting over). */
  readonly force?: boolean;
  /** Values per slab (float32). Default 1 Mi: 4 MB of float32 per slab. */
  readonly slabElements?: number;
  /** fsync shards before renaming them. Default true. */
  readonly sync?: boolean;
  readonly onProgress?: (p: Progress) => void;
}

/** What happened to each input tensor. */
export interface ConvertedTensor {
  readonly name: string;
  readonly action: 'quantized' | 'dequantized' | 'copied' | 'kept';
  /** Why a selected tensor was kept unquantized. */
  readonly reason?: string;
  readonly outputs: readonly string[];
}

export interface ConvertResult {
  readonly input: string;
  readonly output: string;
  readonly to: TargetName;
  readonly scheme: string | undefined;
  readonly tensors: readonly ConvertedTensor[];
  readonly shards: number;
  /** Shards kept from an interrupted run. */
  readonly resumedShards: number;
  readonly inputBytes: number;
  readonly outputBytes: number;
  readonly files: readonly string[];
  readonly seconds: number;
}

const MARKER = '.chipstack-convert.json';
const COPY_CHUNK = 16 * 1024 * 1024;
const SHARD_FILE = /^model-\d{5}-of-\d{5}\.safetensors$/;

interface Job {
  readonly t: LogicalTensor;
  readonly kind: 'quantize' | 'decode' | 'copy';
  readonly outputs: readonly TensorSpec[];
  readonly reason?: string;
}

/** Decide, tensor by tensor, what the output holds. */
function planJobs(
  tensors: readonly LogicalTensor[],
  target: QuantTarget | undefined,
  options: ConvertOptions,
): Job[] {
  const selected = selector({ ...options, fused: target?.layout === 'mxfp4' });
  return tensors.map((t): Job => {
    const asBf16: Job = { t, kind: 'decode', outputs: [{ name: t.name, dtype: 'BF16', shape: t.shape }] };
    const copy = (): Job =>
      t.layout === 'plain'
        ? { t, kind: 'copy', outputs: [{ name: t.name, dtype: t.dtype, shape: t.shape }] }
        : asBf16;
    if (!target || !selected(t.name, t.shape)) return copy();
    if (!t.isFloat)
      throw new ConvertError(
        `tensor ${JSON.stringify(t.name)}: dtype ${t.dtype} is not a float type; it cannot be quantized`,
      );
    const why = refusal(target, t.qshape);
    if (why) return { ...copy(), reason: why };
    return { t, kind: 'quantize', outputs: outputSpecs(target, t.name, t.qshape) };
  });
}

/** What identifies a conversion, for resuming: input files (size, mtime) and options. */
async function fingerprint(ck: Checkpoint, options: ConvertOptions, scheme: string | undefined) {
  const files = [];
  for (const f of ck.files) {
    const s = await stat(f.path);
    files.push({ file: resolve(f.path), size: s.size, mtimeMs: s.mtimeMs });
  }
  return JSON.stringify({
    version: 1,
    files,
    to: options.to,
    scheme,
    scaleDtype: options.scaleDtype ?? 'F32',
    include: options.include ?? [],
    exclude: options.exclude ?? [],
    maxShardBytes: options.maxShardBytes ?? 5e9,
  });
}

async function exists(path: string) {
  return stat(path).then(
    (s) => s,
    () => undefined,
  );
}

/** Convert the checkpoint at `input` (file, folder or index) into the folder `output`. */
export async function convertCheckpoint(
  input: string,
  output: string,
  options: ConvertOptions,
): Promise<ConvertResult> {
  const started = performance.now();
  if (!(await exists(input))) throw new ConvertError(`${input}: no such file or folder`);
  const target =
    options.to === 'bf16' ? undefined : quantTarget(options.to, options.scheme, options.scaleDtype);
  const ck = await openCheckpoint(input);
  try {
    const out = resolve(output);
    if (out === resolve(ck.dir) || ck.files.some((f) => resolve(f.path) === out)) {
      throw new ConvertError(
        `${output}: the output folder is the input's folder; refusing to write over the input`,
      );
    }
    const jobs = planJobs(logicalTensors(ck), target, options);
    const specs = jobs.flatMap((j) => j.outputs);
    const maxShardBytes = options.maxShardBytes ?? 5e9;
    const plan = planShards(specs, { maxShardBytes });
    const marker = await fingerprint(ck, options, target?.scheme.name);
    const resume = await prepareOutput(
      out,
      output,
      marker,
      options.force ?? false,
      new Set(plan.shards.map((s) => s.file)),
    );
    const skipped = new Set<string>();
    if (resume) {
      for (const s of plan.shards) {
        if (await isShardComplete(join(out, s.file), s.tensors, { format: 'pt' })) skipped.add(s.file);
      }
    }
    await mkdir(out, { recursive: true });
    await writeFile(join(out, MARKER), marker);
    const shardOf = plan.weightMap;
    const progress = { tensorsDone: 0, tensors: jobs.length, bytesDone: 0, bytes: 0 };
    for (const j of jobs) progress.bytes += j.t.bytes;
    const report = () => options.onProgress?.({ ...progress, seconds: (performance.now() - started) / 1000 });
    const source = async function* (): AsyncGenerator<TensorChunk> {
      for (const job of jobs) {
        if (job.outputs.every((o) => skipped.has(shardOf.get(o.name)!))) progress.bytesDone += job.t.bytes;
        else
          yield* run(ck, job, target, options.slabElements ?? 1 << 20, (b) => {
            progress.bytesDone += b;
            report();
          });
        progress.tensorsDone++;
        report();
      }
    };
    await writeShardedCheckpoint(out, specs, source(), {
      maxShardBytes,
      resume,
      overwrite: options.force ?? false,
      sync: options.sync,
      metadata: { format: 'pt' },
    });
    const notConverted = [
      ...new Set(
        jobs
          .filter((j) => j.kind !== 'quantize' && j.t.shape.length >= 2 && j.t.name.endsWith('.weight'))
          .map((j) => baseName(j.t.name)),
      ),
    ];
    const files = await copyConfigFiles(ck.dir, out, target, notConverted);
    await rm(join(out, MARKER), { force: true });
    return {
      input,
      output,
      to: options.to,
      scheme: target?.scheme.name,
      tensors: jobs.map((j) => ({
        name: j.t.name,
        action:
          j.kind === 'quantize'
            ? 'quantized'
            : j.kind === 'decode'
              ? 'dequantized'
              : j.reason
                ? 'kept'
                : 'copied',
        ...(j.reason ? { reason: j.reason } : {}),
        outputs: j.outputs.map((o) => o.name),
      })),
      shards: plan.shards.length,
      resumedShards: skipped.size,
      inputBytes: progress.bytes,
      outputBytes: plan.totalSize,
      files,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await ck.close();
  }
}

/**
 * Make sure `out` may be written. An empty or missing folder is fine; one holding our marker for
 * the same conversion resumes; any other non-empty folder needs `force` (then our stale shards
 * are removed). Returns whether to resume.
 */
async function prepareOutput(
  out: string,
  label: string,
  marker: string,
  force: boolean,
  planned: Set<string>,
) {
  const s = await exists(out);
  if (s && !s.isDirectory()) throw new ConvertError(`${label}: exists and is not a folder`);
  const entries = s ? await readdir(out) : [];
  if (entries.length === 0) return false;
  const previous = entries.includes(MARKER) ? await readFile(join(out, MARKER), 'utf8') : undefined;
  if (!force && previous === marker) return true;
  if (!force) {
    throw new ConvertError(
      `${label}: output folder is not empty${previous ? ' (it holds an unfinished conversion with other input or options)' : ''}; pass --force to write into it`,
    );
  }
  for (const e of entries) {
    if ((SHARD_FILE.test(e) && !planned.has(e)) || (e.startsWith('.model-') && e.endsWith('.tmp'))) {
      await rm(join(out, e), { force: true });
    }
  }
  return false;
}

/** The chunks of one job, slab by slab; `advance` gets input bytes as they are consumed. */
async function* run(
  ck: Checkpoint,
  job: Job,
  target: QuantTarget | undefined,
  slabElements: number,
  advance: (bytes: number) => void,
): AsyncGenerator<TensorChunk> {
  const { t } = job;
  if (job.kind === 'copy') {
    for (let at = 0; at < t.bytes; at += COPY_CHUNK) {
      const end = Math.min(t.bytes, at + COPY_CHUNK);
      yield { name: t.name, data: await ck.readRange(t.name, at, end) };
      advance(end - at);
    }
    return;
  }
  const { batch, rows, cols } = matrices(t.qshape);
  const blockRows = job.kind === 'quantize' ? target!.blockRows : 1;
  // a transposed tensor is handled a whole matrix at a time
  const step = t.transposed
    ? rows
    : Math.max(
        blockRows,
        Math.floor(Math.max(1, Math.floor(slabElements / Math.max(cols, 1))) / blockRows) * blockRows,
      );
  const perRow = t.bytes / Math.max(1, batch * rows);
  const slabs = function* () {
    for (let b = 0; b < batch; b++)
      for (let r0 = 0; r0 < rows; r0 += step) yield [b, r0, Math.min(rows, r0 + step)] as const;
  };
  const read = (s: readonly [number, number, number]) => t.readRows(...s);
  if (job.kind === 'decode') {
    for await (const [[, r0, r1], data] of prefetch(slabs(), read)) {
      const x = t.transposed ? transpose(data, rows, cols) : data;
      yield { name: t.name, data: toBf16Bytes(x) };
      advance((r1 - r0) * perRow);
    }
    return;
  }
  let amax = 0;
  if (target!.layout === 'nvfp4') {
    for (const s of slabs()) {
      const a = tensorAmax(await read(s));
      if (Number.isNaN(a) || a > amax) amax = a;
      if (Number.isNaN(amax)) break;
    }
  }
  const enc = slabEncoder(target!, t.name, t.qshape, amax);
  yield* enc.prologue;
  for await (const [[, r0, r1], data] of prefetch(slabs(), read)) {
    yield* enc.slab(data, r1 - r0, cols);
    advance((r1 - r0) * perRow);
  }
}

/** Pairs of (item, read(item)), the next read started while the current one is used. */
async function* prefetch<S, T>(items: Iterable<S>, read: (s: S) => Promise<T>): AsyncGenerator<[S, T]> {
  const it = items[Symbol.iterator]();
  let cur = it.next();
  let pending = cur.done ? undefined : read(cur.value);
  while (!cur.done) {
    const value = await pending!;
    const next = it.next();
    pending = next.done ? undefined : read(next.value);
    pending?.catch(() => {}); // surfaced when awaited
    yield [cur.value, value];
    cur = next;
  }
}
