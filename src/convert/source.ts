/**
 * @module convert/source
 * A checkpoint seen as logical tensors: plain tensors as they are, and each quantized weight
 * (DeepSeek FP8 + `_scale_inv`, gpt-oss `_blocks` + `_scales`, ModelOpt MXFP8 / NVFP4, DeepSeek-V4,
 * chipstack's HiFloat4 + `_hif4_scale` / `_hif4_exp8` / `_hif4_exp4`) as the one
 * float tensor it stands for. Every logical tensor reads as float32 rows of its quantization
 * orientation `[batch, rows, cols]` (`[...lead, out, in]`), a slab at a time, so nothing ever needs
 * the whole tensor in memory (gpt-oss fused experts, stored transposed, read one expert at a time).
 */

import { codec } from '../formats/index.js';
import type { Checkpoint, CheckpointTensor, Dtype } from '../io/index.js';
import { HIF4_GROUP, HIF4_LEVEL2, HIF4_LEVEL3, DUAL_MX_LEVEL0 as LEVEL0_GROUP } from '../quant/index.js';
import { ConvertError } from './errors.js';
import { type CheckpointFormat, HIF4_SUFFIXES, LEVEL0_SUFFIX } from './layouts.js';

import { isFusedExperts } from './select.js';
import { isFloatDtype, toFloat32 } from './tensor.js';

export type SourceLayout = 'plain' | CheckpointFormat;

/** One tensor as a float model sees it. */
export interface LogicalTensor {
  /** The name a BF16 checkpoint gives it. */
  readonly name: string;
  readonly layout: SourceLayout;
  /** Dtype of the tensor holding the data (for a plain tensor, its dtype). */
  readonly dtype: Dtype;
  /** The shape a BF16 checkpoint gives it. */
  readonly shape: readonly number[];
  /** `[...lead, out, in]`: the shape blocks are laid over (equal to `shape` unless `transposed`). */
  readonly qshape: readonly number[];
  /** Logical matrices are the transposes of the quantization-orientation ones (gpt-oss fused experts). */
  readonly transposed: boolean;
  /** Input tensors it is made of, data tensor first. */
  readonly parts: readonly string[];
  /** Input bytes of all its parts. */
  readonly bytes: number;
  /** Whether it can be read as floats. */
  readonly isFloat: boolean;
  /**
   * Where the rows lie in the file, as stored, for a plain float tensor that is not transposed:
   * rows `[r0, r1)` of matrix `b` are bytes `fileOffset + (b · rows + r0) · cols · bytesPerElement`
   * on. Lets a caller read them into a buffer of its own and decode them where it likes.
   */
  readonly raw?: { readonly file: string; readonly fileOffset: number; readonly bytesPerElement: number };
  /**
   * Rows `[r0, r1)` of matrix `b` of the quantization orientation, as float32; with `c0`, `c1`
   * only their columns `[c0, c1)` (`c0` a multiple of 128), as a `[r1 - r0, c1 - c0]` array.
   */
  readRows(b: number, r0: number, r1: number, c0?: number, c1?: number): Promise<Float32Array>;
}

/** One slab: rows `[r0, r1)`, columns `[c0, c1)` of matrix `b`. */
export type Tile = readonly [b: number, r0: number, r1: number, c0: number, c1: number];

/** Column tiles are multiples of this (every block length divides it). */
export const TILE_COLS = 128;

/** A transposed matrix up to this many values is read whole (then transposed) rather than tile by tile. */
export const WHOLE_TRANSPOSE_ELEMENTS = 1 << 24;

/**
 * The slabs of a `[batch, rows, cols]` tensor, each at most `max(slabElements, rowStep · 128)`
 * values, whatever the shape: whole rows (a multiple of `rowStep` of them) when `rowStep` rows fit,
 * else `rowStep` rows by a multiple of `colStep` (128, or a larger multiple of it) columns. A transposed tensor is read a whole matrix at a
 * time when it has at most `WHOLE_TRANSPOSE_ELEMENTS` values, else in square-ish tiles.
 */
export function tiles(
  qshape: readonly number[],
  rowStep: number,
  slabElements: number,
  transposed = false,
  wholeTranspose = WHOLE_TRANSPOSE_ELEMENTS,
  colStep = TILE_COLS,
): Tile[] {
  const { batch, rows, cols } = matrices(qshape);
  const out: Tile[] = [];
  let rstep: number;
  let cstep: number;
  if (transposed && rows * cols <= wholeTranspose) {
    rstep = rows;
    cstep = cols;
  } else if (transposed) {
    const side = Math.max(rowStep, Math.floor(Math.sqrt(slabElements) / rowStep) * rowStep);
    rstep = side;
    cstep = Math.max(colStep, Math.floor(slabElements / side / colStep) * colStep);
  } else if (cols * rowStep <= slabElements) {
    rstep = Math.max(rowStep, Math.floor(slabElements / Math.max(cols, 1) / rowStep) * rowStep);
    cstep = cols;
  } else {
    rstep = rowStep;
    cstep = Math.max(colStep, Math.floor(slabElements / rowStep / colStep) * colStep);
  }
  for (let b = 0; b < batch; b++) {
    for (let r0 = 0; r0 < rows; r0 += rstep) {
      for (let c0 = 0; c0 < cols; c0 += cstep) {
        out.push([b, r0, Math.min(rows, r0 + rstep), c0, Math.min(cols, c0 + cstep)]);
      }
    }
  }
  return out;
}

