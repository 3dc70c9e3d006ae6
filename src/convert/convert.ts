/**
 * @module convert/convert
 * Convert a checkpoint between BF16/F16/F32 and the quantized layouts, streaming slabs of rows
 * (about `slabElements` values) through a pipeline: the next slabs are read while worker threads
 * encode the ones before them and the finished ones are written, in order. A fixed number of
 * slabs is in flight (2 · threads + 1), so memory stays bounded by a few slabs per worker, not by
 * a tensor or the checkpoint. Output goes through the io writer
 * (temporary name, renamed when complete). A marker file records the input and options while a
 * conversion runs; re-running the same conversion after an interruption keeps the shards already
 * complete and only writes the rest.
 */
import { type FileHandle, lstat, mkdir, open, readdir, rmdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  type Checkpoint,
  type Dtype,
  INDEX_FILE,
  isShardComplete,
  openCheckpoint,
  planShards,
  type TensorChunk,
  type TensorSpec,
  writeShardedCheckpoint,
} from '../io/index.js';
import { coarseScale, finiteAmax, nvfp4GlobalScale } from '../quant/index.js';
import { configFileNames, copyConfigFiles } from './config-files.js';
import { ConvertError } from './errors.js';
import {
  outputSpecs,
  type QuantTarget,
  quantTarget,
  refusal,
  rowCodeBytes,
  type TargetName,
  tensorTarget,
} from './layouts.js';
import { checkOutputNotInput, type InputIdentity, inputIdentity, Ledger, MARKER } from './ledger.js';
import { checkThreads, createSlabPool, defaultThreads, type SlabPool, type Slot } from './pool.js';
import type { Progress } from './progress.js';
import { type SelectionOptions, selector } from './select.js';
import { countNonFinite, NON_FINITE_POLICIES, type NonFinitePolicy, slabOutputBytes } from './slab.js';
import { type LogicalTensor, logicalTensors, matrices, tiles, transpose } from './source.js';
import { toBf16Bytes } from './tensor.js';

export interface ConvertOptions extends SelectionOptions {
  readonly to: TargetName;
  /** Scheme name or alias; default per layout (layouts.ts DEFAULT_SCHEMES). */
  readonly scheme?: string;
  /** DeepSeek scale storage. Default F32. */
  readonly scaleDtype?: 'F32' | 'F8_E8M0';
  /** `ascend`: MX scales in CANN's pairs, `[out, ceil(in/64), 2]` F8_E8M0 (mxfp8 and mxfp4). */
  readonly scaleLayout?: 'ascend';
  /** Most tensor bytes per output shard. Default 5e9 (5 GB). */
  readonly maxShardBytes?: number;
  /** Write into a non-empty output folder (starting over). */
  readonly force?: boolean;
  /** Values per slab (float32). Default 1 Mi: 4 MB of float32 per slab. */
  readonly slabElements?: number;
  /**
   * A gpt-oss fused expert matrix up to this many values is read whole and transposed in memory
   * (64 MB of float32 at the default 2^24); a larger one tile by tile. Lower it to test the tiles.
   */
  readonly wholeTransposeElements?: number;
  /** fsync shards before renaming them. Default true. */
  readonly sync?: boolean;
  /**
   * Worker threads that encode slabs (the output is the same for any count). 1 encodes in the
   * calling thread. Default 2, or 1 on a one-core machine.
   */
  readonly threads?: number;
  /**
   * NaN and ±Inf in tensors to quantize: `keep` (default) encodes them as each target's reference
   * does (README), `clamp` makes NaN 0 and ±Inf the block's largest finite magnitude first, `error`
   * refuses the tensor. Counted per tensor either way (`ConvertResult.nonFinite`).
   */
  readonly onNonFinite?: NonFinitePolicy;
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
  /**
   * Files of an earlier run removed before writing: temporary shards an interrupted run left, or
   * with `force` every file the earlier conversion wrote.
   */
  readonly removed: readonly string[];
  /** Quantized tensors that held NaN or ±Inf values, how many, and what was done (`policy`). */
  readonly nonFinite: readonly { name: string; count: number; policy: NonFinitePolicy }[];
  readonly inputBytes: number;
  readonly outputBytes: number;
  readonly files: readonly string[];
  readonly seconds: number;
}

