/**
 * @module onnx/quantize
 * Quantize the weights of an ONNX model with any block scheme. Every weight is seen as a 2-D
 * [rows, K] view with K its reduction axis (model.ts `toView`), so blocks always run along the
 * reduction. `fake` writes the dequantized float32 weights in place; `qdq` writes the element codes
 * and block scales and a small subgraph that rebuilds each weight: `DequantizeLinear` with the
 * codes' own ONNX type and blocked scales where the model's opset defines it (blocked: 21, FP8: 19,
 * FP4 E2M1: 23), otherwise a table lookup (Cast, Gather, Mul) that any opset >= 13 runs. The
 * model's opset is never raised (other operators' meaning would change).
 */

import { dirname, join, resolve } from 'node:path';
import { globToRegExp } from '../convert/select.js';
import { codec } from '../formats/index.js';
import {
  type BlockScheme,
  coarseScale,
  dequantize,
  e8m0Value,
  elementTable,
  type QuantizedTensor,
  quantize,
  scaleStorageBits,
} from '../quant/index.js';
import { fourOverSix, gptq, hadamard, rotateBlocks, rotateHessian, rotationSize } from './methods.js';
import {
  externalBytes,
  findWeights,
  fromView,
  type LoadedModel,
  OnnxError,
  tensorFloat32,
  toView,
  type WeightInfo,
} from './model.js';
import { DT } from './schema.js';
import { encodeEdited, type ModelEdit, type NewNode, type NewTensor, writeParts } from './write.js';

export type QdqEncoding = 'auto' | 'dq' | 'lookup';

export interface OnnxQuantizeOptions {
  scheme: BlockScheme;
  mode?: 'fake' | 'qdq';
  /** Glob patterns on weight names: only matching weights (default all quantizable weights). */
  include?: string[];
  exclude?: string[];
  /** NVFP4 only: Four Over Six block scales (arXiv 2512.02010). */
  fourOverSix?: boolean;
  /** Block Hadamard rotation with rotation size = block size (arXiv 2511.04214). */
  rotate?: boolean;
  /** GPTQ: Hessians X^T X per weight name, over the weight's reduction axis (see runtime.ts calibrate). */
  hessians?: Map<string, Float64Array>;
  /** qdq: DequantizeLinear (dq), table lookup (lookup) or dq where the opset allows (auto). */
  qdqEncoding?: QdqEncoding;
  onProgress?: (done: number, total: number, name: string) => void;
  /** Replace an existing output file (never the input model or its external data). Default false. */
  force?: boolean;
}

export interface WeightResult {
  name: string;
  kind: WeightInfo['kind'];
  shape: readonly number[];
  view: readonly [number, number];
  method: 'rtn' | 'four-over-six' | 'gptq';
  rotated: boolean;
  /** qdq: how the weight is rebuilt. */
  encoding?: 'dq' | 'lookup';
  /** ||W - Q(W)|| / ||W|| over the weight. */
  relError: number;
  sqnrDb: number;
  /** Stored bits per weight (codes + scales as written; fake mode: the scheme's). */
  bitsPerWeight: number;
}

export interface OnnxQuantizeResult {
  scheme: string;
  mode: 'fake' | 'qdq';
  weights: WeightResult[];
  skipped: { name: string; reason: string }[];
  bytesIn: number;
  bytesOut: number;
  quantizedElements: number;
  /** Elements-weighted mean bits per quantized weight. */
  bitsPerWeight: number;
}

/** ONNX element type for a scheme's element, with the opset where DequantizeLinear accepts it. */
function nativeType(scheme: BlockScheme): { dt: number; opset: number } | null {
  switch (scheme.element) {
    case 'int8':
    case 'mxint8':
      return { dt: DT.INT8, opset: 10 };
    case 'e4m3fn':
      return { dt: DT.FLOAT8E4M3FN, opset: 19 };
    case 'e4m3fnuz':
      return { dt: DT.FLOAT8E4M3FNUZ, opset: 19 };
    case 'e5m2':
      return { dt: DT.FLOAT8E5M2, opset: 19 };
    case 'e5m2fnuz':
      return { dt: DT.FLOAT8E5M2FNUZ, opset: 19 };
    case 'e2m1':
      return { dt: DT.FLOAT4E2M1, opset: 23 };
    default:
      return null;
  }
}

