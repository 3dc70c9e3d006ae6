/**
 * @module quant/quantize
 * The one quantizer for every block scheme. A tensor of any rank is seen as `batch` matrices of
 * `rows x cols` (the last two dimensions; rank 1 is one row). Blocks tile each matrix; partial
 * blocks at the edges behave as the references' zero padding does (zeros never raise amax).
 * Elements are encoded with the `formats` whole-array path on one block row at a time.
 */

import { bucketTable, encodeInto } from '../formats/bulk.js';
import { ArgumentError, type Codec, codec } from '../formats/index.js';
import { hasSimd } from '../wasm/load.js';
import { type BlockScale, blockScale, elementClipThreshold, NVFP4_NAN_SCALE } from './scale.js';
import { type BlockScheme, integerElement, validateScheme } from './scheme.js';
import { dequantizeDualMx, quantizeDualMx } from './scheme-dual-mx.js';
import { dequantizeHif4, quantizeHif4 } from './scheme-hif4.js';
import { wasmDequantizeMatrix, wasmPlan, wasmQuantizeMatrix } from './wasm.js';

const fr = Math.fround;
const CHUNK_ELEMENTS = 1 << 17;

export interface QuantizedTensor {
  readonly scheme: BlockScheme;
  readonly shape: readonly number[];
  /** One code per element, row-major (int8 elements as two's complement bytes). */
  readonly codes: Uint8Array;
  /** Dequantization scale per block, shaped `scaleShape`. */
  readonly scales: Float32Array;
  /** Stored scale bytes (E8M0 or E4M3) per block, or null when scales are stored as floats. */
  readonly scaleCodes: Uint8Array | null;
  /** [...batch dims, row blocks, col blocks]. */
  readonly scaleShape: readonly number[];
  /** NVFP4's per-tensor scale (448 * 6 / amax, or as given), 1 elsewhere. */
  readonly globalScale: number;
  /**
   * The reduction axis blocks run along (non-negative). Codes are in the input's element order;
   * when it is not the last axis, `scales`/`scaleShape` are laid out as if it were moved last.
   */
  readonly axis?: number;
  /**
   * HiFloat4 only: per 4 elements (row-major over each row's 64-element units, 16 per unit),
   * (level-2 bit << 1) | level-3 bit; the group's scale is `scales[unit]` · 2^(sum of the bits).
   */
  readonly microExponents?: Uint8Array;
  /**
   * Dual-level MXFP4 only (scheme-dual-mx.ts): the float32 level-0 scale per 512 elements of each
   * row, `[...lead, rows, ceil(cols/512)]` row-major; `scales`/`scaleCodes` are then the E8M0
   * level-1 scales per 32, and an element is e2m1 · level-1 · level-0.
   */
  readonly coarseScales?: Float32Array;
  /** Elements whose scaled magnitude exceeded the element's largest value (clipped). */
  readonly saturated: number;
}

export interface Geometry {
  batch: number;
  rows: number;
  cols: number;
  br: number;
  bc: number;
  rowBlocks: number;
  colBlocks: number;
}

/** Split a shape into matrices and blocks. Throws RangeError for a bad shape or length. */
export function geometry(scheme: BlockScheme, shape: readonly number[], length?: number): Geometry {
  if (shape.length === 0) throw new RangeError('shape must have at least one dimension');
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0)
      throw new RangeError(`shape ${JSON.stringify(shape)}: dimension ${d} is not a non-negative integer`);
  }
  const numel = shape.reduce((a, b) => a * b, 1);
  if (length !== undefined && length !== numel) {
    throw new RangeError(`shape ${JSON.stringify(shape)} holds ${numel} elements, data has ${length}`);
  }
  const cols = shape[shape.length - 1]!;
  const rows = shape.length >= 2 ? shape[shape.length - 2]! : 1;
  const batch = rows * cols === 0 ? 0 : numel / (rows * cols);
  const [r, c] = scheme.block;
  // "all" rows spans the whole tensor (per-tensor scales): fold the batch into the rows.
  const perTensor = r === 'all' && c === 'all';
  const R = perTensor ? batch * rows : rows;
  const B = perTensor ? (batch === 0 ? 0 : 1) : batch;
  const br = r === 'all' ? Math.max(R, 1) : r;
  const bc = c === 'all' ? Math.max(cols, 1) : c;
  return { batch: B, rows: R, cols, br, bc, rowBlocks: Math.ceil(R / br), colBlocks: Math.ceil(cols / bc) };
}

