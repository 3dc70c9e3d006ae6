/**
 * @module onnx/model
 * Read an ONNX model: decode and validate it, read tensor data (raw, typed fields or external data
 * files), and find the weights that quantization applies to, with the axis each one reduces over.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import {
  DATA_TYPES,
  DT,
  type Graph,
  type Int64,
  int,
  type Model,
  ModelProto,
  type Node,
  type Tensor,
} from './schema.js';

/** A refused model or option: message names the file, the tensor or node, and the rule broken. */
export class OnnxError extends Error {
  override readonly name = 'OnnxError';
}

/** Largest model file read (protobuf messages are limited to 2 GiB). */
export const MAX_MODEL_BYTES = 2 ** 31 - 1;
/** Largest tensor converted to float32. */
export const MAX_TENSOR_ELEMENTS = 2 ** 28;

export interface LoadedModel {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly model: Model;
  readonly graph: Graph;
  /** Initializers by name. */
  readonly initializers: Map<string, Tensor>;
  /** Tensors held by `Constant` nodes (attribute `value`), by output name. */
  readonly constants: Map<string, { node: Node; tensor: Tensor }>;
  /** The default-domain opset version. */
  readonly opset: number;
}

function dimsOf(t: Tensor, where: string): number[] {
  return t.dims.map((d: Int64) => {
    const n = int(d);
    if (!Number.isSafeInteger(n) || n < 0) throw new OnnxError(`${where}: dimension ${n} is not a size`);
    return n;
  });
}

/** Shape of a tensor, checked. */
export function tensorShape(t: Tensor, where = t.name): number[] {
  return dimsOf(t, where);
}

/** Decode and validate a model held in memory. `path` names it in messages and locates external data. */
export function parseModel(bytes: Uint8Array, path: string): LoadedModel {
  if (bytes.length === 0) throw new OnnxError(`${path}: empty file, not an ONNX model`);
  let model: Model;
  try {
    model = ModelProto.decode(bytes) as unknown as Model;
  } catch (e) {
    throw new OnnxError(`${path}: not an ONNX model, or truncated (protobuf: ${(e as Error).message})`);
  }
  const graph = model.graph;
  if (!graph) throw new OnnxError(`${path}: not an ONNX model (no graph)`);
  if (int(model.irVersion) < 3 || int(model.irVersion) > 64) {
    throw new OnnxError(`${path}: not an ONNX model (ir_version ${int(model.irVersion)})`);
  }
  const opsets = model.opsetImport.filter((o) => o.domain === '' || o.domain === 'ai.onnx');
  const opset = opsets.length ? Math.max(...opsets.map((o) => int(o.version))) : 0;
  if (opset < 1) throw new OnnxError(`${path}: no default-domain opset in opset_import`);
  const initializers = new Map<string, Tensor>();
  for (const t of graph.initializer) {
    if (!t.name) throw new OnnxError(`${path}: an initializer has no name`);
    if (initializers.has(t.name)) throw new OnnxError(`${path}: initializer "${t.name}" appears twice`);
    checkTensor(t, `${path}: initializer "${t.name}"`);
    initializers.set(t.name, t);
  }
  const constants = new Map<string, { node: Node; tensor: Tensor }>();
  for (const n of graph.node) {
    if (!n.opType) throw new OnnxError(`${path}: node "${n.name}" has no op_type`);
    if (n.opType === 'Constant' && (n.domain === '' || n.domain === 'ai.onnx')) {
      const a = n.attribute.find((x) => x.name === 'value');
      if (a?.t && n.output.length === 1) {
        checkTensor(a.t, `${path}: Constant node "${n.name || n.output[0]}"`);
        constants.set(n.output[0]!, { node: n, tensor: a.t });
      }
    }
  }
  return { path, bytes, model, graph, initializers, constants, opset };
}