type Layout = 'tensor' | 'channel' | 'blocked';
function layoutOf(scheme: BlockScheme): Layout {
  const [r, c] = scheme.block;
  if (r === 'all' && c === 'all') return 'tensor';
  if (c === 'all') return 'channel';
  return 'blocked';
}

/** The opset DequantizeLinear needs for this scheme, or null if no ONNX type holds its elements. */
export function dqOpset(scheme: BlockScheme): number | null {
  const t = nativeType(scheme);
  if (!t) return null;
  const l = layoutOf(scheme);
  return Math.max(t.opset, l === 'blocked' ? 21 : l === 'channel' ? 13 : 10);
}

const i64 = (name: string, values: number[]): NewTensor => {
  const b = new BigInt64Array(values.map((v) => BigInt(v)));
  return { name, dataType: DT.INT64, dims: [values.length], rawData: new Uint8Array(b.buffer) };
};
const f32 = (name: string, dims: number[], values: Float32Array): NewTensor => ({
  name,
  dataType: DT.FLOAT,
  dims,
  rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
});

/** Per-row block scales [rows, nbc] from a quantized view (2-D blocks repeated over their rows). */
function rowScales(
  q: QuantizedTensor,
  rows: number,
  K: number,
): { s: Float32Array; nbc: number; bc: number } {
  const [brS, bcS] = q.scheme.block;
  const bc = bcS === 'all' ? K : bcS;
  const br = brS === 'all' ? rows : brS;
  const nbc = Math.ceil(K / bc);
  const s = new Float32Array(rows * nbc);
  const perTensor = brS === 'all' && bcS === 'all';
  for (let r = 0; r < rows; r++)
    for (let b = 0; b < nbc; b++)
      s[r * nbc + b] = perTensor ? q.scales[0]! : q.scales[Math.floor(r / br) * nbc + b]!;
  return { s, nbc, bc };
}

/**
 * Per-row scale codes [rows, nbc] and the value of each code, when the scheme stores 8-bit scales
 * and every block's dequantization scale is exactly its code's value; else null (float32 scales).
 */
function scaleCodeTable(
  q: QuantizedTensor,
  rows: number,
  K: number,
): { codes: Uint8Array; table: Float32Array; name: string } | null {
  const storage = q.scheme.scaleStorage;
  if (!q.scaleCodes || (storage !== 'e8m0' && storage !== 'e4m3fn')) return null;
  const table = new Float32Array(256);
  if (storage === 'e8m0') for (let c = 0; c < 256; c++) table[c] = c === 255 ? Number.NaN : e8m0Value(c);
  else {
    const e4m3 = codec('e4m3fn');
    for (let c = 0; c < 256; c++) table[c] = Math.fround(e4m3.decode(c) / q.globalScale);
  }
  const [brS, bcS] = q.scheme.block;
  if (bcS === 'all') return null;
  const br = brS === 'all' ? rows : brS;
  const nbc = Math.ceil(K / bcS);
  const codes = new Uint8Array(rows * nbc);
  for (let r = 0; r < rows; r++) {
    for (let b = 0; b < nbc; b++) {
      const i = Math.floor(r / br) * nbc + b;
      const c = q.scaleCodes[i]!;
      if (!Object.is(table[c], q.scales[i]) && !(Number.isNaN(table[c]!) && Number.isNaN(q.scales[i]!)))
        return null;
      codes[r * nbc + b] = c;
    }
  }
  // one table per scheme (E8M0) or per tensor scale (NVFP4), shared by the weights that use it
  const tag =
    storage === 'e8m0'
      ? 'e8m0'
      : `e4m3_${new Uint32Array(Float32Array.of(q.globalScale).buffer)[0]!.toString(16)}`;
  return { codes, table, name: `chipstack__scale_${tag}` };
}

interface Built {
  nodes: NewNode[];
  inits: NewTensor[];
  bytes: number;
}