/** A run of whole row blocks of one matrix: element range [e0, e1), block range [s0, s1), its rows. */
interface Chunk {
  e0: number;
  e1: number;
  s0: number;
  s1: number;
  rows: number;
}

/** Split a tensor into chunks of whole row blocks of about CHUNK_ELEMENTS (bounded kernel memory, warm caches). */
function chunks(g: Geometry): Chunk[] {
  const out: Chunk[] = [];
  const m = g.rows * g.cols;
  const per = g.rowBlocks * g.colBlocks;
  const step = g.br * Math.max(1, Math.floor(CHUNK_ELEMENTS / Math.max(1, g.cols * g.br)));
  for (let b = 0; b < g.batch; b++) {
    for (let r0 = 0; r0 < g.rows; r0 += step) {
      const r1 = Math.min(g.rows, r0 + step);
      const s0 = b * per + (r0 / g.br) * g.colBlocks;
      out.push({
        e0: b * m + r0 * g.cols,
        e1: b * m + r1 * g.cols,
        s0,
        s1: s0 + Math.ceil((r1 - r0) / g.br) * g.colBlocks,
        rows: r1 - r0,
      });
    }
  }
  return out;
}

function scaleShapeOf(shape: readonly number[], g: Geometry, scheme: BlockScheme): number[] {
  if (scheme.block[0] === 'all' && scheme.block[1] === 'all') return [1];
  const lead = shape.length >= 2 ? shape.slice(0, -2) : [];
  return shape.length >= 2 ? [...lead, g.rowBlocks, g.colBlocks] : [g.colBlocks];
}

function elementCodec(scheme: BlockScheme): Codec | null {
  if (integerElement(scheme.element)) return null;
  return codec(scheme.element, scheme.elementOptions);
}

/**
 * Largest finite |x| of a tensor (0 when none): what NVFP4's tensor scale is taken from, so that
 * a NaN or ±Inf never sets it (the blocks holding them get the NaN scale instead).
 */
export function finiteAmax(data: Float32Array): number {
  let m = 0;
  for (let i = 0; i < data.length; i++) {
    const a = Math.abs(data[i]!);
    if (a > m && a !== Number.POSITIVE_INFINITY) m = a;
  }
  return m;
}

/** Largest |x| of a tensor, NaN if any element is NaN (as torch.amax). */
export function tensorAmax(data: Float32Array): number {
  let m = 0;
  for (let i = 0; i < data.length; i++) {
    const a = Math.abs(data[i]!);
    if (a > m) m = a;
    else if (Number.isNaN(a)) return Number.NaN;
  }
  return m;
}

export interface KernelOptions {
  /** `auto` (default): WebAssembly SIMD where the scheme is covered, else TypeScript. */
  backend?: 'auto' | 'wasm' | 'ts';
}

export interface QuantizeOptions extends KernelOptions {
  /**
   * The per-tensor (global) scale of a scheme that has one (NVFP4: 448 * 6 / amax of the whole
   * tensor's finite amax: a NaN or ±Inf never sets it). Give it when `data` is a slab of a larger
   * tensor; default: from `data`'s finite amax (finiteAmax).
   */
  globalScale?: number;
  /**
   * The reduction axis the blocks run along (negative counts from the end). Required for a
   * rank > 2 shape whose scheme is not per-tensor; the other dimensions are batch, then rows.
   */
  axis?: number;
}