/** Read and validate a model file. */
export function loadModel(path: string): LoadedModel {
  if (path === '') throw new OnnxError('the model path is empty; give a .onnx file');
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new OnnxError(`${path}: not a file`);
    size = st.size;
  } catch (e) {
    if (e instanceof OnnxError) throw e;
    throw new OnnxError(
      `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  if (size > MAX_MODEL_BYTES) throw new OnnxError(`${path}: ${size} bytes, over the 2 GiB protobuf limit`);
  return parseModel(readFileSync(path), path);
}

function checkTensor(t: Tensor, where: string): void {
  const spec = DATA_TYPES[t.dataType];
  if (!spec) throw new OnnxError(`${where}: unknown data_type ${t.dataType}`);
  const shape = dimsOf(t, where);
  const n = shape.reduce((a, b) => a * b, 1);
  if (t.dataLocation === 1) {
    const keys = new Map(t.externalData.map((e) => [e.key, e.value]));
    if (!keys.get('location')) throw new OnnxError(`${where}: external data without a location`);
    for (const k of ['offset', 'length']) {
      const v = keys.get(k);
      if (v !== undefined && !/^\d+$/.test(v))
        throw new OnnxError(`${where}: external ${k} "${v}" is not a number`);
    }
    return;
  }
  if (t.rawData && t.rawData.length > 0) {
    if (spec.bits === 0) throw new OnnxError(`${where}: raw_data for a ${spec.name} tensor`);
    const want = Math.ceil((n * spec.bits) / 8);
    if (t.rawData.length !== want) {
      throw new OnnxError(
        `${where}: raw_data holds ${t.rawData.length} bytes, shape ${JSON.stringify(shape)} ${spec.name} needs ${want}`,
      );
    }
    return;
  }
  const typed =
    t.dataType === DT.FLOAT
      ? t.floatData.length
      : t.dataType === DT.DOUBLE
        ? t.doubleData.length
        : t.dataType === DT.INT64
          ? t.int64Data.length
          : t.dataType === 12 || t.dataType === 13
            ? t.uint64Data.length
            : t.dataType === 8
              ? t.stringData.length
              : t.int32Data.length;
  if (typed !== n && !(n === 0 && typed === 0)) {
    throw new OnnxError(`${where}: holds ${typed} values, shape ${JSON.stringify(shape)} needs ${n}`);
  }
}

/** The bytes of an externally stored tensor, read from its file next to the model. */
export function externalBytes(
  m: LoadedModel,
  t: Tensor,
  where = `${m.path}: tensor "${t.name}"`,
): Uint8Array {
  const keys = new Map(t.externalData.map((e) => [e.key, e.value]));
  const loc = keys.get('location')!;
  if (isAbsolute(loc) || normalize(loc).split(sep).includes('..')) {
    throw new OnnxError(`${where}: external location "${loc}" leaves the model's folder`);
  }
  const file = join(dirname(m.path), loc);
  const rel = relative(dirname(m.path), file);
  if (rel.startsWith('..'))
    throw new OnnxError(`${where}: external location "${loc}" leaves the model's folder`);
  const offset = Number(keys.get('offset') ?? '0');
  const spec = DATA_TYPES[t.dataType]!;
  const n = dimsOf(t, where).reduce((a, b) => a * b, 1);
  const need = Math.ceil((n * spec.bits) / 8);
  const length = keys.has('length') ? Number(keys.get('length')) : need;
  if (length !== need) throw new OnnxError(`${where}: external length ${length}, shape needs ${need} bytes`);
  let data: Buffer;
  try {
    // only a regular file: a FIFO would block the read forever (statSync and readFileSync only: the
    // browser bundle shims this module's node:fs with those names)
    if (!statSync(file).isFile()) throw new OnnxError(`${where}: external data ${loc} is not a regular file`);
    data = readFileSync(file);
  } catch (e) {
    if (e instanceof OnnxError) throw e;
    throw new OnnxError(
      `${where}: cannot read external data ${loc} (${(e as NodeJS.ErrnoException).code ?? ''})`,
    );
  }
  if (offset + length > data.length) {
    throw new OnnxError(`${where}: external data ${loc} has ${data.length} bytes, needs ${offset + length}`);
  }
  return data.subarray(offset, offset + length);
}