/** The subgraph that rebuilds the [rows, K] view from codes and scales; its output is `out`. */
function buildDequant(
  name: string,
  q: QuantizedTensor,
  rows: number,
  K: number,
  encoding: 'dq' | 'lookup',
  out: string,
  opset: number,
): Built {
  const scheme = q.scheme;
  const layout = layoutOf(scheme);
  const nodes: NewNode[] = [];
  const inits: NewTensor[] = [];
  const { s, nbc, bc } = rowScales(q, rows, K);
  if (encoding === 'dq') {
    // mxint8 codes are int8 with an implicit 2^-6 (the lookup table holds it; DequantizeLinear does not)
    if (scheme.element === 'mxint8') for (let i = 0; i < s.length; i++) s[i] = s[i]! / 64;
    const t = nativeType(scheme)!;
    let raw: Uint8Array;
    if (t.dt === DT.FLOAT4E2M1) {
      raw = new Uint8Array(Math.ceil(q.codes.length / 2));
      for (let i = 0; i < q.codes.length; i++) raw[i >> 1] |= (q.codes[i]! & 15) << (i & 1 ? 4 : 0);
    } else raw = q.codes;
    inits.push({ name: `${name}__q`, dataType: t.dt, dims: [rows, K], rawData: raw });
    const attribute =
      layout === 'blocked'
        ? [
            { name: 'axis', type: 2 as const, i: 1 },
            { name: 'block_size', type: 2 as const, i: bc },
          ]
        : layout === 'channel'
          ? [{ name: 'axis', type: 2 as const, i: 0 }]
          : [];
    const scale =
      layout === 'blocked'
        ? f32(`${name}__scale`, [rows, nbc], s)
        : layout === 'channel'
          ? f32(`${name}__scale`, [rows], s)
          : f32(`${name}__scale`, [], s.subarray(0, 1));
    inits.push(scale);
    nodes.push({
      name: `${name}__dq`,
      opType: 'DequantizeLinear',
      input: [`${name}__q`, `${name}__scale`],
      output: [out],
      attribute,
    });
    return { nodes, inits, bytes: raw.length + scale.rawData.length };
  }
  // lookup: codes padded to whole blocks, Cast to int32, Gather the element value, times the scale
  const Kp = nbc * bc;
  const table = elementTable(scheme);
  const padded = new Uint8Array(rows * Kp);
  for (let r = 0; r < rows; r++) padded.set(q.codes.subarray(r * K, r * K + K), r * Kp);
  let bytes = 0;
  const vals = `${name}__vals`;
  if (scheme.element === 'e2m1' && Kp % 2 === 0) {
    const packed = new Uint8Array((rows * Kp) / 2);
    for (let i = 0; i < padded.length; i++) packed[i >> 1] |= (padded[i]! & 15) << (i & 1 ? 4 : 0);
    const lo = new Float32Array(256);
    const hi = new Float32Array(256);
    for (let b = 0; b < 256; b++) {
      lo[b] = table[b & 15]!;
      hi[b] = table[b >> 4]!;
    }
    inits.push(
      { name: `${name}__q`, dataType: DT.UINT8, dims: [rows, Kp / 2, 1], rawData: packed },
      f32(`chipstack__${scheme.name}__lo`, [256], lo),
      f32(`chipstack__${scheme.name}__hi`, [256], hi),
    );
    bytes += packed.length;
    nodes.push(
      {
        name: `${name}__cast`,
        opType: 'Cast',
        input: [`${name}__q`],
        output: [`${name}__idx`],
        attribute: [{ name: 'to', type: 2, i: 6 }],
      },
      {
        name: `${name}__glo`,
        opType: 'Gather',
        input: [`chipstack__${scheme.name}__lo`, `${name}__idx`],
        output: [`${name}__vlo`],
      },
      {
        name: `${name}__ghi`,
        opType: 'Gather',
        input: [`chipstack__${scheme.name}__hi`, `${name}__idx`],
        output: [`${name}__vhi`],
      },
      {
        name: `${name}__cat`,
        opType: 'Concat',
        input: [`${name}__vlo`, `${name}__vhi`],
        output: [vals],
        attribute: [{ name: 'axis', type: 2, i: 2 }],
      },
    );
  } else {
    inits.push(
      { name: `${name}__q`, dataType: DT.UINT8, dims: [rows, Kp], rawData: padded },
      f32(`chipstack__${scheme.name}__values`, [256], table),
    );
    bytes += padded.length;
    nodes.push(
      {
        name: `${name}__cast`,
        opType: 'Cast',
        input: [`${name}__q`],
        output: [`${name}__idx`],
        attribute: [{ name: 'to', type: 2, i: 6 }],
      },
      {
        name: `${name}__g`,
        opType: 'Gather',
        input: [`chipstack__${scheme.name}__values`, `${name}__idx`],
        output: [vals],
      },
    );
  }
  inits.push(i64(`${name}__bshape`, [rows, nbc, bc]));
  const sc = scaleCodeTable(q, rows, K);
  if (sc) {
    // 8-bit scale codes (E8M0, or NVFP4's E4M3 under its tensor scale) and their 256 values
    inits.push(
      { name: `${name}__scode`, dataType: DT.UINT8, dims: [rows, nbc, 1], rawData: sc.codes },
      f32(sc.name, [256], sc.table),
    );
    bytes += sc.codes.length;
    nodes.push(
      {
        name: `${name}__scast`,
        opType: 'Cast',
        input: [`${name}__scode`],
        output: [`${name}__sidx`],
        attribute: [{ name: 'to', type: 2, i: 6 }],
      },
      {
        name: `${name}__sg`,
        opType: 'Gather',
        input: [sc.name, `${name}__sidx`],
        output: [`${name}__scale`],
      },
    );
  } else {
    inits.push(f32(`${name}__scale`, [rows, nbc, 1], s));
    bytes += s.byteLength;
  }
  nodes.push(
    { name: `${name}__rb`, opType: 'Reshape', input: [vals, `${name}__bshape`], output: [`${name}__blocks`] },
    {
      name: `${name}__mul`,
      opType: 'Mul',
      input: [`${name}__blocks`, `${name}__scale`],
      output: [`${name}__scaled`],
    },
  );
  if (Kp === K) {
    inits.push(i64(`${name}__vshape`, [rows, K]));
    nodes.push({
      name: `${name}__rv`,
      opType: 'Reshape',
      input: [`${name}__scaled`, `${name}__vshape`],
      output: [out],
    });
  } else {
    inits.push(i64(`${name}__vshape`, [rows, Kp]));
    nodes.push({
      name: `${name}__rv`,
      opType: 'Reshape',
      input: [`${name}__scaled`, `${name}__vshape`],
      output: [`${name}__full`],
    });
    if (opset >= 10) {
      inits.push(i64(`${name}__s0`, [0]), i64(`${name}__s1`, [K]), i64(`${name}__sax`, [1]));
      nodes.push({
        name: `${name}__slice`,
        opType: 'Slice',
        input: [`${name}__full`, `${name}__s0`, `${name}__s1`, `${name}__sax`],
        output: [out],
      });
    } else {
      // Slice-1: starts, ends and axes are attributes
      nodes.push({
        name: `${name}__slice`,
        opType: 'Slice',
        input: [`${name}__full`],
        output: [out],
        attribute: [
          { name: 'starts', type: 7, ints: [0] },
          { name: 'ends', type: 7, ints: [K] },
          { name: 'axes', type: 7, ints: [1] },
        ],
      });
    }
  }
  return { nodes, inits, bytes };
}