/** A shape the quantizer cannot read without more information (rank > 2 with no axis). */
export class AmbiguousShapeError extends RangeError {
  override readonly name = 'AmbiguousShapeError';
}

/** An option that does not apply to the scheme or is out of range. */
export class QuantizeOptionError extends RangeError {
  override readonly name = 'QuantizeOptionError';
}

/** NVFP4's per-tensor scale from the whole tensor's amax: 448 * 6 / amax (float32), or 1 for 0, NaN or Inf. */
export function nvfp4GlobalScale(amax: number): number {
  return amax > 0 && Number.isFinite(amax) ? fr((448 * 6) / amax) : 1;
}

/** Permute between `shape` and the same shape with `axis` moved last (`toEnd`) or back. */
function moveAxis<T extends Float32Array | Uint8Array>(
  src: T,
  dst: T,
  shape: readonly number[],
  axis: number,
  toEnd: boolean,
): T {
  const n = shape[axis]!;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  for (let o = 0; o < outer; o++) {
    for (let a = 0; a < n; a++) {
      const from = (o * n + a) * inner;
      for (let i = 0; i < inner; i++) {
        const moved = (o * inner + i) * n + a;
        if (toEnd) dst[moved] = src[from + i]!;
        else dst[from + i] = src[moved]!;
      }
    }
  }
  return dst;
}

/** The reduction axis for a shape and options, or a typed error for a rank > 2 shape without one. */
function reductionAxis(scheme: BlockScheme, shape: readonly number[], axis: number | undefined): number {
  const rank = shape.length;
  if (axis === undefined) {
    const perTensor = scheme.block[0] === 'all' && scheme.block[1] === 'all';
    if (rank > 2 && !perTensor) {
      throw new AmbiguousShapeError(
        `shape ${JSON.stringify(shape)} has rank ${rank}: give the reduction axis (the axis ${scheme.name}'s blocks run along), e.g. axis -1`,
      );
    }
    return Math.max(rank - 1, 0);
  }
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new QuantizeOptionError(`axis ${axis} is out of range for shape ${JSON.stringify(shape)}`);
  }
  return axis < 0 ? rank + axis : axis;
}

function pickWasm(scheme: BlockScheme, backend: KernelOptions['backend']) {
  if (backend === 'ts') return null;
  const plan = wasmPlan(scheme);
  if (backend === 'wasm' && !plan) throw new RangeError(`scheme ${scheme.name} has no WebAssembly kernel`);
  return plan;
}

/**
 * Quantize float32 data of the given shape with a scheme. Blocks run along the reduction axis
 * (the last axis unless `opts.axis` says otherwise; rank > 2 needs it). NVFP4 takes its global
 * scale from `opts.globalScale` when given.
 */
export function quantize(
  data: Float32Array,
  shape: readonly number[],
  scheme: BlockScheme,
  opts: QuantizeOptions = {},
): QuantizedTensor {
  validateScheme(scheme);
  geometry(scheme, shape, data.length);
  if (opts.globalScale !== undefined) {
    if (scheme.scale.kind !== 'nvfp4') {
      throw new QuantizeOptionError(`scheme ${scheme.name} has no global scale (globalScale is for nvfp4)`);
    }
    if (!(opts.globalScale > 0) || !Number.isFinite(opts.globalScale)) {
      throw new QuantizeOptionError(`globalScale must be a positive finite number, got ${opts.globalScale}`);
    }
  }
  const axis = reductionAxis(scheme, shape, opts.axis);
  const last = Math.max(shape.length - 1, 0);
  if (axis !== last) {
    const moved = [...shape.slice(0, axis), ...shape.slice(axis + 1), shape[axis]!];
    const src = moveAxis(data, new Float32Array(data.length), shape, axis, true);
    const q = quantizeLastAxis(src, moved, scheme, opts);
    const codes = moveAxis(q.codes, new Uint8Array(q.codes.length), shape, axis, false);
    return { ...q, shape: [...shape], codes, axis };
  }
  return { ...quantizeLastAxis(data, shape, scheme, opts), axis };
}