/**
 * `readRows` over column ranges from a reader of whole rows and one of a single row's columns:
 * whole rows go to the first, a tile of partial rows row by row to the second.
 */
function withColumns(
  cols: number,
  whole: (b: number, r0: number, r1: number) => Promise<Float32Array>,
  segment: (b: number, r: number, c0: number, c1: number) => Promise<Float32Array>,
): LogicalTensor['readRows'] {
  return async (b, r0, r1, c0 = 0, c1 = cols) => {
    if (c0 === 0 && c1 === cols) return whole(b, r0, r1);
    if (c0 % TILE_COLS !== 0 || c0 < 0 || c1 > cols || c0 > c1) {
      throw new RangeError(
        `column range [${c0}, ${c1}) of ${cols} columns is not on a ${TILE_COLS} boundary`,
      );
    }
    const w = c1 - c0;
    if (r1 - r0 === 1) return segment(b, r0, c0, c1);
    const out = new Float32Array((r1 - r0) * w);
    for (let r = r0; r < r1; r++) out.set(await segment(b, r, c0, c1), (r - r0) * w);
    return out;
  };
}

/**
 * The shape blocks are laid over, with the reduction axis last (the axis a layer sums over, the
 * one blocks must run along): a matrix as it is (`[out, in_features]`, a Linear weight); fused
 * experts `[E, N, K]` (a rank-3 name with `experts.` in it) per expert over K; any other tensor of
 * rank 3 or more (Conv2d `[O, I, kh, kw]`, Conv1d `[O, I, k]`, Conv3d) as `[O, I·kh·kw]`, the
 * reduction of a convolution. Row-major, so the view is the same bytes as the tensor.
 */
export function quantView(name: string, shape: readonly number[]): number[] {
  if (shape.length <= 2) return [...shape];
  if (shape.length === 3 && /(^|\.)experts\./.test(name)) return [...shape];
  return [shape[0]!, shape.slice(1).reduce((a, b) => a * b, 1)];
}

/** `[batch, rows, cols]` of a quantization-orientation shape (rank 0 and 1 are one row). */
export function matrices(qshape: readonly number[]): { batch: number; rows: number; cols: number } {
  const cols = qshape.length === 0 ? 1 : qshape[qshape.length - 1]!;
  const rows = qshape.length >= 2 ? qshape[qshape.length - 2]! : 1;
  const numel = qshape.reduce((a, b) => a * b, 1);
  return { batch: rows * cols === 0 ? 0 : numel / (rows * cols), rows, cols };
}

const E4M3 = codec('e4m3fn');
const E2M1_VALUES = Float32Array.from({ length: 16 }, (_, c) => codec('e2m1').decode(c));
const HIF4_VALUES = Float64Array.from({ length: 16 }, (_, c) => codec('hif4').decode(c));
const E6M2_VALUES = Float64Array.from({ length: 256 }, (_, c) => codec('e6m2').decode(c));
const E8M0 = Float64Array.from({ length: 256 }, (_, c) => (c === 255 ? Number.NaN : 2 ** (c - 127)));

export interface SourceOptions {
  /** A transposed matrix up to this many values is read whole. Default `WHOLE_TRANSPOSE_ELEMENTS`. */
  readonly wholeTranspose?: number;
}