function f16(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Whether a tensor holds floats that can be read as float32. */
export function isFloatTensor(t: Tensor): boolean {
  return (
    t.dataType === DT.FLOAT ||
    t.dataType === DT.FLOAT16 ||
    t.dataType === DT.BFLOAT16 ||
    t.dataType === DT.DOUBLE
  );
}

/** A float tensor's values as float32 (float64 rounded once). */
export function tensorFloat32(
  m: LoadedModel,
  t: Tensor,
  where = `${m.path}: tensor "${t.name}"`,
): Float32Array {
  const shape = dimsOf(t, where);
  const n = shape.reduce((a, b) => a * b, 1);
  if (n > MAX_TENSOR_ELEMENTS)
    throw new OnnxError(`${where}: ${n} elements, over the cap of ${MAX_TENSOR_ELEMENTS}`);
  if (!isFloatTensor(t)) throw new OnnxError(`${where}: ${DATA_TYPES[t.dataType]?.name} is not a float type`);
  const raw = t.dataLocation === 1 ? externalBytes(m, t, where) : t.rawData?.length ? t.rawData : null;
  const out = new Float32Array(n);
  if (raw) {
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (t.dataType === DT.FLOAT) for (let i = 0; i < n; i++) out[i] = dv.getFloat32(4 * i, true);
    else if (t.dataType === DT.DOUBLE) for (let i = 0; i < n; i++) out[i] = dv.getFloat64(8 * i, true);
    else if (t.dataType === DT.FLOAT16) for (let i = 0; i < n; i++) out[i] = f16(dv.getUint16(2 * i, true));
    else {
      const u = new Uint32Array(1);
      const f = new Float32Array(u.buffer);
      for (let i = 0; i < n; i++) {
        u[0] = dv.getUint16(2 * i, true) << 16;
        out[i] = f[0]!;
      }
    }
    return out;
  }
  if (t.dataType === DT.FLOAT) out.set(t.floatData);
  else if (t.dataType === DT.DOUBLE) out.set(t.doubleData);
  else if (t.dataType === DT.FLOAT16) for (let i = 0; i < n; i++) out[i] = f16(t.int32Data[i]!);
  else {
    const u = new Uint32Array(1);
    const f = new Float32Array(u.buffer);
    for (let i = 0; i < n; i++) {
      u[0] = (t.int32Data[i]! & 0xffff) << 16;
      out[i] = f[0]!;
    }
  }
  return out;
}

/** The operators whose weights are quantized, and how each weight's shape maps to [rows, reduction]. */
export type WeightKind = 'Conv' | 'ConvTranspose' | 'MatMul' | 'Gemm' | 'Gather';

export interface WeightInfo {
  /** The tensor name (initializer or Constant output). */
  readonly name: string;
  readonly source: 'initializer' | 'constant';
  readonly kind: WeightKind;
  /** The consuming node(s). */
  readonly nodes: string[];
  readonly shape: readonly number[];
  readonly dataType: string;
  /** The dimensions summed over in the product (the blocks run along these, flattened). */
  readonly reductionAxes: readonly number[];
  /** The 2-D view the quantizer sees: [rows, reduction length]. */
  readonly view: readonly [number, number];
  /** Gemm: its transB attribute. */
  readonly transB?: boolean;
}

function attrInt(n: Node, name: string, dflt: number): number {
  const a = n.attribute.find((x) => x.name === name);
  return a ? int(a.i) : dflt;
}

/**
 * The quantizable weights: float initializers or Constant tensors that are the weight input of
 * Conv (input 1, [O, I/g, k...]), ConvTranspose (input 1, [I, O/g, k...]), MatMul (input 1,
 * [K, N] or batched [..., K, N]), Gemm (input 1, [K, N], or [N, K] with transB) and Gather
 * (input 0, an embedding table [vocab, dim]). A tensor used by several nodes must be used the
 * same way by all of them, else it is skipped.
 */
export function findWeights(m: LoadedModel): WeightInfo[] {
  const uses = new Map<string, { kind: WeightKind; node: Node; transB?: boolean }[]>();
  const isDefault = (n: Node) => n.domain === '' || n.domain === 'ai.onnx';
  for (const n of m.graph.node) {
    if (!isDefault(n)) continue;
    let input: string | undefined;
    let kind: WeightKind | undefined;
    let transB: boolean | undefined;
    if (n.opType === 'Conv' || n.opType === 'ConvTranspose' || n.opType === 'MatMul') {
      input = n.input[1];
      kind = n.opType;
    } else if (n.opType === 'Gemm') {
      input = n.input[1];
      kind = 'Gemm';
      transB = attrInt(n, 'transB', 0) !== 0;
    } else if (n.opType === 'Gather' && attrInt(n, 'axis', 0) === 0) {
      input = n.input[0];
      kind = 'Gather';
    }
    if (!input || !kind) continue;
    const list = uses.get(input) ?? [];
    list.push({ kind, node: n, transB });
    uses.set(input, list);
  }
  const out: WeightInfo[] = [];
  for (const [name, list] of uses) {
    const init = m.initializers.get(name);
    const cst = init ? undefined : m.constants.get(name);
    const t = init ?? cst?.tensor;
    if (!t || !isFloatTensor(t)) continue;
    const first = list[0]!;
    if (list.some((u) => u.kind !== first.kind || u.transB !== first.transB)) continue;
    const shape = dimsOf(t, name);
    const v = viewOf(first.kind, shape, first.transB);
    if (!v) continue;
    out.push({
      name,
      source: init ? 'initializer' : 'constant',
      kind: first.kind,
      nodes: list.map((u) => u.node.name || u.node.output[0] || '?'),
      shape,
      dataType: DATA_TYPES[t.dataType]!.name,
      reductionAxes: v.axes,
      view: [v.rows, v.cols],
      ...(first.kind === 'Gemm' ? { transB: !!first.transB } : {}),
    });
  }
  return out;
}

/** Rows x reduction of a weight of a given kind and shape, and the reduction axes; null if not a weight shape. */
export function viewOf(
  kind: WeightKind,
  shape: readonly number[],
  transB?: boolean,
): { rows: number; cols: number; axes: number[] } | null {
  const r = shape.length;
  const prod = (a: readonly number[]) => a.reduce((x, y) => x * y, 1);
  switch (kind) {
    case 'Conv':
      if (r < 3) return null;
      return {
        rows: shape[0]!,
        cols: prod(shape.slice(1)),
        axes: [...Array(r - 1).keys()].map((i) => i + 1),
      };
    case 'ConvTranspose':
      if (r < 3) return null;
      return {
        rows: prod(shape.slice(1)) / prod(shape.slice(2)),
        cols: shape[0]! * prod(shape.slice(2)),
        axes: [0, ...[...Array(r - 2).keys()].map((i) => i + 2)],
      };
    case 'MatMul':
      if (r !== 2) return null;
      return { rows: shape[1]!, cols: shape[0]!, axes: [0] };
    case 'Gemm':
      if (r !== 2) return null;
      return transB
        ? { rows: shape[0]!, cols: shape[1]!, axes: [1] }
        : { rows: shape[1]!, cols: shape[0]!, axes: [0] };
    case 'Gather':
      if (r !== 2) return null;
      return { rows: shape[0]!, cols: shape[1]!, axes: [1] };
  }
}

/**
 * The weight as the 2-D [rows, reduction] matrix the quantizer blocks along its last axis:
 * Conv [O, I*k...]; ConvTranspose [O/g, I*k...] (dims 0 and 1 swapped); MatMul and Gemm
 * (transB = 0) transposed from [K, N] to [N, K]; Gemm transB = 1 and Gather as stored.
 */
export function toView(
  kind: WeightKind,
  shape: readonly number[],
  data: Float32Array,
  transB?: boolean,
): Float32Array {
  const v = viewOf(kind, shape, transB)!;
  if (kind === 'Conv' || kind === 'Gather' || (kind === 'Gemm' && transB)) return data;
  if (kind === 'MatMul' || kind === 'Gemm') return transpose2(data, shape[0]!, shape[1]!);
  // ConvTranspose [I, O, k]: view[o, i*k + s] = w[i, o, s]
  const I = shape[0]!;
  const O = v.rows;
  const k = v.cols / I;
  const out = new Float32Array(data.length);
  for (let i = 0; i < I; i++)
    for (let o = 0; o < O; o++)
      for (let s = 0; s < k; s++) out[o * I * k + i * k + s] = data[(i * O + o) * k + s]!;
  return out;
}

/** Inverse of toView. */
export function fromView(
  kind: WeightKind,
  shape: readonly number[],
  view: Float32Array,
  transB?: boolean,
): Float32Array {
  const v = viewOf(kind, shape, transB)!;
  if (kind === 'Conv' || kind === 'Gather' || (kind === 'Gemm' && transB)) return view;
  if (kind === 'MatMul' || kind === 'Gemm') return transpose2(view, v.rows, v.cols);
  const I = shape[0]!;
  const O = v.rows;
  const k = v.cols / I;
  const out = new Float32Array(view.length);
  for (let i = 0; i < I; i++)
    for (let o = 0; o < O; o++)
      for (let s = 0; s < k; s++) out[(i * O + o) * k + s] = view[o * I * k + i * k + s]!;
  return out;
}

/** [r, c] -> [c, r]. */
export function transpose2(a: Float32Array, r: number, c: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = a[i * c + j]!;
  return out;
}
