/**
 * @module convert/compare
 * A scheme's error on one tensor of a checkpoint, streamed: the tensor is read a tile at a time
 * (at most `slabElements` values, whole blocks of every scheme), each tile is quantized and compared
 * on its own, and the sums behind each metric are combined. Blocks never cross tiles, so codes and
 * scales are those of quantizing the whole tensor. Schemes whose scale depends on more than a
 * block (per-tensor, per-channel `[1, all]`, NVFP4's tensor scale) need the whole tensor: they run
 * on tensors up to `WHOLE_TENSOR_ELEMENTS` values, and are refused (or, from the default list,
 * skipped and reported) on larger ones.
 */
import { analyze, type BlockScheme, bitsPerElement, geometry, type SchemeError } from '../quant/index.js';
import { ConvertError } from './errors.js';
import { type LogicalTensor, matrices, TILE_COLS, tiles } from './source.js';

/** The most values a scheme that needs the whole tensor is run on (256 MB of float32). */
export const WHOLE_TENSOR_ELEMENTS = 1 << 26;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Whether `scheme` can be run tile by tile on a tensor of quantization shape `qshape`. */
export function streams(scheme: BlockScheme, qshape: readonly number[], slabElements: number): boolean {
  const [r, c] = scheme.block;
  if (r === 'all' || c === 'all' || scheme.scale.kind === 'nvfp4') return false;
  const { cols } = matrices(qshape);
  return r * cols <= slabElements || TILE_COLS % c === 0;
}

export interface TensorComparison {
  readonly results: SchemeError[];
  /** Schemes not run, and why (only when `explicit` is false). */
  readonly skipped: { scheme: string; reason: string }[];
}

/** Sums behind `SchemeError`, over tiles. */
class Sums {
  n = 0;
  se = 0;
  sx = 0;
  maxAbs = 0;
  maxRel = 0;
  saturated = 0;
  nonzero = 0;
  flushed = 0;
  add(x: Float32Array, e: SchemeError): void {
    let sx = 0;
    let nonzero = 0;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      sx += v * v;
      if (v !== 0) nonzero++;
    }
    this.n += x.length;
    this.se += e.mse * x.length;
    this.sx += sx;
    this.maxAbs = Math.max(this.maxAbs, e.maxAbsError);
    this.maxRel = Math.max(this.maxRel, e.maxRelError);
    this.saturated += e.saturated * x.length;
    this.nonzero += nonzero;
    this.flushed += e.flushedToZero * nonzero;
  }
}

/**
 * Each scheme's error on `t` (read in its quantization orientation). `explicit`: the schemes were
 * asked for by name, so one that cannot run is an error rather than skipped.
 */
export async function compareTensor(
  t: LogicalTensor,
  schemes: readonly BlockScheme[],
  options: { slabElements?: number; explicit?: boolean } = {},
): Promise<TensorComparison> {
  const slab = options.slabElements ?? 1 << 20;
  const shape = t.qshape.length === 0 ? [1] : t.qshape;
  const numel = shape.reduce((a, b) => a * b, 1);
  const streamed = schemes.filter((s) => streams(s, shape, slab));
  const whole = schemes.filter((s) => !streams(s, shape, slab));
  const skipped: { scheme: string; reason: string }[] = [];
  const byScheme = new Map<string, SchemeError>();
  if (whole.length > 0) {
    if (numel > WHOLE_TENSOR_ELEMENTS) {
      const reason = `needs the whole tensor at once (its scale spans more than a block), and ${JSON.stringify(t.name)} has ${numel} values, more than ${WHOLE_TENSOR_ELEMENTS}`;
      if (options.explicit)
        throw new ConvertError(`scheme ${whole[0]!.name} ${reason}; pick a smaller tensor or another scheme`);
      for (const s of whole) skipped.push({ scheme: s.name, reason });
    } else {
      const data = new Float32Array(numel);
      let at = 0;
      for (const [b, r0, r1, c0, c1] of tiles(shape, 1, slab, t.transposed)) {
        const x = await t.readRows(b, r0, r1, c0, c1);
        if (c1 - c0 === matrices(shape).cols) {
          data.set(x, at);
          at += x.length;
        } else {
          // a tile of partial rows: place each row segment
          const { rows, cols } = matrices(shape);
          for (let r = r0; r < r1; r++) {
            data.set(x.subarray((r - r0) * (c1 - c0), (r - r0 + 1) * (c1 - c0)), (b * rows + r) * cols + c0);
          }
        }
      }
      for (const s of whole) byScheme.set(s.name, analyze(data, shape, s, { axis: -1 }));
    }
  }
  if (streamed.length > 0) {
    const rowStep = streamed.reduce((a, s) => {
      const r = s.block[0] as number;
      return (a * r) / gcd(a, r);
    }, 1);
    const sums = streamed.map(() => new Sums());
    // whole rows when a block length does not divide the 128-column tiles
    const rowsOnly = streamed.some((s) => TILE_COLS % (s.block[1] as number) !== 0);
    const per = rowsOnly ? rowStep * matrices(shape).cols : rowStep * TILE_COLS;
    for (const [b, r0, r1, c0, c1] of tiles(shape, rowStep, Math.max(slab, per), t.transposed)) {
      const x = await t.readRows(b, r0, r1, c0, c1);
      for (const [i, s] of streamed.entries()) sums[i]!.add(x, analyze(x, [r1 - r0, c1 - c0], s));
    }
    const g = (s: BlockScheme) => geometry(s, shape, numel);
    for (const [i, s] of streamed.entries()) {
      const m = sums[i]!;
      const n = Math.max(1, m.n);
      const { rows, cols } = g(s);
      byScheme.set(s.name, {
        scheme: s.name,
        bitsPerElement: bitsPerElement(s, rows, cols),
        mse: m.se / n,
        sqnrDb: m.se === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10(m.sx / m.se),
        maxAbsError: m.maxAbs,
        maxRelError: m.maxRel,
        saturated: m.saturated / n,
        flushedToZero: m.nonzero === 0 ? 0 : m.flushed / m.nonzero,
      });
    }
  }
  return { results: schemes.filter((s) => byScheme.has(s.name)).map((s) => byScheme.get(s.name)!), skipped };
}