/** Group the checkpoint's tensors into logical tensors, in the order their parts first appear. */
export function logicalTensors(ck: Checkpoint, options: SourceOptions = {}): LogicalTensor[] {
  const wholeTranspose = options.wholeTranspose ?? WHOLE_TRANSPOSE_ELEMENTS;
  const names = ck.tensorNames();
  const present = new Set(names);
  const has = (n: string) => present.has(n);
  const info = (n: string) => ck.info(n);
  const groups = new Map<string, LogicalTensor>(); // by every part name
  const add = (t: LogicalTensor) => {
    for (const p of t.parts) groups.set(p, t);
  };
  for (const n of names) {
    if (groups.has(n)) continue;
    let m: RegExpMatchArray | null;
    if ((m = n.match(/^(.*)_scale_inv$/)) && has(m[1]!) && info(m[1]!).dtype === 'F8_E4M3') {
      add(deepseek(ck, info(m[1]!), info(n)));
    } else if ((m = n.match(/^(.*)_blocks$/)) && has(`${m[1]}_scales`) && info(n).dtype === 'U8') {
      // dual-level MXFP4 (`convert --to mxfp4 --layout ascend --scheme ascend-dual-mxfp4`): + F32 level-0 scales
      const l0 = `${m[1]}${LEVEL0_SUFFIX}`;
      const level0 = has(l0) && info(l0).dtype === 'F32' ? info(l0) : undefined;
      add(mxfp4(ck, m[1]!, info(n), info(`${m[1]}_scales`), level0));
    } else if (
      (m = n.match(/^(.*)_scale_2$/)) &&
      has(`${m[1]}_scale`) &&
      has(m[1]!) &&
      info(m[1]!).dtype === 'U8'
    ) {
      const extra = `${m[1]!.replace(/\.weight$/, '')}.input_scale`;
      add(nvfp4(ck, info(m[1]!), info(`${m[1]}_scale`), info(n), has(extra) ? [extra] : []));
    }
  }
  for (const n of names) {
    // HiFloat4 (chipstack's layout): codes `P` + `P_hif4_scale`, `P_hif4_exp8`, `P_hif4_exp4`
    const m = n.match(/^(.*)_hif4_scale$/);
    if (!m || groups.has(n) || !has(m[1]!)) continue;
    add(hifloat4(ck, info(m[1]!), info(n), info, has));
  }
  for (const n of names) {
    // DeepSeek-V4: `P.weight` (E4M3 in 128x128 tiles, or packed E2M1 routed experts) + `P.scale` F8_E8M0
    const m = n.match(/^(.*)\.scale$/);
    const w = m ? `${m[1]}.weight` : '';
    if (!m || groups.has(n) || !has(w) || groups.has(w) || info(n).dtype !== 'F8_E8M0') continue;
    const wi = info(w);
    if (wi.dtype === 'F8_E4M3' && tiles128(wi.name, wi.shape, info(n).shape)) {
      add(deepseek(ck, wi, info(n), 'deepseek-v4'));
    } else if ((wi.dtype === 'I8' || wi.dtype === 'U8') && fp4Scales(wi.shape, info(n).shape)) {
      add(fp4Experts(ck, wi, info(n)));
    }
  }
  for (const n of names) {
    if (groups.has(n)) continue;
    const m = n.match(/^(.*)_scale$/);
    // ModelOpt MXFP8 (U8 [out, ceil(in/32)]) or its Ascend layout (F8_E8M0 [out, ceil(in/64), 2]): the same bytes
    const sd = info(n).dtype;
    if (
      m &&
      has(m[1]!) &&
      !groups.has(m[1]!) &&
      info(m[1]!).dtype === 'F8_E4M3' &&
      (sd === 'U8' || sd === 'F8_E8M0')
    ) {
      add(mxfp8(ck, info(m[1]!), info(n)));
    }
  }
  const out: LogicalTensor[] = [];
  const seen = new Set<LogicalTensor>();
  for (const n of names) {
    const g = groups.get(n) ?? plain(ck, info(n), wholeTranspose);
    if (!seen.has(g)) {
      seen.add(g);
      out.push(g);
    }
  }
  return out;
}

function bytesPerElement(dtype: Dtype): number {
  return dtype === 'F32' ? 4 : dtype === 'F64' ? 8 : dtype === 'BF16' || dtype === 'F16' ? 2 : 1;
}