/** The dequantization subgraph of a quantized [rows, K] view (exported for runtime probes). */
export function buildDequantFor(
  name: string,
  q: QuantizedTensor,
  rows: number,
  K: number,
  encoding: 'dq' | 'lookup',
  out: string,
  opset: number,
): { nodes: NewNode[]; inits: NewTensor[] } {
  return buildDequant(name, q, rows, K, encoding, out, opset);
}

/** Nodes that undo the rotation (V = V' H per block) and the view (back to the weight's shape). */
function buildRestore(
  w: WeightInfo,
  input: string,
  rotate: number,
): { nodes: NewNode[]; inits: NewTensor[] } {
  const [rows, K] = w.view;
  const n = w.name;
  const nodes: NewNode[] = [];
  const inits: NewTensor[] = [];
  let cur = input;
  if (rotate) {
    inits.push(
      i64(`${n}__rshape`, [rows, K / rotate, rotate]),
      f32(`${n}__hadamard`, [rotate, rotate], Float32Array.from(hadamard(rotate))),
      i64(`${n}__rback`, [rows, K]),
    );
    nodes.push(
      { name: `${n}__r1`, opType: 'Reshape', input: [cur, `${n}__rshape`], output: [`${n}__rot3`] },
      {
        name: `${n}__r2`,
        opType: 'MatMul',
        input: [`${n}__rot3`, `${n}__hadamard`],
        output: [`${n}__unrot3`],
      },
      {
        name: `${n}__r3`,
        opType: 'Reshape',
        input: [`${n}__unrot3`, `${n}__rback`],
        output: [`${n}__unrot`],
      },
    );
    cur = `${n}__unrot`;
  }
  const finish = (op: NewNode) => nodes.push(op);
  switch (w.kind) {
    case 'Conv':
      inits.push(i64(`${n}__shape`, [...w.shape]));
      finish({ name: `${n}__reshape`, opType: 'Reshape', input: [cur, `${n}__shape`], output: [n] });
      break;
    case 'MatMul':
      finish({
        name: `${n}__t`,
        opType: 'Transpose',
        input: [cur],
        output: [n],
        attribute: [{ name: 'perm', type: 7, ints: [1, 0] }],
      });
      break;
    case 'Gemm':
      if (w.transB) finish({ name: `${n}__id`, opType: 'Identity', input: [cur], output: [n] });
      else
        finish({
          name: `${n}__t`,
          opType: 'Transpose',
          input: [cur],
          output: [n],
          attribute: [{ name: 'perm', type: 7, ints: [1, 0] }],
        });
      break;
    case 'Gather':
      finish({ name: `${n}__id`, opType: 'Identity', input: [cur], output: [n] });
      break;
    case 'ConvTranspose': {
      const s = [w.view[0], w.shape[0]!, ...w.shape.slice(2)];
      inits.push(i64(`${n}__shape`, s));
      nodes.push({
        name: `${n}__reshape`,
        opType: 'Reshape',
        input: [cur, `${n}__shape`],
        output: [`${n}__oi`],
      });
      finish({
        name: `${n}__t`,
        opType: 'Transpose',
        input: [`${n}__oi`],
        output: [n],
        attribute: [{ name: 'perm', type: 7, ints: [1, 0, ...s.slice(2).map((_, i) => i + 2)] }],
      });
      break;
    }
  }
  return { nodes, inits };
}

