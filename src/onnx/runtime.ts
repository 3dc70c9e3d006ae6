/**
 * @module onnx/runtime
 * Running models with onnxruntime-node (an optional dependency, loaded on first use): inputs
 * (random or .npy files), reference-versus-quantized agreement, per-layer weight error, GPTQ
 * calibration statistics, and probes of which dequantization graphs the installed runtime runs.
 */
import {
  closeSync,
  existsSync,
  constants as fsConstants,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { makeRng } from '../formats/index.js';
import { type BlockScheme, coarseScale, dequantize, quantize } from '../quant/index.js';
import {
  findWeights,
  type LoadedModel,
  OnnxError,
  parseModel,
  tensorFloat32,
  type WeightInfo,
} from './model.js';
import { buildDequantFor, dqOpset } from './quantize.js';
import { DT, int, type Node } from './schema.js';
import { buildModelBytes, encodeEdited, joinParts } from './write.js';

// biome-ignore lint/suspicious/noExplicitAny: onnxruntime-node is loaded at run time
type Ort = any;
let ortModule: Ort | null = null;

/** Load onnxruntime-node; a clear error when it is not installed. */
export async function loadOrt(): Promise<Ort> {
  if (ortModule) return ortModule;
  try {
    const name = 'onnxruntime-node';
    ortModule = await import(name);
    return ortModule;
  } catch (e) {
    throw new OnnxError(
      `onnxruntime-node is not installed or does not load here (${(e as Error).message.split('\n')[0]}); install it with ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node`,
    );
  }
}

/** Feeds for one run: input name -> typed data and dims. */
export type Feed = Map<
  string,
  { type: 'float32' | 'int64' | 'int32'; data: Float32Array | BigInt64Array | Int32Array; dims: number[] }
>;

export interface InputSpec {
  name: string;
  elemType: number;
  dims: (number | string)[];
}

/** The graph inputs that are not initializers, with their element type and dimensions. */
export function inputSpecs(m: LoadedModel): InputSpec[] {
  return m.graph.input
    .filter((v) => !m.initializers.has(v.name))
    .map((v) => ({
      name: v.name,
      elemType: v.type?.tensorType?.elemType ?? 0,
      dims: (v.type?.tensorType?.shape?.dim ?? []).map((d) =>
        d.dimParam ? d.dimParam : d.dimValue !== undefined && d.dimValue !== null ? int(d.dimValue) : '?',
      ),
    }));
}

/**
 * Random feeds: floats uniform in [-1, 1), integers uniform in [0, 100). Symbolic dimensions take
 * the value in `shapes` (input name -> full shape) or 1.
 */
export function randomFeeds(
  m: LoadedModel,
  n: number,
  seed = 1,
  shapes: Map<string, number[]> = new Map(),
): Feed[] {
  const rng = makeRng(seed);
  const specs = inputSpecs(m);
  for (const name of shapes.keys()) {
    if (!specs.some((s) => s.name === name))
      throw new OnnxError(
        `--shape ${name}: the model has no input of that name (inputs: ${specs.map((s) => s.name).join(', ')})`,
      );
  }
  const out: Feed[] = [];
  for (let k = 0; k < n; k++) {
    const feed: Feed = new Map();
    for (const s of specs) {
      const dims = shapes.get(s.name) ?? s.dims.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
      if (dims.length !== s.dims.length)
        throw new OnnxError(`--shape ${s.name}: ${dims.length} dimensions, the input has ${s.dims.length}`);
      const size = dims.reduce((a, b) => a * b, 1);
      if (size > 1 << 26) throw new OnnxError(`input ${s.name}: ${size} elements, over the cap of 2^26`);
      if (s.elemType === DT.FLOAT) {
        const d = new Float32Array(size);
        for (let i = 0; i < size; i++) d[i] = 2 * rng() - 1;
        feed.set(s.name, { type: 'float32', data: d, dims });
      } else if (s.elemType === DT.INT64 || s.elemType === 6) {
        const vals = Array.from({ length: size }, () => Math.floor(rng() * 100));
        feed.set(
          s.name,
          s.elemType === 6
            ? { type: 'int32', data: Int32Array.from(vals), dims }
            : { type: 'int64', data: BigInt64Array.from(vals.map(BigInt)), dims },
        );
      } else
        throw new OnnxError(
          `input ${s.name}: element type ${s.elemType} is not supported for random inputs (float, int32, int64 are)`,
        );
    }
    out.push(feed);
  }
  return out;
}

/** Parse a .npy file (little-endian f4, f8, i8, i4, u1; C order). */
export function readNpy(
  bytes: Uint8Array,
  where: string,
): { dtype: string; shape: number[]; data: Float32Array | BigInt64Array | Int32Array } {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b))
    throw new OnnxError(`${where}: not a .npy file`);
  const major = bytes[6]!;
  const hlen =
    major === 1
      ? bytes[8]! | (bytes[9]! << 8)
      : new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + hlen > bytes.length) throw new OnnxError(`${where}: truncated .npy header`);
  const header = new TextDecoder().decode(bytes.subarray(start, start + hlen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) throw new OnnxError(`${where}: bad .npy header`);
  if (fortran) throw new OnnxError(`${where}: Fortran-order arrays are not supported`);
  const shape = shapeText
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0))
    throw new OnnxError(`${where}: bad shape (${shapeText})`);
  const n = shape.reduce((a, b) => a * b, 1);
  const body = bytes.subarray(start + hlen);
  const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const size: Record<string, number> = { '<f4': 4, '<f8': 8, '<i8': 8, '<i4': 4, '|u1': 1 };
  const sz = size[descr];
  if (!sz) throw new OnnxError(`${where}: dtype ${descr} not supported (<f4, <f8, <i8, <i4, |u1 are)`);
  if (body.length !== n * sz)
    throw new OnnxError(`${where}: ${body.length} data bytes, shape (${shape.join(', ')}) needs ${n * sz}`);
  if (descr === '<i8') {
    const d = new BigInt64Array(n);
    for (let i = 0; i < n; i++) d[i] = dv.getBigInt64(8 * i, true);
    return { dtype: descr, shape, data: d };
  }
  if (descr === '<i4') {
    const d = new Int32Array(n);
    for (let i = 0; i < n; i++) d[i] = dv.getInt32(4 * i, true);
    return { dtype: descr, shape, data: d };
  }
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++)
    d[i] =
      descr === '<f4'
        ? dv.getFloat32(4 * i, true)
        : descr === '<f8'
          ? dv.getFloat64(8 * i, true)
          : dv.getUint8(i);
  return { dtype: descr, shape, data: d };
}