function plain(ck: Checkpoint, t: CheckpointTensor, wholeTranspose: number): LogicalTensor {
  const transposed = isFusedExperts(t.name, t.shape.length);
  const shape = t.shape;
  const qshape = transposed ? [shape[0]!, shape[2]!, shape[1]!] : quantView(t.name, shape);
  const { rows, cols } = matrices(qshape);
  const eb = bytesPerElement(t.dtype);
  const what = `${t.file}: tensor ${JSON.stringify(t.name)}`;
  let cached: { b: number; data: Float32Array } | undefined;
  return {
    name: t.name,
    layout: 'plain',
    dtype: t.dtype,
    shape,
    qshape,
    transposed,
    parts: [t.name],
    bytes: t.byteLength,
    isFloat: isFloatDtype(t.dtype),
    ...(!transposed && isFloatDtype(t.dtype)
      ? { raw: { file: t.file, fileOffset: t.fileOffset, bytesPerElement: eb } }
      : {}),
    readRows: transposed
      ? async (b, r0, r1, c0 = 0, c1 = cols) => {
          if (rows * cols <= wholeTranspose) {
            if (cached?.b !== b) {
              // stored [in, out] = [cols, rows]; read the whole expert and transpose it
              const at = b * rows * cols * eb;
              const stored = toFloat32(t.dtype, await ck.readRange(t.name, at, at + rows * cols * eb), what);
              cached = { b, data: transpose(stored, cols, rows) };
            }
            if (c0 === 0 && c1 === cols) return cached.data.subarray(r0 * cols, r1 * cols);
            const out = new Float32Array((r1 - r0) * (c1 - c0));
            for (let r = r0; r < r1; r++) {
              out.set(cached.data.subarray(r * cols + c0, r * cols + c1), (r - r0) * (c1 - c0));
            }
            return out;
          }
          // too large to hold: stored rows c0..c1 (our columns), each over stored columns r0..r1
          const w = c1 - c0;
          const h = r1 - r0;
          const out = new Float32Array(h * w);
          for (let j = c0; j < c1; j++) {
            const at = (b * cols + j) * rows * eb;
            const part = toFloat32(t.dtype, await ck.readRange(t.name, at + r0 * eb, at + r1 * eb), what);
            for (let i = 0; i < h; i++) out[i * w + (j - c0)] = part[i]!;
          }
          return out;
        }
      : withColumns(
          cols,
          async (b, r0, r1) => {
            const at = (b * rows + r0) * cols * eb;
            return toFloat32(t.dtype, await ck.readRange(t.name, at, at + (r1 - r0) * cols * eb), what);
          },
          async (b, r, c0, c1) => {
            const at = ((b * rows + r) * cols + c0) * eb;
            return toFloat32(t.dtype, await ck.readRange(t.name, at, at + (c1 - c0) * eb), what);
          },
        ),
  };
}

/** `[r, c]` row-major → `[c, r]`. */
export function transpose(x: Float32Array, r: number, c: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = x[i * c + j]!;
  return out;
}

function group(
  layout: CheckpointFormat,
  name: string,
  data: CheckpointTensor,
  parts: readonly CheckpointTensor[],
  extra: readonly string[],
  ck: Checkpoint,
  qshape: readonly number[],
  transposed: boolean,
  readRows: LogicalTensor['readRows'],
  logical?: readonly number[],
): LogicalTensor {
  let bytes = 0;
  for (const p of parts) bytes += p.byteLength;
  for (const e of extra) bytes += ck.info(e).byteLength;
  const shape = logical ?? (transposed ? [qshape[0]!, qshape[2]!, qshape[1]!] : qshape);
  return {
    name,
    layout,
    dtype: data.dtype,
    shape,
    qshape,
    transposed,
    parts: [...parts.map((p) => p.name), ...extra],
    bytes,
    isFloat: true,
    readRows,
  };
}

async function readScaleRows(
  ck: Checkpoint,
  s: CheckpointTensor,
  first: number,
  count: number,
  perRow: number,
) {
  const eb = bytesPerElement(s.dtype);
  const bytes = await ck.readRange(s.name, first * perRow * eb, (first + count) * perRow * eb);
  if (s.dtype === 'F8_E8M0' || s.dtype === 'U8') {
    const out = new Float32Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) out[i] = E8M0[bytes[i]!]!;
    return out;
  }
  return toFloat32(s.dtype, bytes, `${s.file}: tensor ${JSON.stringify(s.name)}`);
}

/** Scale values `[from, to)` of the flattened scale tensor `s`, decoded. */
async function readScaleRange(ck: Checkpoint, s: CheckpointTensor, from: number, to: number) {
  return readScaleRows(ck, s, from, to - from, 1);
}

/** Whether `scale` has the shape of 128x128 tile scales of the weight `[..., out, in]` (its quantization view). */
function tiles128(name: string, weight: readonly number[], scale: readonly number[]): boolean {
  const v = quantView(name, weight);
  const { rows, cols } = matrices(v);
  const n = scale.reduce((a, b) => a * b, 1);
  return (
    v.length >= 2 && n === (numelOf(v) / (rows * cols || 1)) * Math.ceil(rows / 128) * Math.ceil(cols / 128)
  );
}

/** Whether `scale` is one per 32 of the packed FP4 weight `[..., out, in/2]`. */
function fp4Scales(weight: readonly number[], scale: readonly number[]): boolean {
  return (
    weight.length >= 2 &&
    scale.length === weight.length &&
    weight.slice(0, -1).every((d, i) => d === scale[i]) &&
    weight[weight.length - 1]! * 2 === scale[scale.length - 1]! * 32
  );
}

function numelOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** DeepSeek-V4's routed experts: E2M1 codes two per byte (element 2j low), one E8M0 scale per 32. */
function fp4Experts(ck: Checkpoint, w: CheckpointTensor, s: CheckpointTensor): LogicalTensor {
  const cols = w.shape[w.shape.length - 1]! * 2;
  const qshape = [...w.shape.slice(0, -1), cols];
  const { rows } = matrices(qshape);
  const whole = async (b: number, r0: number, r1: number) => {
    const packed = await ck.readRange(w.name, ((b * rows + r0) * cols) / 2, ((b * rows + r1) * cols) / 2);
    return decodeFp4(packed, await readScaleRows(ck, s, b * rows + r0, r1 - r0, cols / 32), 32);
  };
  const segment = async (b: number, r: number, c0: number, c1: number) => {
    const at = (b * rows + r) * cols;
    const packed = await ck.readRange(w.name, (at + c0) / 2, (at + c1) / 2);
    return decodeFp4(packed, await readScaleRange(ck, s, (at + c0) / 32, (at + c1) / 32), 32);
  };
  return group('deepseek-v4', w.name, w, [w, s], [], ck, qshape, false, withColumns(cols, whole, segment));
}

function deepseek(
  ck: Checkpoint,
  w: CheckpointTensor,
  s: CheckpointTensor,
  layout: 'deepseek-fp8' | 'deepseek-v4' = 'deepseek-fp8',
): LogicalTensor {
  const view = quantView(w.name, w.shape);
  const { rows, cols } = matrices(view);
  const rb = Math.ceil(rows / 128);
  const cb = Math.ceil(cols / 128);
  checkScaleShape(w, s, [rb, cb], (numelOf(view) / (rows * cols || 1)) * rb * cb);
  const whole = async (b: number, r0: number, r1: number) => {
    const codes = await ck.readRange(w.name, (b * rows + r0) * cols, (b * rows + r1) * cols);
    const firstBlock = Math.floor(r0 / 128);
    const scales = await readScaleRows(ck, s, b * rb + firstBlock, Math.ceil(r1 / 128) - firstBlock, cb);
    const out = E4M3.decodeArray(codes);
    for (let r = r0; r < r1; r++) {
      const srow = (Math.floor(r / 128) - firstBlock) * cb;
      const o = (r - r0) * cols;
      for (let c = 0; c < cols; c++) out[o + c] = out[o + c]! * scales[srow + Math.floor(c / 128)]!;
    }
    return out;
  };
  const segment = async (b: number, r: number, c0: number, c1: number) => {
    const at = (b * rows + r) * cols;
    const out = E4M3.decodeArray(await ck.readRange(w.name, at + c0, at + c1));
    const srow = (b * rb + Math.floor(r / 128)) * cb;
    const scales = await readScaleRange(ck, s, srow + c0 / 128, srow + Math.ceil(c1 / 128));
    for (let c = 0; c < c1 - c0; c++) out[c] = out[c]! * scales[Math.floor(c / 128)]!;
    return out;
  };
  const read = withColumns(cols, whole, segment);
  return group(layout, w.name, w, [w, s], [], ck, view, false, read, w.shape);
}

/**
 * Scale bytes per row of an MX scale tensor: `[..., rows, g]` (ModelOpt, gpt-oss) or the Ascend
 * pairs `[..., rows, ceil(g/2), 2]`, whose rows of an odd `g` end with a pad byte.
 */
function scaleRowBytes(s: CheckpointTensor, g: number): number {
  return pairedScales(s, g) ? 2 * Math.ceil(g / 2) : g;
}

/** Whether an MX scale tensor of `g` scales per row is in the Ascend pairs `[..., rows, ceil(g/2), 2]`. */
function pairedScales(s: CheckpointTensor, g: number): boolean {
  const sh = s.shape;
  return sh.length >= 3 && sh[sh.length - 1] === 2 && sh[sh.length - 2] === Math.ceil(g / 2);
}

/** Scale rows read with `stride` values each, the first `g` of each kept. */
function compactRows(scales: Float32Array, rows: number, stride: number, g: number): Float32Array {
  if (stride === g) return scales;
  const out = new Float32Array(rows * g);
  for (let r = 0; r < rows; r++) out.set(scales.subarray(r * stride, r * stride + g), r * g);
  return out;
}

function mxfp8(ck: Checkpoint, w: CheckpointTensor, s: CheckpointTensor): LogicalTensor {
  const view = quantView(w.name, w.shape);
  const { rows, cols } = matrices(view);
  // one scale per 32 of each row, the last block of a row ragged when cols is not a multiple of 32
  const g = Math.ceil(cols / 32);
  const stride = scaleRowBytes(s, g);
  checkScaleShape(
    w,
    s,
    pairedScales(s, g) ? [Math.ceil(g / 2), 2] : [g],
    (numelOf(view) / (cols || 1)) * stride,
  );
  const whole = async (b: number, r0: number, r1: number) => {
    const codes = await ck.readRange(w.name, (b * rows + r0) * cols, (b * rows + r1) * cols);
    const scales = compactRows(
      await readScaleRows(ck, s, b * rows + r0, r1 - r0, stride),
      r1 - r0,
      stride,
      g,
    );
    const out = E4M3.decodeArray(codes);
    for (let r = 0; r < r1 - r0; r++) {
      for (let c = 0; c < cols; c++)
        out[r * cols + c] = out[r * cols + c]! * scales[r * g + Math.floor(c / 32)]!;
    }
    return out;
  };
  const segment = async (b: number, r: number, c0: number, c1: number) => {
    const at = (b * rows + r) * cols;
    const out = E4M3.decodeArray(await ck.readRange(w.name, at + c0, at + c1));
    const sr = (b * rows + r) * stride;
    const scales = await readScaleRange(ck, s, sr + c0 / 32, sr + Math.ceil(c1 / 32));
    for (let i = 0; i < out.length; i++) out[i] = out[i]! * scales[Math.floor(i / 32)]!;
    return out;
  };
  return group('mxfp8', w.name, w, [w, s], [], ck, view, false, withColumns(cols, whole, segment), w.shape);
}