function quantizeLastAxis(
  data: Float32Array,
  shape: readonly number[],
  scheme: BlockScheme,
  opts: QuantizeOptions,
): QuantizedTensor {
  const g = geometry(scheme, shape, data.length);
  if (scheme.scale.kind === 'hif4') return quantizeHif4(data, shape, scheme);
  if (scheme.scale.kind === 'ascend-dual') return quantizeDualMx(data, shape, scheme);
  const plan = pickWasm(scheme, opts.backend);
  if (plan) {
    const codes = new Uint8Array(data.length);
    const per = g.rowBlocks * g.colBlocks;
    const scales = new Float32Array(g.batch * per);
    const scaleCodes = new Uint8Array(g.batch * per);
    let saturated = 0;
    for (const c of chunks(g)) {
      saturated += wasmQuantizeMatrix(
        scheme,
        plan,
        data.subarray(c.e0, c.e1),
        c.rows,
        g.cols,
        g.br,
        g.bc,
        codes.subarray(c.e0, c.e1),
        scaleCodes.subarray(c.s0, c.s1),
        scales.subarray(c.s0, c.s1),
      );
    }
    return {
      scheme,
      shape: [...shape],
      codes,
      scales,
      scaleCodes,
      scaleShape: scaleShapeOf(shape, g, scheme),
      globalScale: 1,
      saturated,
    };
  }
  const c = elementCodec(scheme);
  const codes = new Uint8Array(data.length);
  const nBlocks = g.batch * g.rowBlocks * g.colBlocks;
  const scales = new Float32Array(nBlocks);
  const hasCodes = scheme.scaleStorage === 'e8m0' || scheme.scaleStorage === 'e4m3fn';
  const scaleCodes = hasCodes ? new Uint8Array(nBlocks) : null;
  let globalScale = 1;
  if (scheme.scale.kind === 'nvfp4') globalScale = opts.globalScale ?? nvfp4GlobalScale(finiteAmax(data));
  const scratch = new Float32Array(g.bc);
  const scratchBits = new Uint32Array(scratch.buffer);
  // The sign of a NaN product is not fixed (V8's interpreter and optimised code may differ), so a
  // NaN element takes the sign bit of its input: the same codes on every run.
  const dataBits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  const table =
    c && c.info.spec.bits <= 8 && c.options.rounding !== 'stochastic' ? bucketTable(c.info, c.options) : null;
  const maxElement = elementClipThreshold(scheme.element);
  const nanElement = c ? c.encode(Number.NaN) : 0;
  let saturated = 0;
  const useDiv = scheme.apply === 'div';
  const { rows, cols, br, bc } = g;
  let blockIndex = 0;
  for (let b = 0; b < g.batch; b++) {
    const base = b * rows * cols;
    for (let tr = 0; tr < g.rowBlocks; tr++) {
      const r0 = tr * br;
      const r1 = Math.min(rows, r0 + br);
      for (let tc = 0; tc < g.colBlocks; tc++, blockIndex++) {
        const c0 = tc * bc;
        const c1 = Math.min(cols, c0 + bc);
        let amax = 0;
        for (let r = r0; r < r1; r++) {
          const o = base + r * cols;
          for (let j = o + c0; j < o + c1; j++) {
            const a = Math.abs(data[j]!);
            if (a > amax) amax = a;
            else if (Number.isNaN(a)) amax = Number.NaN;
          }
          if (Number.isNaN(amax)) break;
        }
        const s: BlockScale = blockScale(
          scheme.scale,
          scheme.scaleStorage,
          scheme.element,
          amax,
          globalScale,
        );
        scales[blockIndex] = s.scale;
        if (scaleCodes) scaleCodes[blockIndex] = Math.max(s.code, 0);
        const len = c1 - c0;
        const view = scratch.subarray(0, len);
        const scaledMax = useDiv ? fr(amax / s.div) : fr(amax * s.mul);
        const clips = !(scaledMax <= maxElement); // NaN amax: check each element
        // NaN products need a non-finite input or a scale that is not finite and non-zero
        const nanProducts =
          !(amax <= Number.MAX_VALUE) ||
          (useDiv ? !(Number.isFinite(s.div) && s.div !== 0) : !Number.isFinite(s.mul));
        if (
          (s.code === 0xff && scheme.scaleStorage === 'e8m0') ||
          (s.code === NVFP4_NAN_SCALE && scheme.scale.kind === 'nvfp4')
        ) {
          // a NaN scale: the block is NaN; its element codes are the element's canonical NaN code
          for (let r = r0; r < r1; r++) codes.fill(nanElement, base + r * cols + c0, base + r * cols + c1);
          continue;
        }
        for (let r = r0; r < r1; r++) {
          const o = base + r * cols + c0;
          if (table) {
            // inline bucket-table encode (formats/bulk.ts): one lookup and one compare per element
            const mul = s.mul;
            const div = s.div;
            for (let j = 0; j < len; j++) {
              scratch[j] = useDiv ? data[o + j]! / div : data[o + j]! * mul;
              let u = scratchBits[j]!;
              if (nanProducts && (u & 0x7fffffff) > 0x7f800000)
                u = (u & 0x7fffffff) | (dataBits[o + j]! & 0x80000000);
              const e = table[u >>> 16]!;
              codes[o + j] = (u & 0xffff) >= e >>> 16 ? e >>> 8 : e;
            }
            if (clips) for (let j = 0; j < len; j++) if (Math.abs(scratch[j]!) > maxElement) saturated++;
            continue;
          }
          if (useDiv) for (let j = 0; j < len; j++) view[j] = fr(data[o + j]! / s.div);
          else for (let j = 0; j < len; j++) view[j] = fr(data[o + j]! * s.mul);
          if (nanProducts)
            for (let j = 0; j < len; j++) {
              const u = scratchBits[j]!;
              if ((u & 0x7fffffff) > 0x7f800000)
                scratchBits[j] = (u & 0x7fffffff) | (dataBits[o + j]! & 0x80000000);
            }
          if (clips) for (let j = 0; j < len; j++) if (Math.abs(view[j]!) > maxElement) saturated++;
          const out = codes.subarray(o, o + len);
          if (c) encodeInto(c.info, c.options, view, out);
          else encodeIntegers(integerElement(scheme.element)!, view, out);
        }
      }
    }
  }
  return {
    scheme,
    shape: [...shape],
    codes,
    scales,
    scaleCodes,
    scaleShape: scaleShapeOf(shape, g, scheme),
    globalScale,
    saturated,
  };
}

