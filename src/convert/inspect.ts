/**
 * @module convert/inspect
 * What a checkpoint holds: every tensor's name, dtype, shape and bytes; totals per dtype; the
 * quantized layout detected; and optionally per-tensor statistics computed streaming, a slab at a
 * time, over the decoded values of quantized weights (FP8 times its 128x128 `scale_inv` tile,
 * MXFP4 codes times 2^(scale-127), ...).
 */
import { stat } from 'node:fs/promises';
import { openCheckpoint } from '../io/index.js';
import { ConvertError } from './errors.js';
import { type LogicalTensor, logicalTensors, type SourceLayout, tiles } from './source.js';

export interface TensorRow {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly bytes: number;
  readonly file: string;
}

/**
 * Statistics of one logical tensor: `amax` is the largest magnitude (Infinity when it holds ±Inf),
 * `count`, `mean` and `std` are over its finite values; NaN and infinities are counted apart.
 */
export interface TensorStats {
  readonly name: string;
  readonly layout: SourceLayout;
  readonly shape: readonly number[];
  /** Finite values. */
  readonly count: number;
  readonly amax: number;
  readonly mean: number;
  /** Population standard deviation. */
  readonly std: number;
  readonly nan: number;
  readonly inf: number;
}

export interface InspectReport {
  readonly path: string;
  readonly files: readonly string[];
  /** `plain`, one quantized layout, or `mixed`. */
  readonly layout: SourceLayout | 'mixed';
  /** Quantized weights per layout. */
  readonly quantized: Readonly<Partial<Record<SourceLayout, number>>>;
  readonly tensors: readonly TensorRow[];
  readonly totals: readonly { dtype: string; tensors: number; bytes: number }[];
  readonly totalBytes: number;
  readonly stats?: readonly TensorStats[];
}

export interface InspectOptions {
  readonly stats?: boolean;
  /** Values per slab when computing statistics. Default 4 Mi. */
  readonly slabElements?: number;
}

/** Running count, mean and sum of squared deviations (Chan et al.'s pairwise combination). */
class Moments {
  n = 0;
  mean = 0;
  m2 = 0;
  amax = 0;
  nan = 0;
  inf = 0;
  add(x: Float32Array): void {
    let n = 0;
    let sum = 0;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (v - v !== 0) {
        if (Number.isNaN(v)) this.nan++;
        else this.inf++;
        continue;
      }
      n++;
      sum += v;
      const a = Math.abs(v);
      if (a > this.amax) this.amax = a;
    }
    if (n === 0) return;
    const mean = sum / n;
    let m2 = 0;
    for (let i = 0; i < x.length; i++) {
      const d = x[i]! - mean;
      if (d - d === 0) m2 += d * d;
    }
    const total = this.n + n;
    const delta = mean - this.mean;
    this.mean += (delta * n) / total;
    this.m2 += m2 + (delta * delta * this.n * n) / total;
    this.n = total;
  }
}

/** Stream a logical tensor's values into moments. */
export async function tensorStats(t: LogicalTensor, slabElements = 4 << 20): Promise<TensorStats> {
  const m = new Moments();
  for (const [b, r0, r1, c0, c1] of tiles(t.qshape, 1, slabElements, t.transposed)) {
    m.add(await t.readRows(b, r0, r1, c0, c1));
  }
  return {
    name: t.name,
    layout: t.layout,
    shape: t.shape,
    count: m.n,
    // an infinity is the largest magnitude there is: an all-Inf tensor must not read as amax 0
    amax: m.inf > 0 ? Number.POSITIVE_INFINITY : m.amax,
    mean: m.n > 0 ? m.mean : Number.NaN,
    std: m.n > 0 ? Math.sqrt(m.m2 / m.n) : Number.NaN,
    nan: m.nan,
    inf: m.inf,
  };
}

/** Inspect a `.safetensors` file, a checkpoint folder or an index file. */
export async function inspectCheckpoint(path: string, options: InspectOptions = {}): Promise<InspectReport> {
  if (path === '') throw new ConvertError('the input path is empty');
  if (!(await stat(path).catch(() => undefined))) throw new ConvertError(`${path}: no such file or folder`);
  const ck = await openCheckpoint(path);
  try {
    const tensors = ck.tensorNames().map((n) => {
      const t = ck.info(n);
      return { name: n, dtype: t.dtype, shape: t.shape, bytes: t.byteLength, file: t.file };
    });
    const byDtype = new Map<string, { dtype: string; tensors: number; bytes: number }>();
    let totalBytes = 0;
    for (const t of tensors) {
      const d = byDtype.get(t.dtype) ?? { dtype: t.dtype, tensors: 0, bytes: 0 };
      d.tensors++;
      d.bytes += t.bytes;
      byDtype.set(t.dtype, d);
      totalBytes += t.bytes;
    }
    const logical = logicalTensors(ck);
    const quantized: Partial<Record<SourceLayout, number>> = {};
    for (const t of logical) if (t.layout !== 'plain') quantized[t.layout] = (quantized[t.layout] ?? 0) + 1;
    const kinds = Object.keys(quantized) as SourceLayout[];
    const report: InspectReport = {
      path,
      files: ck.files.map((f) => f.path),
      layout: kinds.length === 0 ? 'plain' : kinds.length === 1 ? kinds[0]! : 'mixed',
      quantized,
      tensors,
      totals: [...byDtype.values()].sort((a, b) => b.bytes - a.bytes),
      totalBytes,
    };
    if (!options.stats) return report;
    const stats: TensorStats[] = [];
    for (const t of logical) if (t.isFloat) stats.push(await tensorStats(t, options.slabElements));
    return { ...report, stats };
  } finally {
    await ck.close();
  }
}