/** Unpack gpt-oss-ordered FP4 bytes of `n` rows times their per-group multipliers. */
function decodeFp4(packed: Uint8Array, scales: Float32Array, group: number): Float32Array {
  const out = new Float32Array(packed.length * 2);
  for (let j = 0; j < packed.length; j++) {
    const s = scales[Math.floor((2 * j) / group)]!;
    out[2 * j] = E2M1_VALUES[packed[j]! & 15]! * s;
    out[2 * j + 1] = E2M1_VALUES[packed[j]! >> 4]! * s;
  }
  return out;
}

/**
 * Dual-level MXFP4's level-0 scales applied to decoded values `v` (rows of `width` values starting
 * at column `c0`): each times its row's float32 scale for its 512-group, rounded once.
 */
function applyLevel0(v: Float32Array, level0: Float32Array, width: number, c0: number, perRow: number) {
  for (let i = 0; i < v.length; i++) {
    const r = Math.floor(i / width);
    v[i] = v[i]! * level0[r * perRow + Math.floor((c0 + (i % width)) / LEVEL0_GROUP)]!;
  }
  return v;
}

/**
 * A block-scale tensor must end in `tail` (its scales per row) and hold `count` values in all: the
 * same bytes labelled with other dimensions (a transposed header) are refused, not decoded as if
 * they fit.
 */
function checkScaleShape(
  w: CheckpointTensor,
  s: CheckpointTensor,
  tail: readonly number[],
  count: number,
): void {
  const sh = s.shape;
  const ok = sh.length >= tail.length && tail.every((d, i) => sh[sh.length - tail.length + i] === d);
  if (!ok || numelOf(sh) !== count) {
    throw new ConvertError(
      `${s.file}: tensor ${JSON.stringify(s.name)} is ${s.dtype} [${sh.join(', ')}]; beside ${JSON.stringify(w.name)} ${w.dtype} [${w.shape.join(', ')}] it must end in [${tail.join(', ')}] with ${count} values`,
    );
  }
}

/**
 * The shapes a gpt-oss MXFP4 pair must have: `P_blocks` U8 `[..., out, G, 16]` and `P_scales`
 * `[..., out, G]` (U8), or the Ascend pairs `[..., out, ceil(G/2), 2]` (F8_E8M0); dual-level
 * level-0 scales F32 `[..., out, ceil(32·G/512)]`. A header whose shapes disagree (the same bytes
 * labelled with other dimensions) is refused naming both tensors, not decoded as if it fit.
 */
function checkMxfp4Shapes(blocks: CheckpointTensor, s: CheckpointTensor, level0?: CheckpointTensor): void {
  const b = blocks.shape;
  const show = (t: CheckpointTensor) => `${t.dtype} [${t.shape.join(', ')}]`;
  if (b.length < 3 || b[b.length - 1] !== 16) {
    throw new ConvertError(
      `${blocks.file}: tensor ${JSON.stringify(blocks.name)} is ${show(blocks)}; MXFP4 blocks are U8 [..., out, in/32, 16]`,
    );
  }
  const rowsAndGroups = b.slice(0, -1);
  const g = b[b.length - 2]!;
  const same = (x: readonly number[], y: readonly number[]) =>
    x.length === y.length && x.every((d, i) => d === y[i]);
  const plainScales = same(s.shape, rowsAndGroups);
  const pairs = s.dtype === 'F8_E8M0' && same(s.shape, [...b.slice(0, -2), Math.ceil(g / 2), 2]);
  if (!plainScales && !pairs) {
    throw new ConvertError(
      `${s.file}: tensor ${JSON.stringify(s.name)} is ${show(s)}; beside ${JSON.stringify(blocks.name)} ${show(blocks)} it must be [${rowsAndGroups.join(', ')}] (or F8_E8M0 [${[...b.slice(0, -2), Math.ceil(g / 2), 2].join(', ')}])`,
    );
  }
  const l0 = [...b.slice(0, -2), Math.ceil((g * 32) / LEVEL0_GROUP)];
  if (level0 && !same(level0.shape, l0)) {
    throw new ConvertError(
      `${level0.file}: tensor ${JSON.stringify(level0.name)} is ${show(level0)}; beside ${JSON.stringify(blocks.name)} it must be F32 [${l0.join(', ')}]`,
    );
  }
}

