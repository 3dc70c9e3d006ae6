/**
 * @module web/worker
 * The dashboard's Web Worker: block quantization of a tensor, safetensors parsing, the supply
 * Monte Carlo and tornado, and the performance simulator, off the page's thread.
 */
import { isFloatDtype, toFloat32 } from '../../src/convert/tensor.js';
import { parseSafetensorsBuffer, type SafetensorsBuffer } from '../../src/io/buffer.js';
import {
  createPerfData,
  type PerfData,
  runValidation,
  simulate,
  type Workload,
} from '../../src/perf/index.js';
import { analyze, dequantize, getScheme, quantize, synthetic } from '../../src/quant/index.js';
import { dataFromFiles, runSupply, type SupplyData, tornado } from '../../src/supply/index.js';
import { errorHistogram } from '../../src/web/histogram.js';
import { scaledOverrides } from '../../src/web/scale.js';
import { getCatalog, PERF_FILES, SUPPLY_FILES } from './data.js';
import type { FitResult, QuantResult, RequestMessage, ResponseMessage, TaskName, Tasks } from './tasks.js';

const POW2 = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/**
 * The deployment with the fewest chips (then the least pipeline depth, then the least TP) whose
 * weights and KV cache fit per chip, from the simulator's own memory footprint, over TP and PP in
 * powers of two and, for MoE models, EP in powers of two up to 1024. The batch, sequence and
 * formats stay as asked.
 */
function smallestFit(w: Workload): FitResult | null {
  const cat = getCatalog();
  const moe = cat.getModel(w.model).ffn === 'moe';
  let best: FitResult | null = null;
  for (const tp of POW2.slice(0, 8)) {
    for (const pp of POW2.slice(0, 6)) {
      for (const ep of moe ? POW2 : [1]) {
        const chips = tp * pp * Math.max(1, ep / tp);
        if (best && chips > best.chips) continue;
        const r = simulate(perf(), cat, { ...w, tp, pp, ep });
        if (!r.memory.fits) continue;
        const { weightsGB, kvGB, capacityGB } = r.memory;
        const cand: FitResult = { tp, ep, pp, chips, weightsGB, kvGB, capacityGB };
        if (
          !best ||
          chips < best.chips ||
          (chips === best.chips && (pp < best.pp || (pp === best.pp && tp < best.tp)))
        )
          best = cand;
      }
    }
  }
  return best;
}

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
      const stats = analyze(t.data, t.shape, scheme);
      const back = dequantize(quantize(t.data, t.shape, scheme));
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
  fit(workload) {
    return smallestFit(workload);
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
