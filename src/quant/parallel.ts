/**
 * @module quant/parallel
 * Quantize a large tensor on the worker pool (src/pool): the input is shared (SharedArrayBuffer;
 * copied into one if it is not), rows are split in units of whole row blocks (about 1M values),
 * and each worker writes its codes and scales into shared outputs. Node only.
 */
import { availableCores, createWorkerPool } from '../pool/index.js';
import { finiteAmax, geometry, nvfp4GlobalScale, type QuantizedTensor, quantize } from './quantize.js';
import type { BlockScheme } from './scheme.js';
import type { QuantTask } from './worker.js';

export interface QuantPool {
  readonly threads: number;
  quantize(data: Float32Array, shape: readonly number[], scheme: BlockScheme): Promise<QuantizedTensor>;
  close(): Promise<void>;
}

/** Start `threads` workers (default: the machine's cores). */
export function createQuantPool(threads = availableCores()): QuantPool {
  if (!Number.isInteger(threads) || threads < 1)
    throw new RangeError(`threads must be a positive integer, got ${threads}`);
  const pool = createWorkerPool({
    name: 'quantization',
    script: new URL('./worker.js', import.meta.url),
    threads,
  });
  const run = (task: QuantTask) => pool.run<number>(task);

  return {
    threads,
    async quantize(data, shape, scheme) {
      const g = geometry(scheme, shape, data.length);
      // Per-tensor scales need the whole tensor: run in this thread. NVFP4's tensor scale is
      // taken here (from the finite values, as quantize does) and given to every job.
      // HiFloat4's micro-exponents and dual-level MXFP4's level-0 scales are a third output the
      // workers do not carry: run them here too.
      if (
        scheme.block[0] === 'all' ||
        scheme.scale.kind === 'hif4' ||
        scheme.scale.kind === 'ascend-dual' ||
        threads === 1 ||
        g.batch * g.rowBlocks < 2
      ) {
        return quantize(data, shape, scheme, { axis: -1 }); // the pool reads the last axis as the reduction axis
      }
      let shared: Float32Array;
      if (data.buffer instanceof SharedArrayBuffer) shared = data;
      else {
        shared = new Float32Array(new SharedArrayBuffer(data.byteLength));
        shared.set(data);
      }
      const globalScale = scheme.scale.kind === 'nvfp4' ? nvfp4GlobalScale(finiteAmax(data)) : undefined;
      const per = g.rowBlocks * g.colBlocks;
      const nBlocks = g.batch * per;
      const codes = new SharedArrayBuffer(data.length);
      const scales = new SharedArrayBuffer(nBlocks * 4);
      const scaleCodes =
        scheme.scaleStorage === 'e8m0' || scheme.scaleStorage === 'e4m3fn'
          ? new SharedArrayBuffer(nBlocks)
          : null;
      // units: chunks of whole row blocks, about 1M elements each, dealt out in contiguous runs
      const units: [number, number, number][] = [];
      const rowsPerUnit = g.br * Math.max(1, Math.floor((1 << 20) / Math.max(1, g.cols * g.br)));
      for (let b = 0; b < g.batch; b++) {
        for (let r0 = 0; r0 < g.rows; r0 += rowsPerUnit) {
          const rows = Math.min(rowsPerUnit, g.rows - r0);
          units.push([b * g.rows * g.cols + r0 * g.cols, rows, b * per + (r0 / g.br) * g.colBlocks]);
        }
      }
      // one job per unit: the pool hands them to whichever worker is idle
      const jobs = units.map((unit) =>
        run({
          scheme,
          data: shared.buffer as SharedArrayBuffer,
          dataOffset: shared.byteOffset,
          codes,
          scales,
          scaleCodes,
          cols: g.cols,
          units: [unit],
          globalScale,
        }),
      );
      const saturated = (await Promise.all(jobs)).reduce((a, b) => a + b, 0);
      const lead = shape.length >= 2 ? shape.slice(0, -2) : [];
      return {
        scheme,
        shape: [...shape],
        codes: new Uint8Array(codes),
        scales: new Float32Array(scales),
        scaleCodes: scaleCodes ? new Uint8Array(scaleCodes) : null,
        scaleShape: shape.length >= 2 ? [...lead, g.rowBlocks, g.colBlocks] : [g.colBlocks],
        globalScale: globalScale ?? 1,
        saturated,
      };
    },
    close: () => pool.close(),
  };
}