function mxfp4(
  ck: Checkpoint,
  base: string,
  blocks: CheckpointTensor,
  s: CheckpointTensor,
  level0?: CheckpointTensor,
): LogicalTensor {
  checkMxfp4Shapes(blocks, s, level0);
  const lead = blocks.shape.slice(0, -2);
  const cols = blocks.shape[blocks.shape.length - 2]! * 32;
  const qshape = [...lead, cols];
  const { rows } = matrices(qshape);
  const transposed = isFusedExperts(base, qshape.length);
  const name = transposed ? base : `${base}.weight`;
  const groups = Math.ceil(cols / LEVEL0_GROUP);
  const g = cols / 32;
  const stride = scaleRowBytes(s, g);
  const level0Rows = async (row: number, count: number) => {
    const bytes = await ck.readRange(level0!.name, row * groups * 4, (row + count) * groups * 4);
    return toFloat32('F32', bytes, `${level0!.file}: tensor ${JSON.stringify(level0!.name)}`);
  };
  const whole = async (b: number, r0: number, r1: number) => {
    const packed = await ck.readRange(
      blocks.name,
      ((b * rows + r0) * cols) / 2,
      ((b * rows + r1) * cols) / 2,
    );
    const scales = compactRows(
      await readScaleRows(ck, s, b * rows + r0, r1 - r0, stride),
      r1 - r0,
      stride,
      g,
    );
    const v = decodeFp4(packed, scales, 32);
    return level0 ? applyLevel0(v, await level0Rows(b * rows + r0, r1 - r0), cols, 0, groups) : v;
  };
  const segment = async (b: number, r: number, c0: number, c1: number) => {
    const at = (b * rows + r) * cols;
    const packed = await ck.readRange(blocks.name, (at + c0) / 2, (at + c1) / 2);
    const sr = (b * rows + r) * stride;
    const v = decodeFp4(packed, await readScaleRange(ck, s, sr + c0 / 32, sr + c1 / 32), 32);
    return level0 ? applyLevel0(v, await level0Rows(b * rows + r, 1), c1 - c0, c0, groups) : v;
  };
  return group(
    'mxfp4',
    name,
    blocks,
    level0 ? [blocks, s, level0] : [blocks, s],
    [],
    ck,
    qshape,
    transposed,
    withColumns(cols, whole, segment),
  );
}

function nvfp4(
  ck: Checkpoint,
  w: CheckpointTensor,
  s: CheckpointTensor,
  s2: CheckpointTensor,
  extra: readonly string[],
): LogicalTensor {
  const qshape = [...w.shape.slice(0, -1), w.shape[w.shape.length - 1]! * 2];
  const { rows, cols } = matrices(qshape);
  if (w.shape.length < 1 || cols % 16 !== 0) {
    throw new ConvertError(
      `${w.file}: tensor ${JSON.stringify(w.name)} is ${w.dtype} [${w.shape.join(', ')}]; NVFP4 codes are U8 [..., out, a multiple of 8]`,
    );
  }
  checkScaleShape(w, s, [cols / 16], numelOf(qshape) / 16);
  if (numelOf(s2.shape) !== 1) {
    throw new ConvertError(
      `${s2.file}: tensor ${JSON.stringify(s2.name)} is ${s2.dtype} [${s2.shape.join(', ')}]; NVFP4's tensor scale is one value`,
    );
  }
  let global: number | undefined;
  // elements [from, to) of the flattened tensor (both multiples of 16)
  const span = async (from: number, to: number) => {
    if (global === undefined) {
      const g = toFloat32(s2.dtype, await ck.read(s2.name));
      global = g.length === 0 ? 1 : g[0]!;
    }
    const packed = await ck.readRange(w.name, from / 2, to / 2);
    const sf = E4M3.decodeArray(await ck.readRange(s.name, from / 16, to / 16));
    for (let i = 0; i < sf.length; i++) sf[i] = sf[i]! * global;
    return decodeFp4(packed, sf, 16);
  };
  const whole = (b: number, r0: number, r1: number) => span((b * rows + r0) * cols, (b * rows + r1) * cols);
  const segment = (b: number, r: number, c0: number, c1: number) =>
    span((b * rows + r) * cols + c0, (b * rows + r) * cols + c1);
  return group('nvfp4', w.name, w, [w, s, s2], extra, ck, qshape, false, withColumns(cols, whole, segment));
}