/**
 * Integer elements: code = round(x / step), half away from zero (ggml's roundf), clamped to
 * ±max (int8 ±127; mxint8: microxcaling's INT8 with an implicit 2^-6, so round(x * 64); int4 ±7).
 */
function encodeIntegers(kind: { max: number; step: number }, v: Float32Array, out: Uint8Array): void {
  const k = 1 / kind.step;
  const max = kind.max;
  for (let j = 0; j < v.length; j++) {
    const x = v[j]! * k;
    let q = Number.isNaN(x) ? 0 : Math.sign(x) * Math.floor(Math.abs(x) + 0.5);
    if (q > max) q = max;
    else if (q < -max) q = -max;
    out[j] = q & 0xff;
  }
}

/** Decoded element values per code (256 entries) for a scheme. */
export function elementTable(scheme: BlockScheme): Float32Array {
  const t = new Float32Array(256).fill(Number.NaN);
  const int = integerElement(scheme.element);
  if (int) {
    const k = int.step;
    for (let c = 0; c < 256; c++) t[c] = ((c << 24) >> 24) * k;
    return t;
  }
  const c = codec(scheme.element);
  for (let i = 0; i < Math.min(256, c.info.codeCount); i++) t[i] = c.decode(i);
  return t;
}

/** Dequantize to float32: element value times its block's scale (one float32 rounding). */
export function dequantize(q: QuantizedTensor, out?: Float32Array, opts: KernelOptions = {}): Float32Array {
  if (
    q === null ||
    typeof q !== 'object' ||
    !(q.codes instanceof Uint8Array) ||
    !(q.scales instanceof Float32Array)
  ) {
    throw new ArgumentError(
      'bad-type',
      'q',
      'dequantize needs a quantized tensor: codes a Uint8Array, scales a Float32Array',
    );
  }
  validateScheme(q.scheme);
  if (q.axis !== undefined && q.axis !== q.shape.length - 1 && q.shape.length > 0) {
    // blocks ran along another axis: dequantize in the moved layout, then move back
    const s = q.shape;
    const moved = [...s.slice(0, q.axis), ...s.slice(q.axis + 1), s[q.axis]!];
    const codes = moveAxis(q.codes, new Uint8Array(q.codes.length), s, q.axis, true);
    const d = dequantize({ ...q, shape: moved, codes, axis: undefined }, undefined, opts);
    return moveAxis(d, out ?? new Float32Array(d.length), s, q.axis, false);
  }
  const g = geometry(q.scheme, q.shape, q.codes.length);
  const blocks = g.batch * g.rowBlocks * g.colBlocks;
  if (q.scales.length !== blocks) {
    throw new ArgumentError(
      'bad-length',
      'scales',
      `shape ${JSON.stringify(q.shape)} in ${q.scheme.name} blocks needs ${blocks} scales, got ${q.scales.length}`,
    );
  }
  const dst = out ?? new Float32Array(q.codes.length);
  if (dst.length < q.codes.length) {
    throw new RangeError(`output holds ${dst.length} values, tensor has ${q.codes.length}`);
  }
  if (q.scheme.scale.kind === 'hif4') return dequantizeHif4(q, dst);
  if (q.scheme.scale.kind === 'ascend-dual') return dequantizeDualMx(q, dst);
  const el = q.scheme.element;
  const elem = opts.backend === 'ts' || !hasSimd ? -1 : el === 'e4m3fn' ? 0 : el === 'e2m1' ? 1 : -1;
  if (opts.backend === 'wasm' && elem < 0) {
    throw new RangeError(`scheme ${q.scheme.name} has no WebAssembly dequantize kernel`);
  }
  if (elem >= 0) {
    for (const c of chunks(g)) {
      wasmDequantizeMatrix(
        elem,
        q.codes.subarray(c.e0, c.e1),
        q.scales.subarray(c.s0, c.s1),
        c.rows,
        g.cols,
        g.br,
        g.bc,
        dst.subarray(c.e0, c.e1),
      );
    }
    return dst;
  }
  const t = elementTable(q.scheme);
  const { rows, cols, br, bc } = g;
  let blockIndex = 0;
  for (let b = 0; b < g.batch; b++) {
    const base = b * rows * cols;
    for (let tr = 0; tr < g.rowBlocks; tr++) {
      const r0 = tr * br;
      const r1 = Math.min(rows, r0 + br);
      for (let tc = 0; tc < g.colBlocks; tc++, blockIndex++) {
        const s = q.scales[blockIndex]!;
        const c0 = tc * bc;
        const c1 = Math.min(cols, c0 + bc);
        for (let r = r0; r < r1; r++) {
          const o = base + r * cols;
          for (let j = o + c0; j < o + c1; j++) dst[j] = t[q.codes[j]!]! * s;
        }
      }
    }
  }
  return dst;
}
