/**
 * @module web/worker
 * The dashboard's Web Worker: block quantization of a tensor, safetensors parsing, ONNX models and
 * the kernels benchmark, off the page's thread (the supply model and the performance simulator
 * have their own small workers, supply-worker.ts and perf-worker.ts, so they start quickly).
 */
import { isFloatDtype, toFloat32 } from '../../convert/tensor.js';
import { parseSafetensorsBuffer, type SafetensorsBuffer } from '../../io/buffer.js';
import type { Dtype } from '../../io/dtypes.js';
import { serializeSafetensors } from '../../io/layout.js';
import type { LoadedModel } from '../../onnx/model.js';
import { analyze, dequantize, getScheme, quantize, synthetic } from '../../quant/index.js';
import { errorHistogram } from '../../web/histogram.js';
import { serve } from './serve.js';
import type {
  ModelResult,
  ModelTensorRow,
  PerfTaskName,
  QuantResult,
  SupplyTaskName,
  TaskName,
  Tasks,
} from './tasks.js';

/** Largest tensor quantized whole; bigger ones are cut to their first rows. */
const MAX_ELEMENTS = 1 << 22;
const SYN = { rows: 256, cols: 1024 };
/** Most float elements a whole file may hold to be quantized here (128 MB as fp32). */
const MAX_MODEL_ELEMENTS = 1 << 25;

/**
 * Quantize every float tensor of two or more dimensions of the opened file with one scheme (the
 * same `quantize`/`dequantize` the CLI runs), report each one's error and size, and build the
 * fake-quantized file: quantized tensors dequantized to F32, everything else copied unchanged.
 */
function quantizeModel(schemeName: string): ModelResult {
  if (!upload) throw new Error('open a .safetensors file first');
  const { file, name } = upload;
  const scheme = getScheme(schemeName);
  const infos = file.tensorNames().map((n) => file.info(n));
  const total = infos
    .filter((i) => isFloatDtype(i.dtype) && i.shape.length >= 2)
    .reduce((a, i) => a + i.shape.reduce((x, y) => x * y, 1), 0);
  if (total > MAX_MODEL_ELEMENTS)
    throw new Error(
      `${name} holds ${total.toLocaleString()} float elements in matrices; this page quantizes at most ${MAX_MODEL_ELEMENTS.toLocaleString()} (128 MB as fp32). Use \`chipstack convert\` for larger files.`,
    );
  const rows: ModelTensorRow[] = [];
  const out: { name: string; dtype: Dtype; shape: number[]; data: Uint8Array }[] = [];
  for (const info of infos) {
    const elements = info.shape.reduce((a, b) => a * b, 1);
    const base = {
      name: info.name,
      dtype: info.dtype,
      shape: [...info.shape],
      elements,
      sourceBytes: info.byteLength,
    };
    const keep = (why: string) => {
      rows.push({
        ...base,
        sqnrDb: null,
        bitsPerElement: null,
        quantBytes: null,
        maxAbsError: null,
        mse: null,
        kept: why,
      });
      out.push({
        name: info.name,
        dtype: info.dtype as Dtype,
        shape: [...info.shape],
        data: file.read(info.name),
      });
    };
    if (!isFloatDtype(info.dtype)) {
      keep(`${info.dtype} is not a float type`);
      continue;
    }
    if (info.shape.length < 2 || elements === 0) {
      keep('vectors (norms, biases) and empty tensors are kept as they are');
      continue;
    }
    const data = toFloat32(info.dtype, file.read(info.name), info.name);
    const cols = info.shape[info.shape.length - 1]!;
    const shape = [elements / cols, cols];
    try {
      const stats = analyze(data, shape, scheme);
      const back = dequantize(quantize(data, shape, scheme));
      rows.push({
        ...base,
        sqnrDb: stats.sqnrDb,
        bitsPerElement: stats.bitsPerElement,
        quantBytes: (elements * stats.bitsPerElement) / 8,
        maxAbsError: stats.maxAbsError,
        mse: stats.mse,
      });
      out.push({
        name: info.name,
        dtype: 'F32',
        shape: [...info.shape],
        data: new Uint8Array(back.buffer, back.byteOffset, back.byteLength),
      });
    } catch (err) {
      keep(`not quantized: ${(err as Error).message}`);
    }
  }
  const bytes = serializeSafetensors(out, {
    quantized_by: `chipstack (dashboard), scheme ${schemeName}, dequantized to F32`,
  });
  return {
    file: name,
    scheme: schemeName,
    rows,
    output: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  };
}

let upload: { name: string; file: SafetensorsBuffer } | null = null;
/** The ONNX model opened on the Model page (parsed by src/onnx, as the CLI parses a file). */
let onnxModel: LoadedModel | null = null;
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

serve<Exclude<TaskName, SupplyTaskName | PerfTaskName>>({
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
  model({ scheme }) {
    return quantizeModel(scheme);
  },
  async onnxOpen({ name, bytes }) {
    onnxModel = null;
    // src/onnx (with protobufjs) is its own chunk: loaded when a model is opened
    const { findWeights, parseModel } = await import('../../onnx/model.js');
    const m = parseModel(new Uint8Array(bytes), name);
    const external = m.graph.initializer.find((t) => t.dataLocation === 1);
    if (external) {
      const loc = external.externalData.find((e) => e.key === 'location')?.value ?? '?';
      throw new Error(
        `${name}: tensor "${external.name}" is stored in an external data file (${loc}), which this page cannot read: open a model whose weights are inside the .onnx file, or use \`chipstack onnx quantize\``,
      );
    }
    const weights = findWeights(m);
    if (weights.length === 0)
      throw new Error(
        `${name}: no quantizable weight (a float initializer feeding MatMul, Gemm, Conv, ConvTranspose or Gather)`,
      );
    onnxModel = m;
    return {
      name,
      opset: m.opset,
      nodes: m.graph.node.length,
      weights: weights.map((w) => ({
        name: w.name,
        kind: w.kind,
        shape: [...w.shape],
        view: [w.view[0], w.view[1]] as [number, number],
      })),
    };
  },
  async onnxQuantize({ scheme }, progress) {
    const m = onnxModel;
    if (!m) throw new Error('open an .onnx model first');
    const { quantizeModelBytes } = await import('../../onnx/quantize.js');
    // the CLI's own path (chipstack onnx quantize --mode fake), in memory
    const { bytes, result } = quantizeModelBytes(m, {
      scheme: getScheme(scheme),
      mode: 'fake',
      onProgress: (done, total) => progress(done, total),
    });
    return {
      file: m.path,
      scheme,
      rows: result.weights.map((w) => {
        const elements = w.shape.reduce((a, b) => a * b, 1);
        return {
          name: w.name,
          kind: w.kind,
          shape: [...w.shape],
          elements,
          relError: w.relError,
          sqnrDb: w.sqnrDb,
          bitsPerWeight: w.bitsPerWeight,
          fp32Bytes: elements * 4,
          quantBytes: (elements * w.bitsPerWeight) / 8,
        };
      }),
      skipped: result.skipped,
      bytesIn: result.bytesIn,
      output: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    };
  },
  async gemv({ n, k, ms, formats }, progress) {
    // its own chunk: the WebAssembly kernels load only when the benchmark runs
    const { liveGemvBenchmark } = await import('../../kernels/index.js');
    return liveGemvBenchmark({ n, k, ms, formats, onProgress: progress });
  },
});