/**
 * HiFloat4 in chipstack's layout (layouts.ts): codes `P` U8 `[..., out, units·32]` (element 2j in
 * the low nibble), and per 64-element unit an E6M2 byte (`P_hif4_scale`), a byte whose bit i is the
 * exponent of elements 8i..8i+7 (`P_hif4_exp8`) and a U16 whose bit j is that of elements 4j..4j+3
 * (`P_hif4_exp4`), each `[..., out, units]`. A value is code · E6M2 · 2^(bit8 + bit4), exact in
 * float32, as quant's `dequantize`. A part missing or of the wrong dtype or shape is an error
 * naming it (the three suffixes are ours, so a partial set is a damaged HiFloat4 checkpoint).
 */
function hifloat4(
  ck: Checkpoint,
  w: CheckpointTensor,
  scale: CheckpointTensor,
  info: (n: string) => CheckpointTensor,
  has: (n: string) => boolean,
): LogicalTensor {
  const e8Name = `${w.name}${HIF4_SUFFIXES.exp8}`;
  const e4Name = `${w.name}${HIF4_SUFFIXES.exp4}`;
  const ws = w.shape;
  const units = ws.length >= 2 ? ws[ws.length - 1]! / (HIF4_GROUP / 2) : Number.NaN;
  const unitShape = [...ws.slice(0, -1), units];
  const check = (name: string, dtype: Dtype) => {
    if (!has(name)) {
      throw new ConvertError(
        `tensor ${JSON.stringify(name)} is missing: a HiFloat4 weight ${JSON.stringify(w.name)} needs it`,
      );
    }
    const t = info(name);
    if (t.dtype !== dtype || JSON.stringify(t.shape) !== JSON.stringify(unitShape)) {
      throw new ConvertError(
        `${t.file}: tensor ${JSON.stringify(name)} is ${t.dtype} [${t.shape.join(', ')}]; the HiFloat4 weight ${JSON.stringify(w.name)} (${w.dtype} [${ws.join(', ')}]) needs ${dtype} [${unitShape.join(', ')}]`,
      );
    }
    return t;
  };
  if (w.dtype !== 'U8' || !Number.isInteger(units)) {
    throw new ConvertError(
      `${w.file}: tensor ${JSON.stringify(w.name)} is ${w.dtype} [${ws.join(', ')}]; HiFloat4 codes (beside ${JSON.stringify(scale.name)}) are U8 [..., out, a multiple of ${HIF4_GROUP / 2}]`,
    );
  }
  check(scale.name, 'U8');
  const e8 = check(e8Name, 'U8');
  const e4 = check(e4Name, 'U16');
  const cols = units * HIF4_GROUP;
  const qshape = [...ws.slice(0, -1), cols];
  const { rows } = matrices(qshape);
  const perUnit = HIF4_GROUP / HIF4_LEVEL3;
  const per8 = HIF4_LEVEL2 / HIF4_LEVEL3;
  // units [u0, u1) of the flattened tensor: every value of them
  const span = async (u0: number, u1: number) => {
    const packed = await ck.readRange(w.name, (u0 * HIF4_GROUP) / 2, (u1 * HIF4_GROUP) / 2);
    const sc = await ck.readRange(scale.name, u0, u1);
    const b8 = await ck.readRange(e8.name, u0, u1);
    const b4 = await ck.readRange(e4.name, 2 * u0, 2 * u1);
    const out = new Float32Array((u1 - u0) * HIF4_GROUP);
    for (let u = 0; u < u1 - u0; u++) {
      const s = E6M2_VALUES[sc[u]!]!;
      const bits4 = b4[2 * u]! | (b4[2 * u + 1]! << 8);
      for (let k = 0; k < perUnit; k++) {
        const mul = s * 2 ** (((b8[u]! >> Math.floor(k / per8)) & 1) + ((bits4 >> k) & 1));
        for (let j = 0; j < HIF4_LEVEL3; j += 2) {
          const i = u * HIF4_GROUP + k * HIF4_LEVEL3 + j;
          const byte = packed[i >> 1]!;
          out[i] = HIF4_VALUES[byte & 15]! * mul;
          out[i + 1] = HIF4_VALUES[byte >> 4]! * mul;
        }
      }
    }
    return out;
  };
  const whole = (b: number, r0: number, r1: number) => span((b * rows + r0) * units, (b * rows + r1) * units);
  const segment = (b: number, r: number, c0: number, c1: number) =>
    span((b * rows + r) * units + c0 / HIF4_GROUP, (b * rows + r) * units + c1 / HIF4_GROUP);
  // gpt-oss fused experts (selected with --include) were transposed before blocking, as for mxfp4
  return group(
    'hifloat4',
    w.name,
    w,
    [w, scale, e8, e4],
    [],
    ck,
    qshape,
    isFusedExperts(w.name, qshape.length),
    withColumns(cols, whole, segment),
  );
}