function floatBytes(v: Float32Array, name: string, dims: readonly number[]): NewTensor {
  return {
    name,
    dataType: DT.FLOAT,
    dims: [...dims],
    rawData: new Uint8Array(v.buffer, v.byteOffset, v.byteLength),
  };
}

/** Select, quantize and encode the weights: the model edit and the per-weight results. */
export function planQuantization(
  m: LoadedModel,
  opts: OnnxQuantizeOptions,
  outPath?: string,
): { edit: ModelEdit; result: OnnxQuantizeResult } {
  const scheme = opts.scheme;
  const mode = opts.mode ?? 'fake';
  if (opts.fourOverSix && scheme.scale.kind !== 'nvfp4')
    throw new OnnxError(`--four-over-six is for NVFP4 schemes, not ${scheme.name}`);
  if (mode === 'qdq' && scheme.scale.kind === 'hif4')
    throw new OnnxError(
      `${scheme.name}: HiFloat4's micro-exponents have no ONNX dequantization graph; use fake mode`,
    );
  if (mode === 'qdq' && coarseScale(scheme))
    throw new OnnxError(
      `${scheme.name}: its float32 level-0 scale per 512 has no ONNX dequantization graph; use fake mode`,
    );
  if (opts.hessians?.size && (scheme.scale.kind === 'hif4' || coarseScale(scheme)))
    throw new OnnxError(
      `${scheme.name}: GPTQ sets one scale per block, and this scheme's scales span several levels; use round-to-nearest (no calibration)`,
    );
  const rsize = opts.rotate ? rotationSizeOrError(scheme) : 0;
  const inc = (opts.include ?? []).map(globToRegExp);
  const exc = (opts.exclude ?? []).map(globToRegExp);
  const all = findWeights(m);
  const selected = all.filter(
    (w) => (inc.length === 0 || inc.some((r) => r.test(w.name))) && !exc.some((r) => r.test(w.name)),
  );
  // a weight with no elements has nothing to quantize (and no error to report): left as it is
  const chosen = selected.filter((w) => w.view[0] * w.view[1] > 0);
  const skipped = all
    .filter((w) => !chosen.includes(w))
    .map((w) => ({
      name: w.name,
      reason: selected.includes(w) ? 'no elements' : 'excluded by --include/--exclude',
    }));
  const encodingWanted = opts.qdqEncoding ?? 'auto';
  const need = dqOpset(scheme);
  if (mode === 'qdq' && encodingWanted === 'dq' && (need === null || m.opset < need)) {
    throw new OnnxError(
      need === null
        ? `${scheme.name}: ONNX has no element type for ${scheme.element}; use --qdq-encoding lookup`
        : `${m.path}: DequantizeLinear for ${scheme.name} needs opset ${need}, the model has ${m.opset}; use --qdq-encoding lookup`,
    );
  }
  const encoding: 'dq' | 'lookup' =
    encodingWanted === 'lookup' || need === null || m.opset < need ? 'lookup' : 'dq';
  const edit: ModelEdit = {
    initializers: new Map(),
    constants: new Map(),
    addInitializers: [],
    prependNodes: [],
    removeInputs: new Set(),
  };
  const weights: WeightResult[] = [];
  let totalBits = 0;
  let totalElems = 0;
  chosen.forEach((w, idx) => {
    opts.onProgress?.(idx, chosen.length, w.name);
    const t = w.source === 'initializer' ? m.initializers.get(w.name)! : m.constants.get(w.name)!.tensor;
    const data = tensorFloat32(m, t);
    const [rows, K] = w.view;
    const view = toView(w.kind, w.shape, data, w.transB);
    const rot = rsize && K % rsize === 0 ? rsize : 0;
    const src = rot ? rotateBlocks(view, rows, K, rot) : view;
    let q: QuantizedTensor;
    let method: WeightResult['method'] = 'rtn';
    const hess = opts.hessians?.get(w.name);
    if (hess) {
      q = gptq(src, rows, K, scheme, rot ? rotateHessian(hess, K, rot) : hess);
      method = 'gptq';
    } else if (opts.fourOverSix) {
      q = fourOverSix(src, rows, K, scheme);
      method = 'four-over-six';
    } else q = quantize(src, [rows, K], scheme);
    let deqView = dequantize(q);
    if (rot) deqView = rotateBlocks(deqView, rows, K, rot);
    const deq = fromView(w.kind, w.shape, deqView, w.transB);
    let se = 0;
    let ss = 0;
    for (let i = 0; i < data.length; i++) {
      const d = deq[i]! - data[i]!;
      se += d * d;
      ss += data[i]! * data[i]!;
    }
    let bits: number;
    let enc: 'dq' | 'lookup' | undefined;
    if (mode === 'fake') {
      const nt = floatBytes(deq, w.name, w.shape);
      if (w.source === 'initializer') edit.initializers!.set(w.name, nt);
      else edit.constants!.set(w.name, nt);
      const bc = scheme.block[1] === 'all' ? K : scheme.block[1];
      const br = scheme.block[0] === 'all' ? rows : scheme.block[0];
      const scaleBits = scaleStorageBits(scheme.scaleStorage);
      const coarse = coarseScale(scheme);
      bits =
        elementBitsOf(scheme) +
        (scaleBits * Math.ceil(K / bc) * Math.ceil(rows / br)) / (rows * K) +
        (coarse ? (coarse.bits * Math.ceil(K / coarse.elements)) / K : 0);
    } else {
      enc = encoding;
      const viewName = `${w.name}__view`;
      const built = buildDequant(w.name, q, rows, K, encoding, viewName, m.opset);
      const restore = buildRestore(w, viewName, rot);
      edit.prependNodes!.push(...built.nodes, ...restore.nodes);
      for (const t of [...built.inits, ...restore.inits]) {
        // lookup tables (chipstack__*) are shared: add each once
        if (t.name.startsWith('chipstack__') && edit.addInitializers!.some((x) => x.name === t.name))
          continue;
        edit.addInitializers!.push(t);
      }
      if (w.source === 'initializer') edit.initializers!.set(w.name, null);
      else edit.constants!.set(w.name, null);
      edit.removeInputs!.add(w.name);
      bits = (8 * built.bytes) / (rows * K);
    }
    totalBits += bits * data.length;
    totalElems += data.length;
    weights.push({
      name: w.name,
      kind: w.kind,
      shape: w.shape,
      view: w.view,
      method,
      rotated: rot > 0,
      ...(enc ? { encoding: enc } : {}),
      relError: ss > 0 ? Math.sqrt(se / ss) : se > 0 ? Number.POSITIVE_INFINITY : 0,
      sqnrDb: se > 0 ? 10 * Math.log10(ss / se) : Number.POSITIVE_INFINITY,
      bitsPerWeight: bits,
    });
    if (opts.rotate && !rot)
      skipped.push({ name: w.name, reason: `not rotated: K = ${K} is not a multiple of ${rsize}` });
  });
  opts.onProgress?.(chosen.length, chosen.length, '');
  // external data of untouched tensors: inline when the output lives in another folder
  if (outPath && resolve(dirname(outPath)) !== resolve(dirname(m.path))) {
    for (const t of m.graph.initializer) {
      if (t.dataLocation === 1 && !edit.initializers!.has(t.name)) {
        edit.initializers!.set(t.name, {
          name: t.name,
          dataType: t.dataType,
          dims: t.dims.map(Number),
          rawData: externalBytes(m, t),
        });
      }
    }
  }
  return {
    edit,
    result: {
      scheme: scheme.name,
      mode,
      weights,
      skipped,
      bytesIn: m.bytes.length,
      bytesOut: 0,
      quantizedElements: totalElems,
      bitsPerWeight: totalElems ? totalBits / totalElems : 0,
    },
  };
}