/** Read samples from a folder: DIR/SAMPLE.npy (one-input models) or DIR/SAMPLE/INPUT.npy. Sorted by name. */
export function readInputsDir(
  m: LoadedModel,
  dir: string,
  maxSamples = 100000,
): { names: string[]; feeds: Feed[] } {
  // a non-blocking open and a check on the handle: a FIFO named *.npy would otherwise block forever
  const readRegular = (file: string): Buffer => {
    let fd: number | undefined;
    try {
      fd = openSync(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
      if (!fstatSync(fd).isFile()) throw new OnnxError(`${file}: not a regular file`);
      return readFileSync(fd);
    } catch (e) {
      if (e instanceof OnnxError) throw e;
      throw new OnnxError(
        `${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      );
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  };
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new OnnxError(`${dir}: not a folder`);
  const specs = inputSpecs(m);
  const byName = new Map(specs.map((s) => [s.name, s]));
  const entries = readdirSync(dir).sort();
  const names: string[] = [];
  const feeds: Feed[] = [];
  const toFeed = (s: InputSpec, file: string) => {
    const a = readNpy(readRegular(file), file);
    if (a.shape.length !== s.dims.length)
      throw new OnnxError(`${file}: ${a.shape.length} dimensions, input ${s.name} has ${s.dims.length}`);
    s.dims.forEach((d, i) => {
      if (typeof d === 'number' && d > 0 && a.shape[i] !== d)
        throw new OnnxError(`${file}: dimension ${i} is ${a.shape[i]}, input ${s.name} needs ${d}`);
    });
    if (s.elemType === DT.FLOAT) {
      if (!(a.data instanceof Float32Array)) throw new OnnxError(`${file}: input ${s.name} needs floats`);
      return { type: 'float32' as const, data: a.data, dims: a.shape };
    }
    if (s.elemType === DT.INT64) {
      const d =
        a.data instanceof BigInt64Array
          ? a.data
          : BigInt64Array.from(Array.from(a.data as Float32Array, (x) => BigInt(Math.trunc(x))));
      return { type: 'int64' as const, data: d, dims: a.shape };
    }
    throw new OnnxError(`input ${s.name}: element type ${s.elemType} not supported from .npy`);
  };
  for (const e of entries) {
    if (feeds.length >= maxSamples) break;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) {
      const feed: Feed = new Map();
      for (const s of specs) {
        const f = join(p, `${s.name.replace(/[/\\:]/g, '_')}.npy`);
        if (!existsSync(f)) throw new OnnxError(`${p}: no ${s.name}.npy for input ${s.name}`);
        feed.set(s.name, toFeed(s, f));
      }
      names.push(e);
      feeds.push(feed);
    } else if (e.endsWith('.npy')) {
      if (specs.length !== 1)
        throw new OnnxError(
          `${p}: the model has ${specs.length} inputs; use one folder per sample with INPUT.npy files`,
        );
      names.push(e.slice(0, -4));
      feeds.push(new Map([[specs[0]!.name, toFeed(byName.get(specs[0]!.name)!, p)]]));
    }
  }
  if (feeds.length === 0) throw new OnnxError(`${dir}: no .npy samples`);
  return { names, feeds };
}

async function session(ort: Ort, bytes: Uint8Array, where: string) {
  try {
    return await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
  } catch (e) {
    throw new OnnxError(`${where}: onnxruntime refused the model (${(e as Error).message.split('\n')[0]})`);
  }
}

async function run(
  ort: Ort,
  s: Ort,
  feed: Feed,
  where: string,
): Promise<Map<string, { data: Float32Array; dims: number[] }>> {
  const f: Record<string, unknown> = {};
  for (const [k, v] of feed) f[k] = new ort.Tensor(v.type, v.data, v.dims);
  let r: Record<string, { data: ArrayLike<number>; dims: readonly number[]; type: string }>;
  try {
    r = await s.run(f);
  } catch (e) {
    throw new OnnxError(`${where}: run failed (${(e as Error).message.split('\n')[0]})`);
  }
  const out = new Map<string, { data: Float32Array; dims: number[] }>();
  for (const [k, v] of Object.entries(r)) {
    const data =
      v.type === 'float32'
        ? (v.data as Float32Array)
        : Float32Array.from(Array.from(v.data as ArrayLike<number | bigint>, Number));
    out.set(k, { data, dims: [...v.dims] });
  }
  return out;
}

export interface OutputAgreement {
  output: string;
  /** ||ref - q|| / ||ref|| over all samples. */
  relError: number;
  /** cosine similarity of the flattened outputs over all samples. */
  cosine: number;
  /** Fraction of vectors (along the last axis) whose argmax agrees. */
  top1: number;
  vectors: number;
}

export interface EvalResult {
  samples: number;
  outputs: OutputAgreement[];
  /** With labels: top-1 accuracy of each model on the first output. */
  task?: { metric: 'top1-accuracy'; reference: number; quantized: number; labeled: number };
  weights: { name: string; relError: number; sqnrDb: number }[];
  seconds: number;
}

function argmaxRows(d: Float32Array, last: number): number[] {
  const out: number[] = [];
  for (let o = 0; o + last <= d.length; o += last) {
    let b = 0;
    for (let j = 1; j < last; j++) if (d[o + j]! > d[o + b]!) b = j;
    out.push(b);
  }
  return out;
}

/**
 * Run the reference and the quantized model on the same feeds and compare their outputs; `labels`
 * (one class id per sample) adds top-1 accuracy on the first output.
 */
export async function evaluate(
  ref: LoadedModel,
  quant: LoadedModel,
  feeds: Feed[],
  opts: { labels?: (number | null)[]; onProgress?: (done: number, total: number) => void } = {},
): Promise<EvalResult> {
  const t0 = performance.now();
  const ort = await loadOrt();
  const sr = await session(ort, ref.bytes, ref.path);
  const sq = await session(ort, quant.bytes, quant.path);
  const names: string[] = sr.outputNames;
  const acc = new Map(names.map((n) => [n, { se: 0, ss: 0, dot: 0, qq: 0, agree: 0, vec: 0 }]));
  let refRight = 0;
  let qRight = 0;
  let labeled = 0;
  for (let i = 0; i < feeds.length; i++) {
    const a = await run(ort, sr, feeds[i]!, ref.path);
    const b = await run(ort, sq, feeds[i]!, quant.path);
    for (const n of names) {
      const x = a.get(n)!;
      const y = b.get(n);
      if (!y || y.data.length !== x.data.length)
        throw new OnnxError(`${quant.path}: output ${n} missing or of another shape`);
      const s = acc.get(n)!;
      for (let j = 0; j < x.data.length; j++) {
        const d = y.data[j]! - x.data[j]!;
        s.se += d * d;
        s.ss += x.data[j]! * x.data[j]!;
        s.qq += y.data[j]! * y.data[j]!;
        s.dot += x.data[j]! * y.data[j]!;
      }
      const last = x.dims.length ? x.dims[x.dims.length - 1]! : 1;
      if (last > 1) {
        const ra = argmaxRows(x.data, last);
        const rb = argmaxRows(y.data, last);
        for (let j = 0; j < ra.length; j++) if (ra[j] === rb[j]) s.agree++;
        s.vec += ra.length;
        const label = opts.labels?.[i];
        if (n === names[0] && label !== undefined && label !== null) {
          labeled++;
          if (ra[0] === label) refRight++;
          if (rb[0] === label) qRight++;
        }
      }
    }
    opts.onProgress?.(i + 1, feeds.length);
  }
  const weights = await weightErrors(ref, quant, feeds[0]!);
  return {
    samples: feeds.length,
    outputs: names.map((n) => {
      const s = acc.get(n)!;
      return {
        output: n,
        relError: s.ss > 0 ? Math.sqrt(s.se / s.ss) : Math.sqrt(s.se),
        cosine: s.ss > 0 && s.qq > 0 ? s.dot / Math.sqrt(s.ss * s.qq) : s.ss === s.qq ? 1 : 0,
        top1: s.vec ? s.agree / s.vec : Number.NaN,
        vectors: s.vec,
      };
    }),
    ...(labeled
      ? {
          task: {
            metric: 'top1-accuracy' as const,
            reference: refRight / labeled,
            quantized: qRight / labeled,
            labeled,
          },
        }
      : {}),
    weights,
    seconds: (performance.now() - t0) / 1000,
  };
}

/**
 * Per-layer weight error: each quantizable weight of the reference against the same-named tensor of
 * the quantized model, read from its initializers/Constants (fake mode) or computed by the
 * runtime from its dequantization subgraph (qdq mode).
 */
export async function weightErrors(
  ref: LoadedModel,
  quant: LoadedModel,
  feed: Feed,
): Promise<{ name: string; relError: number; sqnrDb: number }[]> {
  const ws = findWeights(ref);
  const direct = new Map<string, Float32Array>();
  const computed: string[] = [];
  for (const w of ws) {
    const t = quant.initializers.get(w.name) ?? quant.constants.get(w.name)?.tensor;
    if (t) direct.set(w.name, tensorFloat32(quant, t));
    else computed.push(w.name);
  }
  if (computed.length) {
    const ort = await loadOrt();
    const existing = new Set(quant.graph.output.map((o) => o.name));
    const bytes = joinParts(encodeEdited(quant, { addOutputs: computed.filter((n) => !existing.has(n)) }));
    const s = await session(ort, bytes, quant.path);
    const r = await run(ort, s, feed, quant.path);
    for (const n of computed) {
      const v = r.get(n);
      if (v) direct.set(n, v.data);
    }
  }
  const out: { name: string; relError: number; sqnrDb: number }[] = [];
  for (const w of ws) {
    const q = direct.get(w.name);
    if (!q) continue;
    const t = ref.initializers.get(w.name) ?? ref.constants.get(w.name)!.tensor;
    const a = tensorFloat32(ref, t);
    if (a.length !== q.length) continue;
    let se = 0;
    let ss = 0;
    for (let i = 0; i < a.length; i++) {
      se += (q[i]! - a[i]!) ** 2;
      ss += a[i]! ** 2;
    }
    out.push({
      name: w.name,
      relError: ss > 0 ? Math.sqrt(se / ss) : 0,
      sqnrDb: se > 0 ? 10 * Math.log10(ss / se) : Number.POSITIVE_INFINITY,
    });
  }
  return out;
}

function attr(n: Node, name: string) {
  return n.attribute.find((a) => a.name === name);
}

/**
 * GPTQ calibration: run the model on the feeds with each chosen weight's activation input exposed
 * as an output and accumulate H = X^T X over the weight's reduction axis (MatMul and Gemm: rows of
 * X; 2-D Conv with group 1: im2col patches, at most `maxPatches` per sample, evenly spaced).
 * Weights of other kinds (grouped Conv, ConvTranspose, Gather) get no Hessian (round to nearest).
 */
export async function calibrate(
  m: LoadedModel,
  weights: WeightInfo[],
  feeds: Feed[],
  maxPatches = 2048,
  onProgress?: (done: number, total: number) => void,
): Promise<Map<string, Float64Array>> {
  const plans: { w: WeightInfo; act: string; node: Node }[] = [];
  for (const w of weights) {
    const node = m.graph.node.find(
      (n) =>
        (n.opType === 'MatMul' || n.opType === 'Gemm' || n.opType === 'Conv') &&
        n.input[w.kind === 'Gather' ? 0 : 1] === w.name,
    );
    if (!node || w.nodes.length !== 1) continue;
    if (w.kind === 'Conv') {
      const g = attr(node, 'group');
      const ap = attr(node, 'auto_pad');
      if (
        (g && int(g.i) !== 1) ||
        w.shape.length !== 4 ||
        (ap && new TextDecoder().decode(ap.s) !== 'NOTSET')
      )
        continue;
    } else if (w.kind === 'Gemm') {
      if (attr(node, 'transA') && int(attr(node, 'transA')!.i) !== 0) continue;
    } else if (w.kind !== 'MatMul') continue;
    plans.push({ w, act: node.input[0]!, node });
  }
  const hs = new Map<string, Float64Array>();
  if (!plans.length) return hs;
  const ort = await loadOrt();
  const existing = new Set(m.graph.output.map((o) => o.name));
  const acts = [...new Set(plans.map((p) => p.act))].filter((a) => !existing.has(a));
  const s = await session(ort, joinParts(encodeEdited(m, { addOutputs: acts })), m.path);
  for (const p of plans) hs.set(p.w.name, new Float64Array(p.w.view[1] * p.w.view[1]));
  for (let f = 0; f < feeds.length; f++) {
    const r = await run(ort, s, feeds[f]!, m.path);
    for (const p of plans) {
      const x = r.get(p.act);
      if (!x) continue;
      const K = p.w.view[1];
      const H = hs.get(p.w.name)!;
      if (p.w.kind === 'Conv') accumulateConv(H, x.data, x.dims, p.w.shape, p.node, maxPatches);
      else {
        if (x.dims[x.dims.length - 1] !== K) continue;
        const rows = x.data.length / K;
        const step = Math.max(1, Math.floor(rows / maxPatches));
        for (let i = 0; i < rows; i += step) addOuter(H, x.data, i * K, K);
      }
    }
    onProgress?.(f + 1, feeds.length);
  }
  return hs;
}

function addOuter(H: Float64Array, v: ArrayLike<number>, o: number, K: number): void {
  for (let i = 0; i < K; i++) {
    const a = v[o + i]!;
    if (a === 0) continue;
    for (let j = 0; j < K; j++) H[i * K + j] += a * v[o + j]!;
  }
}

function accumulateConv(
  H: Float64Array,
  x: Float32Array,
  dims: number[],
  wshape: readonly number[],
  node: Node,
  maxPatches: number,
): void {
  const [N, C, Hh, Ww] = dims as [number, number, number, number];
  const [, , kh, kw] = wshape as [number, number, number, number];
  const ints = (name: string, d: number[]) => {
    const a = attr(node, name);
    return a?.ints.length ? a.ints.map(int) : d;
  };
  const [sh, sw] = ints('strides', [1, 1]) as [number, number];
  const [dh, dw] = ints('dilations', [1, 1]) as [number, number];
  const [pt, pl] = ints('pads', [0, 0, 0, 0]) as [number, number];
  const pads = ints('pads', [0, 0, 0, 0]);
  const oh = Math.floor((Hh + pt + pads[2]! - dh * (kh - 1) - 1) / sh) + 1;
  const ow = Math.floor((Ww + pl + pads[3]! - dw * (kw - 1) - 1) / sw) + 1;
  const K = C * kh * kw;
  const total = N * oh * ow;
  const step = Math.max(1, Math.floor(total / maxPatches));
  const patch = new Float64Array(K);
  for (let p = 0; p < total; p += step) {
    const n = Math.floor(p / (oh * ow));
    const y = Math.floor((p % (oh * ow)) / ow);
    const xx = p % ow;
    for (let c = 0; c < C; c++) {
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const iy = y * sh - pt + i * dh;
          const ix = xx * sw - pl + j * dw;
          patch[(c * kh + i) * kw + j] =
            iy >= 0 && iy < Hh && ix >= 0 && ix < Ww ? x[((n * C + c) * Hh + iy) * Ww + ix]! : 0;
        }
      }
    }
    addOuter(H, patch, 0, K);
  }
}

export interface ProbeResult {
  scheme: string;
  encoding: 'dq' | 'lookup';
  opset: number;
  /** `no-graph`: the scheme has scale levels no dequantization graph is built for (HiFloat4, dual-level MX). */
  status: 'ok' | 'wrong-values' | 'refused' | 'no-graph';
  detail?: string;
}

/**
 * Which dequantization graphs the installed onnxruntime runs: for each scheme and encoding, a model
 * holding one 4 x 64 weight, run and compared with quant.dequantize bit for bit.
 */
export async function probeRuntime(
  schemes: BlockScheme[],
): Promise<{ version: string; results: ProbeResult[] }> {
  const ort = await loadOrt();
  const rng = makeRng(7);
  const rows = 4;
  const K = 64;
  const data = Float32Array.from({ length: rows * K }, () => (rng() - 0.5) * 4);
  const results: ProbeResult[] = [];
  for (const scheme of schemes) {
    if (scheme.scale.kind === 'hif4' || coarseScale(scheme)) {
      const detail =
        'its micro-exponents or level-0 scales have no ONNX dequantization graph (fake mode only)';
      results.push({ scheme: scheme.name, encoding: 'lookup', opset: 13, status: 'no-graph', detail });
      continue;
    }
    const q = quantize(data, [rows, K], scheme);
    const want = dequantize(q);
    const need = dqOpset(scheme);
    const cases: ['dq' | 'lookup', number][] = [['lookup', 13]];
    if (need !== null) cases.push(['dq', need]);
    for (const [encoding, opset] of cases) {
      const built = buildDequantFor('w', q, rows, K, encoding, 'w_out', opset);
      const bytes = buildModelBytes({
        opset,
        irVersion: opset >= 23 ? 11 : opset >= 21 ? 10 : 9,
        nodes: built.nodes,
        initializers: built.inits,
        inputs: [],
        outputs: [{ name: 'w_out', elemType: DT.FLOAT, dims: [rows, K] }],
      });
      let status: ProbeResult['status'] = 'ok';
      let detail: string | undefined;
      try {
        const s = await ort.InferenceSession.create(bytes);
        const r = await s.run({});
        const got = r.w_out.data as Float32Array;
        let bad = 0;
        for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i]) && !(got[i] === want[i])) bad++;
        if (bad) {
          status = 'wrong-values';
          detail = `${bad} of ${want.length} values differ`;
        }
      } catch (e) {
        status = 'refused';
        detail = (e as Error).message.split('\n')[0]!.slice(0, 160);
      }
      results.push({ scheme: scheme.name, encoding, opset, status, ...(detail ? { detail } : {}) });
    }
  }
  return { version: String(ort.env?.versions?.node ?? 'unknown'), results };
}

/** Load a model from bytes already in memory (e.g. a quantized model not yet written). */
export function modelFromBytes(bytes: Uint8Array, name: string): LoadedModel {
  return parseModel(bytes, name);
}
