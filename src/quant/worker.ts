/**
 * @module quant/worker
 * Worker of the quantization pool (src/pool): quantizes row ranges of a shared input into shared
 * outputs; a job's result is its count of saturated values.
 */
import { serveJobs } from '../pool/worker.js';
import { quantize } from './quantize.js';
import type { BlockScheme } from './scheme.js';

export interface QuantTask {
  scheme: BlockScheme;
  data: SharedArrayBuffer;
  dataOffset: number;
  codes: SharedArrayBuffer;
  scales: SharedArrayBuffer;
  scaleCodes: SharedArrayBuffer | null;
  cols: number;
  /** [element offset, rows, scale offset] per unit of whole row blocks. */
  units: [number, number, number][];
  /** NVFP4's tensor scale, taken from the whole tensor. */
  globalScale?: number | undefined;
}

serveJobs((task: QuantTask) => {
  const data = new Float32Array(task.data, task.dataOffset);
  const codes = new Uint8Array(task.codes);
  const scales = new Float32Array(task.scales);
  const scaleCodes = task.scaleCodes ? new Uint8Array(task.scaleCodes) : null;
  let saturated = 0;
  for (const [e0, rows, s0] of task.units) {
    const n = rows * task.cols;
    const opts = task.globalScale === undefined ? {} : { globalScale: task.globalScale };
    const q = quantize(data.subarray(e0, e0 + n), [rows, task.cols], task.scheme, opts);
    codes.set(q.codes, e0);
    scales.set(q.scales, s0);
    if (scaleCodes && q.scaleCodes) scaleCodes.set(q.scaleCodes, s0);
    saturated += q.saturated;
  }
  return saturated;
});