function elementBitsOf(s: BlockScheme): number {
  return s.element === 'e2m1'
    ? 4
    : s.element === 'e2m3' || s.element === 'e3m2'
      ? 6
      : s.element === 'bf16' || s.element === 'fp16'
        ? 16
        : 8;
}

function rotationSizeOrError(s: BlockScheme): number {
  try {
    return rotationSize(s);
  } catch (e) {
    throw new OnnxError((e as Error).message);
  }
}

/** The files next to the model that hold its external tensor data. */
function externalFiles(m: LoadedModel): string[] {
  const out = new Set<string>();
  const tensors = [...m.initializers.values(), ...[...m.constants.values()].map((c) => c.tensor)];
  for (const t of tensors) {
    if (t.dataLocation !== 1) continue;
    const loc = t.externalData.find((e) => e.key === 'location')?.value;
    if (loc) out.add(join(dirname(m.path), loc));
  }
  return [...out];
}

/** Quantize a model file and write the result (temp name, then rename; never over the input). */
export function quantizeModel(
  m: LoadedModel,
  outPath: string,
  opts: OnnxQuantizeOptions,
): OnnxQuantizeResult {
  const { edit, result } = planQuantization(m, opts, outPath);
  if (result.weights.length === 0) throw new OnnxError(`${m.path}: no quantizable weight selected`);
  const parts = encodeEdited(m, edit);
  const size = parts.reduce((a, p) => a + p.length, 0);
  if (size > 2 ** 31 - 1) throw new OnnxError(`${outPath}: ${size} bytes, over the 2 GiB protobuf limit`);
  result.bytesOut = writeParts(parts, outPath, m.path, { force: opts.force, protect: externalFiles(m) });
  return result;
}

/** The bytes of a quantized model, in memory (for tests and the browser-free API). */
export function quantizeModelBytes(
  m: LoadedModel,
  opts: OnnxQuantizeOptions,
): { bytes: Uint8Array; result: OnnxQuantizeResult } {
  const { edit, result } = planQuantization(m, opts);
  const parts = encodeEdited(m, edit);
  const size = parts.reduce((a, p) => a + p.length, 0);
  const bytes = new Uint8Array(size);
  let o = 0;
  for (const p of parts) {
    bytes.set(p, o);
    o += p.length;
  }
  result.bytesOut = size;
  return { bytes, result };
}
