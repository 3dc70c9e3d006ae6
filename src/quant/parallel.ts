/**
 * @module quant/parallel
 * A pool of worker threads that quantize a large tensor in parallel: the input is shared
 * (SharedArrayBuffer; copied into one if it is not), rows are split in whole row blocks, and each
 * worker writes its codes and scales into shared outputs. Node only.
 */
import { Worker } from 'node:worker_threads';
import { geometry, type QuantizedTensor, quantize } from './quantize.js';
import type { BlockScheme } from './scheme.js';
import type { QuantTask } from './worker.js';

export interface QuantPool {
  readonly threads: number;
  quantize(data: Float32Array, shape: readonly number[], scheme: BlockScheme): Promise<QuantizedTensor>;
  close(): Promise<void>;
}

/** Start `threads` workers (default: 2). */
export function createQuantPool(threads = 2): QuantPool {
  if (!Number.isInteger(threads) || threads < 1)
    throw new RangeError(`threads must be a positive integer, got ${threads}`);
  const workers = Array.from({ length: threads }, () => new Worker(new URL('./worker.js', import.meta.url)));
  let nextId = 1;
  const pending = new Map<number, { resolve: (n: number) => void; reject: (e: Error) => void }>();
  for (const w of workers) {
    w.on('message', (m: { id: number; saturated?: number; error?: string }) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.saturated ?? 0);
    });
    const fail = (e: Error) => {
      for (const p of pending.values()) p.reject(e);
      pending.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`quantization worker exited (code ${code})`)));
  }
  const run = (w: Worker, task: QuantTask) =>
    new Promise<number>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      w.postMessage({ id, task });
    });

  return {
    threads,
    async quantize(data, shape, scheme) {
      const g = geometry(scheme, shape, data.length);
      // Per-tensor scales and NVFP4's tensor-wide scale need the whole tensor: run in this thread.
      if (
        scheme.block[0] === 'all' ||
        scheme.scale.kind === 'nvfp4' ||
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
      const share = Math.ceil(units.length / threads);
      const jobs: Promise<number>[] = [];
      for (let t = 0; t < threads; t++) {
        const mine = units.slice(t * share, (t + 1) * share);
        if (mine.length === 0) continue;
        jobs.push(
          run(workers[t]!, {
            scheme,
            data: shared.buffer as SharedArrayBuffer,
            dataOffset: shared.byteOffset,
            codes,
            scales,
            scaleCodes,
            cols: g.cols,
            units: mine,
          }),
        );
      }
      const saturated = (await Promise.all(jobs)).reduce((a, b) => a + b, 0);
      const lead = shape.length >= 2 ? shape.slice(0, -2) : [];
      return {
        scheme,
        shape: [...shape],
        codes: new Uint8Array(codes),
        scales: new Float32Array(scales),
        scaleCodes: scaleCodes ? new Uint8Array(scaleCodes) : null,
        scaleShape: shape.length >= 2 ? [...lead, g.rowBlocks, g.colBlocks] : [g.colBlocks],
        globalScale: 1,
        saturated,
      };
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