const COPY_CHUNK = 4 * 1024 * 1024;

/** NaN and ±Inf inputs met, per tensor, under the policy of the run. */
interface NonFiniteTally {
  readonly policy: NonFinitePolicy;
  readonly counts: Map<string, number>;
}

interface Job {
  readonly t: LogicalTensor;
  readonly kind: 'quantize' | 'decode' | 'copy';
  readonly outputs: readonly TensorSpec[];
  readonly reason?: string;
  /** How a quantized tensor is written (DeepSeek-V4: its experts' target or the dense one). */
  readonly target?: QuantTarget;
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
    const tt = tensorTarget(target, t.name);
    const why = refusal(tt, t.qshape);
    if (why) return { ...copy(), reason: why };
    const stored = t.transposed ? t.qshape : t.shape;
    return { t, kind: 'quantize', target: tt, outputs: outputSpecs(tt, t.name, t.qshape, stored) };
  });
}

/** The scheme a conversion writes (DeepSeek-V4: dense + experts). */
function schemeNames(target: QuantTarget | undefined): string | undefined {
  if (!target) return undefined;
  return target.experts ? `${target.scheme.name}+${target.experts.scheme.name}` : target.scheme.name;
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
    ...(options.scaleLayout ? { scaleLayout: options.scaleLayout } : {}),
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

/** The largest finite float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** Convert the checkpoint at `input` (file, folder or index) into the folder `output`. */
export async function convertCheckpoint(
  input: string,
  output: string,
  options: ConvertOptions,
): Promise<ConvertResult> {
  const started = performance.now();
  const threads = options.threads === undefined ? defaultThreads() : checkThreads(options.threads);
  if (input === '') throw new ConvertError('the input path is empty');
  if (output === '') throw new ConvertError('the output folder is empty (""); give a folder name');
  if (!(await exists(input))) throw new ConvertError(`${input}: no such file or folder`);
  const target =
    options.to === 'bf16'
      ? undefined
      : quantTarget(options.to, options.scheme, options.scaleDtype, options.scaleLayout);
  const ck = await openCheckpoint(input);
  try {
    const out = resolve(output);
    const identity = await inputIdentity(ck.dir, [
      ...ck.files.map((f) => f.path),
      ...(ck.indexPath ? [ck.indexPath] : []),
    ]);
    await checkOutputNotInput(out, output, identity);
    const wholeTranspose = options.wholeTransposeElements;
    const jobs = planJobs(logicalTensors(ck, { wholeTranspose }), target, options);
    if (jobs.length === 0) throw new ConvertError(`${input}: holds no tensors; nothing to convert`);
    const specs = jobs.flatMap((j) => j.outputs);
    const maxShardBytes = options.maxShardBytes ?? 5e9;
    const plan = planShards(specs, { maxShardBytes });
    const marker = await fingerprint(ck, options, schemeNames(target));
    const writes = [
      ...plan.shards.map((s) => s.file),
      INDEX_FILE,
      ...(await configFileNames(ck.dir, target)),
    ];
    const setup = await prepareOutput(out, output, marker, options.force ?? false, writes, identity);
    const { ledger, resume } = setup;
    const skipped = new Set<string>();
    if (resume) {
      for (const s of plan.shards) {
        if (await isShardComplete(join(out, s.file), s.tensors, { format: 'pt' })) skipped.add(s.file);
      }
    }
    const shardOf = plan.weightMap;
    const progress = { tensorsDone: 0, tensors: jobs.length, bytesDone: 0, bytes: 0 };
    for (const j of jobs) progress.bytes += j.t.bytes;
    const report = () => options.onProgress?.({ ...progress, seconds: (performance.now() - started) / 1000 });
    const slabElements = options.slabElements ?? 1 << 20;
    const needsPool = jobs.some((j) => j.kind === 'quantize');
    const policy = options.onNonFinite ?? 'keep';
    if (!NON_FINITE_POLICIES.includes(policy)) {
      throw new ConvertError(
        `--on-nonfinite must be one of ${NON_FINITE_POLICIES.join(', ')}, got ${String(policy)}`,
      );
    }
    const tally: NonFiniteTally = { policy, counts: new Map() };
    const hooks = { onTemp: (p: string) => ledger.temp(p), onPlaced: (p: string) => ledger.placed(p) };
    let files: string[];
    try {
      const pool = createSlabPool(needsPool ? threads : 1);
      const rawFiles = new RawFiles();
      try {
        const units = async function* (): AsyncGenerator<Unit> {
          for (const job of jobs) {
            if (job.outputs.every((o) => skipped.has(shardOf.get(o.name)!))) {
              yield { bytes: job.t.bytes, ends: true, start: async () => [] };
            } else yield* jobUnits(ck, job, target, slabElements, pool, rawFiles, tally, wholeTranspose);
          }
        };
        const slots = Array.from({ length: pool.threads === 1 ? 3 : 2 * pool.threads + 1 }, pool.newSlot);
        const done = (u: Unit) => {
          progress.bytesDone += u.bytes;
          report();
          if (u.ends) {
            progress.tensorsDone++;
            report();
          }
        };
        await writeShardedCheckpoint(out, specs, pipeline(units(), slots, done), {
          maxShardBytes,
          resume,
          overwrite: true, // every name written is checked to be absent or ours (prepareOutput)
          sync: options.sync,
          metadata: { format: 'pt' },
          ...hooks,
        });
      } finally {
        await pool.close();
        await rawFiles.close();
      }
      const notConverted = excludedModules(
        jobs.map((j) => ({
          name: j.t.name,
          shape: j.t.shape,
          isFloat: j.t.isFloat,
          quantized: j.kind === 'quantize',
        })),
      );
      files = await copyConfigFiles(ck.dir, out, target, notConverted, hooks);
      await ledger.finish();
    } catch (err) {
      throw await cleanUpAfterFailure(err, ledger, identity, output, setup.createdFrom);
    }
    return {
      input,
      output,
      to: options.to,
      scheme: schemeNames(target),
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
      removed: setup.removed,
      nonFinite: [...tally.counts].map(([name, count]) => ({ name, count, policy })),
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
 * After a failed conversion: remove the temporary files it left; keep complete shards (with the
 * marker, so that the same command resumes) or, when there are none, remove the marker too (and
 * the folder, if this run created it and it is empty, with the parent folders this run created for
 * it). The error's message says which.
 */
async function cleanUpAfterFailure(
  err: unknown,
  ledger: Ledger,
  identity: InputIdentity,
  label: string,
  createdFrom: string | undefined,
): Promise<unknown> {
  let note: string;
  try {
    await ledger.remove('temps', identity);
    const kept = await ledger.finals();
    if (kept.length === 0) {
      await ledger.drop();
      if (createdFrom !== undefined) await removeCreatedFolders(ledger.dir, createdFrom);
      note = `nothing was left in ${label}`;
    } else {
      note = `${kept.length} complete file(s) kept in ${label}: run the same command again to resume, or pass --force to start over`;
    }
  } catch (cleanupError) {
    note = `cleaning up ${label} failed too: ${(cleanupError as Error).message}`;
  }
  if (err instanceof Error) {
    err.message = `${err.message.split('\n')[0]} (${note})`;
    return err;
  }
  return new ConvertError(`${String(err)} (${note})`);
}

/**
 * Remove `dir` and its parents up to `top` (the first folder this run created), each only if empty:
 * a failed run leaves no folder of its own behind, and never removes one it did not create.
 */
async function removeCreatedFolders(dir: string, top: string): Promise<void> {
  const stop = resolve(top);
  for (let d = resolve(dir); ; d = dirname(d)) {
    const removed = await rmdir(d).then(
      () => true,
      () => false,
    );
    if (!removed || d === stop || dirname(d) === d) return;
  }
}

/** What `prepareOutput` found and did. */
interface OutputSetup {
  readonly ledger: Ledger;
  /** Whether to keep complete shards of an interrupted run of the same conversion. */
  readonly resume: boolean;
  /** The first folder this run created (the output folder or a missing parent of it); undefined if none. */
  readonly createdFrom: string | undefined;
  /** Files of ours removed before starting (stale temporary shards, or everything with --force). */
  readonly removed: readonly string[];
}

/**
 * Make sure `out` may be written. An empty or missing folder is fine; one whose marker records an
 * unfinished run of the same conversion resumes (its temporary files are removed); any other
 * non-empty folder needs `force`, which removes the files the marker lists as ours (by device and
 * inode) and nothing else. No file named in `writes` may exist unless it is ours, with or without
 * `force`: files this tool did not write are never replaced.
 */
async function prepareOutput(
  out: string,
  label: string,
  marker: string,
  force: boolean,
  writes: readonly string[],
  identity: InputIdentity,
): Promise<OutputSetup> {
  const s = await exists(out);
  if (s && !s.isDirectory()) throw new ConvertError(`${label}: exists and is not a folder`);
  if (!s && (await lstat(out).catch(() => undefined))?.isSymbolicLink())
    throw new ConvertError(
      `${label}: is a symbolic link to nothing; create its target folder or choose another name`,
    );
  const entries = s ? await readdir(out) : [];
  let ledger = s ? await Ledger.read(out) : undefined;
  const others = entries.filter((e) => e !== MARKER);
  let resume = false;
  let removed: string[] = [];
  if (ledger && !ledger.isComplete && ledger.planText === marker && !force) {
    resume = true;
    removed = await ledger.remove('temps', identity);
  } else if (others.length > 0 && !force) {
    const what = !ledger
      ? ''
      : ledger.isComplete
        ? ' (it holds a finished conversion)'
        : ' (it holds an unfinished conversion with other input or options)';
    throw new ConvertError(`${label}: output folder is not empty${what}; pass --force to write into it`);
  } else if (ledger) {
    removed = await ledger.remove('all', identity);
  }
  for (const name of writes) {
    const there = await lstat(join(out, name)).catch(() => undefined);
    if (there && !(ledger && (await ledger.owns(name)))) {
      throw new ConvertError(
        `${join(label, name)}: exists and was not written by chipstack convert; it is never replaced, even with --force: move it away or choose another output folder`,
      );
    }
  }
  if (ledger && !resume) ledger.restart(marker);
  ledger ??= Ledger.create(out, marker);
  let createdFrom: string | undefined;
  if (!s) {
    // the last level on its own: a recursive mkdir reports ENOENT, not EROFS, on a read-only parent
    if (await exists(dirname(out))) {
      await mkdir(out);
      createdFrom = out;
    } else createdFrom = (await mkdir(out, { recursive: true })) ?? out;
  }
  await ledger.save();
  return { ledger, resume, createdFrom, removed };
}

/** A piece of work in the pipeline: its output chunks, from the slot it is given. */
interface Unit {
  /** Input bytes it accounts for (progress). */
  readonly bytes: number;
  /** Whether it is the last of its tensor. */
  readonly ends: boolean;
  start(slot: Slot): Promise<TensorChunk[]>;
}

/**
 * The chunks of every unit, in order, with up to `slots.length` units started ahead: a unit's
 * slot is given back once its chunks have been taken (the writer takes a chunk only after writing
 * the one before), and the next unit starts in it.
 */
async function* pipeline(
  units: AsyncIterator<Unit>,
  slots: Slot[],
  done: (u: Unit) => void,
): AsyncGenerator<TensorChunk> {
  const free = [...slots];
  const queue: { unit: Unit; slot: Slot; result: Promise<TensorChunk[]> }[] = [];
  let exhausted = false;
  const fill = async () => {
    while (!exhausted && free.length > 0) {
      const next = await units.next();
      if (next.done) {
        exhausted = true;
        return;
      }
      const slot = free.pop()!;
      const result = next.value.start(slot);
      result.catch(() => {}); // surfaced when awaited
      queue.push({ unit: next.value, slot, result });
    }
  };
  try {
    await fill();
    while (queue.length > 0) {
      const head = queue[0]!;
      for (const c of await head.result) yield c;
      queue.shift();
      free.push(head.slot);
      done(head.unit);
      await fill();
    }
  } finally {
    // nothing may still write into a slot or read a file once we are gone
    await Promise.allSettled(queue.map((q) => q.result));
  }
}

/** Shards opened for reading rows into buffers of our own. */
class RawFiles {
  private readonly handles = new Map<string, Promise<FileHandle>>();
  async read(path: string, position: number, into: Uint8Array): Promise<void> {
    let h = this.handles.get(path);
    if (!h) {
      h = open(path, 'r');
      h.catch(() => {});
      this.handles.set(path, h);
    }
    const fh = await h;
    let done = 0;
    while (done < into.length) {
      const want = Math.min(into.length - done, 1 << 30);
      const { bytesRead } = await fh.read(into, done, want, position + done);
      if (bytesRead === 0) {
        throw new ConvertError(
          `${path}: file ended at byte ${position + done}, before byte ${position + into.length}; was it changed while open?`,
        );
      }
      done += bytesRead;
    }
  }
  async close(): Promise<void> {
    const all = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(all.map((h) => h.then((fh) => fh.close()).catch(() => {})));
  }
}

/** The units of one job: slab by slab (copies in 4 MiB pieces). */
async function* jobUnits(
  ck: Checkpoint,
  job: Job,
  target: QuantTarget | undefined,
  slabElements: number,
  pool: SlabPool,
  files: RawFiles,
  nonFinite: NonFiniteTally,
  wholeTranspose?: number,
): AsyncGenerator<Unit> {
  const { t } = job;
  if (job.kind === 'copy') {
    if (t.bytes === 0) yield { bytes: 0, ends: true, start: async () => [] };
    for (let at = 0; at < t.bytes; at += COPY_CHUNK) {
      const end = Math.min(t.bytes, at + COPY_CHUNK);
      yield {
        bytes: end - at,
        ends: end === t.bytes,
        start: async () => [{ name: t.name, data: await ck.readRange(t.name, at, end) }],
      };
    }
    return;
  }
  const { rows, cols } = matrices(t.qshape);
  const blockRows = job.kind === 'quantize' ? job.target!.blockRows : 1;
  // dual-level MXFP4's level-0 scale spans 512 columns: column tiles must not cut a 512-group
  const coarse = job.kind === 'quantize' ? coarseScale(job.target!.scheme) : null;
  const slabs = tiles(t.qshape, blockRows, slabElements, t.transposed, wholeTranspose, coarse?.elements);
  const perElement = t.bytes / Math.max(1, numel(t.qshape));
  const unit = (i: number, start: Unit['start']): Unit => {
    const [, r0, r1, c0, c1] = slabs[i]!;
    return { bytes: (r1 - r0) * (c1 - c0) * perElement, ends: i === slabs.length - 1, start };
  };
  if (job.kind === 'decode') {
    if (slabs.length === 0) yield { bytes: 0, ends: true, start: async () => [] };
    for (const [i, [b, r0, r1, c0, c1]] of slabs.entries()) {
      yield unit(i, async () => {
        const data = await t.readRows(b, r0, r1, c0, c1);
        const h = r1 - r0;
        const w = c1 - c0;
        if (t.transposed) {
          // stored [cols, rows]: our columns c0..c1 are its rows, our rows r0..r1 its columns
          const x = toBf16Bytes(transpose(data, h, w));
          if (h === rows) return [{ name: t.name, data: x, offset: (b * cols + c0) * rows * 2 }];
          return Array.from({ length: w }, (_, j) => ({
            name: t.name,
            data: x.subarray(j * h * 2, (j + 1) * h * 2),
            offset: ((b * cols + c0 + j) * rows + r0) * 2,
          }));
        }
        const x = toBf16Bytes(data);
        return rowPieces(t.name, x, h, w * 2, ((b * rows + r0) * cols + c0) * 2, cols * 2, w === cols);
      });
    }
    return;
  }
  const tq = job.target ?? target!;
  let amax = 0;
  const policy = nonFinite.policy;
  const refuse = (count: number) =>
    new ConvertError(
      `tensor ${JSON.stringify(t.name)}: ${count} non-finite value(s) (NaN or ±Inf) in the input; pass --on-nonfinite keep or clamp to convert it anyway`,
    );
  if (tq.layout === 'nvfp4') {
    // the tensor scale comes from the finite values only: one Inf must not set it
    let bad = 0;
    for (const [b, r0, r1, c0, c1] of slabs) {
      const x = await t.readRows(b, r0, r1, c0, c1);
      amax = Math.max(amax, finiteAmax(x));
      bad += countNonFinite(x);
    }
    if (bad > 0 && policy === 'error') throw refuse(bad);
  }
  // 448·6/amax overflows float32 when amax is a float32 subnormal (below about 7.9e-36): TensorRT-LLM's
  // global scale is then Infinity and its tensor scale 1/Infinity = 0. The largest finite float32
  // keeps weight_scale_2 a positive float32 (no loader divides by 0); every value encodes as 0 either way.
  const g = nvfp4GlobalScale(amax);
  const globalScale = Number.isFinite(g) ? g : FLOAT32_MAX;
  const specs = outputSpecs(tq, t.name, t.qshape);
  const [w, s] = specs.map((o) => o.name) as [string, string];
  // NVFP4's tensor scale (weight_scale_2 = 1 / global scale) goes before the first slab
  const prologue: TensorChunk[] =
    tq.layout === 'nvfp4'
      ? [{ name: specs[2]!.name, data: new Uint8Array(Float32Array.of(Math.fround(1 / globalScale)).buffer) }]
      : [];
  if (prologue.length > 0 || slabs.length === 0) {
    yield { bytes: 0, ends: slabs.length === 0, start: async () => prologue };
  }
  const raw = t.raw;
  const scaleBytes = tq.layout === 'deepseek-fp8' && tq.scaleDtype === 'F32' ? 4 : 1;
  const colBlocks = Math.ceil(cols / tq.blockCols);
  const rowBlocks = Math.ceil(rows / tq.blockRows);
  for (const [i, [b, r0, r1, c0, c1]] of slabs.entries()) {
    yield unit(i, async (slot) => {
      const h = r1 - r0;
      const width = c1 - c0;
      const n = h * width;
      const [wb, sb, cb] = slabOutputBytes(tq, h, width);
      let dtype: Dtype = 'F32';
      let inputBytes = n * 4;
      if (raw) {
        dtype = t.dtype;
        const eb = raw.bytesPerElement;
        inputBytes = n * eb;
        pool.fit(slot, inputBytes, wb + sb + cb);
        const at = raw.fileOffset + ((b * rows + r0) * cols + c0) * eb;
        if (width === cols || h === 1) await files.read(raw.file, at, slot.input.subarray(0, inputBytes));
        else {
          for (let r = 0; r < h; r++) {
            const row = slot.input.subarray(r * width * eb, (r + 1) * width * eb);
            await files.read(raw.file, at + r * cols * eb, row);
          }
        }
      } else {
        const x = await t.readRows(b, r0, r1, c0, c1);
        pool.fit(slot, inputBytes, wb + sb + cb);
        slot.input.set(new Uint8Array(x.buffer, x.byteOffset, inputBytes));
      }
      const task = { target: tq, globalScale, dtype, rows: h, cols: width, onNonFinite: policy };
      const bad = await pool.encode(task, slot, inputBytes);
      if (bad > 0) {
        if (policy === 'error') throw refuse(bad);
        nonFinite.counts.set(t.name, (nonFinite.counts.get(t.name) ?? 0) + bad);
      }
      const whole = width === cols;
      const codes = slot.output.subarray(0, wb);
      const scales = slot.output.subarray(wb, wb + sb);
      // scale rows of this slab: one per row, or one per 128-row tile (DeepSeek)
      const scaleRows = Math.ceil(h / tq.blockRows);
      const scaleRow0 = b * rowBlocks + Math.floor(r0 / tq.blockRows);
      const scaleWidth = Math.ceil(width / tq.blockCols) * scaleBytes;
      // Ascend scale pairs: a row of an odd number of blocks ends with a 0 pad byte (as CANN pads)
      const scaleStride = tq.scaleLayout === 'ascend' ? 2 * Math.ceil(colBlocks / 2) : colBlocks;
      const pads: TensorChunk[] =
        scaleStride > colBlocks && c1 === cols
          ? Array.from({ length: scaleRows }, (_, r) => ({
              name: s,
              data: new Uint8Array(1),
              offset: ((scaleRow0 + r) * scaleStride + colBlocks) * scaleBytes,
            }))
          : [];
      return [
        ...rowPieces(
          w,
          codes,
          h,
          rowCodeBytes(tq, width),
          (b * rows + r0) * rowCodeBytes(tq, cols) + rowCodeBytes(tq, c0),
          rowCodeBytes(tq, cols),
          whole,
        ),
        ...rowPieces(
          s,
          scales,
          scaleRows,
          scaleWidth,
          (scaleRow0 * scaleStride + c0 / tq.blockCols) * scaleBytes,
          scaleStride * scaleBytes,
          whole && scaleStride === colBlocks,
        ),
        ...pads,
        // HiFloat4: one exp8 byte and one exp4 U16 per unit, laid out as its E6M2 scales
        ...(tq.layout === 'hifloat4'
          ? [1, 2].flatMap((size, i) =>
              rowPieces(
                specs[2 + i]!.name,
                slot.output.subarray(wb + sb + i * sb, wb + sb + i * sb + size * sb),
                h,
                scaleWidth * size,
                (scaleRow0 * scaleStride + c0 / tq.blockCols) * size,
                scaleStride * size,
                whole,
              ),
            )
          : []),
        // dual-level MXFP4: float32 level-0 scales [rows, ceil(cols/512)] after the E8M0 ones
        ...(coarse
          ? rowPieces(
              specs[2]!.name,
              slot.output.subarray(wb + sb, wb + sb + cb),
              h,
              Math.ceil(width / coarse.elements) * 4,
              ((b * rows + r0) * Math.ceil(cols / coarse.elements) + c0 / coarse.elements) * 4,
              Math.ceil(cols / coarse.elements) * 4,
              whole,
            )
          : []),
      ];
    });
  }
}

/**
 * The chunks of `rows` rows of `width` bytes each, packed in `data`, that go to a tensor whose rows
 * are `stride` bytes apart, the first at byte `offset`: one chunk when the rows are whole, else one
 * positioned chunk per row.
 */
function rowPieces(
  name: string,
  data: Uint8Array,
  rows: number,
  width: number,
  offset: number,
  stride: number,
  whole: boolean,
): TensorChunk[] {
  if (whole || rows === 1) return [{ name, data: data.subarray(0, rows * width), offset }];
  return Array.from({ length: rows }, (_, r) => ({
    name,
    data: data.subarray(r * width, (r + 1) * width),
    offset: offset + r * stride,
  }));
}

/** The module a tensor belongs to: its name without the last `.` part (`a.b.weight` → `a.b`). */
export function moduleOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/**
 * `exclude_modules` (`modules_to_not_convert` for gpt-oss) of the quantization config: the module
 * of every unquantized float tensor of 2 or more dimensions (what a layout could have quantized;
 * norms and biases are vectors, integer tensors are not weights), whatever its name ends with. Not listed: a module that also holds a
 * quantized tensor, or is an ancestor of one (`model` for `model.position_ids`), since loaders
 * match these names as prefixes or substrings and would skip the quantized ones too.
 */
export function excludedModules(
  tensors: readonly { name: string; shape: readonly number[]; isFloat: boolean; quantized: boolean }[],
): string[] {
  const quantized = tensors.filter((t) => t.quantized).map((t) => moduleOf(t.name));
  const covers = (m: string) => quantized.some((q) => q === m || q.startsWith(`${m}.`));
  const out = new Set<string>();
  for (const t of tensors) {
    const m = moduleOf(t.name);
    if (!t.quantized && t.isFloat && t.shape.length >= 2 && !covers(m)) out.add(m);
  }
  return [...out];
}

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
