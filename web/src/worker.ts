/**
 * @module web/worker
 * The dashboard's Web Worker: block quantization of a tensor, safetensors parsing, the supply
 * Monte Carlo and tornado, and the performance simulator, off the page's thread.
 */
import { isFloatDtype, toFloat32 } from '../../src/convert/tensor.js';
import { parseSafetensorsBuffer, type SafetensorsBuffer } from '../../src/io/buffer.js';
import { createPerfData, type PerfData, runValidation, simulate } from '../../src/perf/index.js';
import { analyze, dequantize, getScheme, quantize, synthetic } from '../../src/quant/index.js';
import { dataFromFiles, runSupply, type SupplyData, tornado } from '../../src/supply/index.js';
import { errorHistogram } from '../../src/web/histogram.js';
import { scaledOverrides } from '../../src/web/scale.js';
import { getCatalog, PERF_FILES, SUPPLY_FILES } from './data.js';
import type { QuantResult, RequestMessage, ResponseMessage, TaskName, Tasks } from './tasks.js';

/** Largest tensor quantized whole; bigger ones are cut to their first rows. */
const MAX_ELEMENTS = 1 << 22;
const SYN = { rows: 256, cols: 1024 };

let upload: { name: string; file: SafetensorsBuffer } | null = null;
let supplyData: SupplyData | undefined;
let perfData: PerfData | undefined;
const supply = () => (supplyData ??= dataFromFiles(SUPPLY_FILES));
const perf = () => (perfData ??= createPerfData(PERF_FILES));

function tensorFor(source: Tasks['quant']['req']['source']) {
  if (source.kind === 'synthetic') {
    const data = synthetic(source.dist, SYN.rows, SYN.cols, source.seed);
    return {
      label: `synthetic ${source.dist} ${SYN.rows}x${SYN.cols} seed ${source.seed}`,
      data,
      shape: [SYN.rows, SYN.cols],
    };
  }
  if (!upload) throw new Error('no file has been opened');
  const info = upload.file.info(source.tensor);
  if (!isFloatDtype(info.dtype))
    throw new Error(`${info.name} is ${info.dtype}, not a floating-point tensor`);
  const all = toFloat32(info.dtype, upload.file.read(info.name), info.name);
  const cols = info.shape.length === 0 ? 1 : info.shape[info.shape.length - 1]!;
  const rows = Math.max(1, all.length / Math.max(1, cols));
  const keepRows = Math.max(1, Math.min(rows, Math.floor(MAX_ELEMENTS / Math.max(1, cols))));
  const data = keepRows < rows ? all.subarray(0, keepRows * cols) : all;
  return {
    label: `${upload.name}: ${info.name} ${JSON.stringify(info.shape)} ${info.dtype}`,
    data,
    shape: [keepRows, cols],
  };
}

const handlers: { [K in TaskName]: (req: Tasks[K]['req']) => Tasks[K]['res'] } = {
  quant({ source, schemes }): QuantResult {
    const t = tensorFor(source);
    const results = schemes.map((name) => {
      const scheme = getScheme(name);
      const axis = { axis: -1 }; // blocks along the last axis (K of a Linear [out, in])
      const stats = analyze(t.data, t.shape, scheme, axis);
      const back = dequantize(quantize(t.data, t.shape, scheme, axis));
      return { ...stats, scheme: name, histogram: errorHistogram(t.data, back) };
    });
    const full = source.kind === 'upload' && upload ? upload.file.info(source.tensor).shape : t.shape;
    const fullCount = full.reduce((a, b) => a * b, 1);
    return {
      label: t.label,
      shape: t.shape,
      elements: t.data.length,
      truncated: t.data.length < fullCount,
      results,
    };
  },
  upload({ name, bytes }) {
    const file = parseSafetensorsBuffer(new Uint8Array(bytes), name);
    const tensors = file.tensorNames().map((n) => {
      const i = file.info(n);
      return {
        name: n,
        dtype: i.dtype,
        shape: [...i.shape],
        float: isFloatDtype(i.dtype) && i.byteLength > 0,
      };
    });
    if (!tensors.some((t) => t.float)) throw new Error(`${name} holds no floating-point tensor to quantize`);
    upload = { name, file };
    return { name, tensors };
  },
  supply({ scenario, runs, seed, factors }) {
    const d = supply();
    return runSupply(d, { scenario, runs, seed, overrides: scaledOverrides(d, scenario, factors) });
  },
  tornado({ scenario, runs, seed, factors }) {
    const d = supply();
    return tornado(d, { scenario, runs, seed, overrides: scaledOverrides(d, scenario, factors) });
  },
  perf(workload) {
    return simulate(perf(), getCatalog(), workload);
  },
  validation() {
    return runValidation(perf(), getCatalog());
  },
};

self.onmessage = (e: MessageEvent<RequestMessage>) => {
  const { id, task, req } = e.data;
  const t0 = performance.now();
  let msg: ResponseMessage;
  try {
    const res = (handlers[task] as (r: unknown) => unknown)(req);
    msg = { id, ok: true, res, ms: performance.now() - t0 };
  } catch (err) {
    msg = { id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  (self as unknown as Worker).postMessage(msg);
};
