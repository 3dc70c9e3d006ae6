/**
 * @module convert/slab
 * Encode one slab of a weight (rows `[n, cols]` of raw input bytes) into the bytes of its two
 * output tensors, written into a caller's buffer: the weight data, then the scales. The same code
 * runs in the calling thread and on the pool's worker threads (slab-worker.ts). The slab is taken
 * in chunks of whole row blocks of about 128K values: each chunk is decoded into a reused float32
 * scratch (small enough to stay in cache) and quantized straight into the output, so nothing
 * proportional to the slab is allocated. BF16 chunks for a scheme the WebAssembly kernels cover
 * skip the float32 scratch: their bits are copied into the kernels' memory and widened there. Bytes are those of `quantize` on the whole tensor (blocks
 * never span chunks).
 */
import type { Dtype } from '../io/index.js';
import {
  type BlockScheme,
  coarseScale,
  HIF4_GROUP,
  HIF4_LEVEL2,
  HIF4_LEVEL3,
  quantize,
  wasmPlan,
} from '../quant/index.js';
import { wasmInputArea, wasmQuantizeMatrix, wasmQuantizeStaged } from '../quant/wasm.js';
import { isPackedFp4, type QuantTarget, rowCodeBytes } from './layouts.js';
import { floatView } from './tensor.js';

/** What a worker needs to encode a slab. */
export interface SlabTask {
  readonly target: QuantTarget;
  /** NVFP4's tensor scale (448 · 6 / amax of the whole tensor); ignored by the other layouts. */
  readonly globalScale: number;
  /** Dtype of the input bytes: a plain float dtype, or F32 for values decoded by the source. */
  readonly dtype: Dtype;
  readonly rows: number;
  readonly cols: number;
  /** What to do with NaN and ±Inf inputs (see `NonFinitePolicy`). Default 'keep'. */
  readonly onNonFinite?: NonFinitePolicy;
}

/**
 * NaN and ±Inf inputs. `keep`: encoded as each target's reference does (README: NaN and Inf);
 * `clamp`: NaN becomes 0 and ±Inf ± the largest finite magnitude of its block (0 if none) before
 * encoding; `error`: the slab is not encoded (the caller refuses the tensor).
 */
export type NonFinitePolicy = 'keep' | 'clamp' | 'error';
export const NON_FINITE_POLICIES: readonly NonFinitePolicy[] = ['keep', 'clamp', 'error'];

/** How many of the BF16 values (raw bits) are NaN or ±Inf: exponent field all ones. */
export function countNonFiniteBf16(bits: Uint16Array): number {
  let n = 0;
  for (let i = 0; i < bits.length; i++) if ((bits[i]! & 0x7f80) === 0x7f80) n++;
  return n;
}

/** How many of `x` are NaN or ±Inf. */
export function countNonFinite(x: Float32Array): number {
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v - v !== 0) n++;
  }
  return n;
}

/**
 * In place, for `[rows, cols]` values in `[br, bc]` blocks: NaN → 0, ±Inf → ± the block's largest
 * finite magnitude (0 if it has none).
 */
export function clampNonFinite(x: Float32Array, rows: number, cols: number, br: number, bc: number): void {
  for (let rb = 0; rb < rows; rb += br) {
    for (let cb = 0; cb < cols; cb += bc) {
      const r1 = Math.min(rows, rb + br);
      const c1 = Math.min(cols, cb + bc);
      let bad = false;
      let m = 0;
      for (let r = rb; r < r1; r++) {
        for (let c = cb; c < c1; c++) {
          const v = x[r * cols + c]!;
          if (v - v !== 0) bad = true;
          else if (Math.abs(v) > m) m = Math.abs(v);
        }
      }
      if (!bad) continue;
      for (let r = rb; r < r1; r++) {
        for (let c = cb; c < c1; c++) {
          const v = x[r * cols + c]!;
          if (Number.isNaN(v)) x[r * cols + c] = 0;
          else if (v === Number.POSITIVE_INFINITY) x[r * cols + c] = m;
          else if (v === Number.NEGATIVE_INFINITY) x[r * cols + c] = -m;
        }
      }
    }
  }
}

const CHUNK_ELEMENTS = 1 << 17;

/** Bytes per element of an input dtype. */
export function inputBytesPerElement(dtype: Dtype): number {
  return dtype === 'F64' ? 8 : dtype === 'F32' ? 4 : dtype === 'BF16' || dtype === 'F16' ? 2 : 1;
}

/** Bytes of the weight tensor and of the scale tensor for `rows` rows (a multiple of the block rows, or a matrix's last rows). */
export function slabOutputBytes(t: QuantTarget, rows: number, cols: number): [number, number, number] {
  const w = rows * rowCodeBytes(t, cols);
  if (t.layout === 'deepseek-fp8') {
    return [w, Math.ceil(rows / 128) * Math.ceil(cols / 128) * (t.scaleDtype === 'F32' ? 4 : 1), 0];
  }
  // HiFloat4: per unit an E6M2 byte, then the unit's exp8 bytes (1 each) and exp4 words (2 each)
  if (t.layout === 'hifloat4') {
    const units = rows * Math.ceil(cols / t.blockCols);
    return [w, units, units * 3];
  }
  // dual-level MXFP4: its float32 level-0 scales per 512 follow the E8M0 ones
  const coarse = coarseScale(t.scheme);
  return [w, rows * Math.ceil(cols / t.blockCols), coarse ? rows * Math.ceil(cols / coarse.elements) * 4 : 0];
}

/** Reused per-thread buffers. */
export class SlabScratch {
  private f32 = new Float32Array(0);
  private u8 = new Uint8Array(0);
  private sf = new Float32Array(0);
  private sc = new Uint8Array(0);
  floats(n: number): Float32Array {
    if (this.f32.length < n) this.f32 = new Float32Array(n);
    return this.f32.subarray(0, n);
  }
  codes(n: number): Uint8Array {
    if (this.u8.length < n) this.u8 = new Uint8Array(n);
    return this.u8.subarray(0, n);
  }
  scales(n: number): Float32Array {
    if (this.sf.length < n) this.sf = new Float32Array(n);
    return this.sf.subarray(0, n);
  }
  scaleCodes(n: number): Uint8Array {
    if (this.sc.length < n) this.sc = new Uint8Array(n);
    return this.sc.subarray(0, n);
  }
}

/**
 * Two E2M1 codes per byte, element 2j in the low nibble (gpt-oss order, as packFp4), row by row:
 * `rows` rows of `cols` codes into rows of `rowBytes` bytes (codes past `cols` are 0: the padding
 * of a ragged last block).
 */
function packInto(codes: Uint8Array, out: Uint8Array, rows: number, cols: number, rowBytes: number): void {
  if (rowBytes * 2 === cols) {
    const n = codes.length >> 1;
    for (let j = 0; j < n; j++) out[j] = codes[2 * j]! | (codes[2 * j + 1]! << 4);
    return;
  }
  for (let r = 0; r < rows; r++) {
    const c = r * cols;
    const o = r * rowBytes;
    for (let j = 0; j < rowBytes; j++) {
      const lo = 2 * j < cols ? codes[c + 2 * j]! : 0;
      const hi = 2 * j + 1 < cols ? codes[c + 2 * j + 1]! : 0;
      out[o + j] = lo | (hi << 4);
    }
  }
}

/**
 * HiFloat4's micro-exponents (quantize's `microExponents`: per 4 elements (level-2 bit << 1) |
 * level-3 bit, 16 per unit) as chipstack's layout stores them: per unit one byte whose bit i is the
 * level-2 bit of elements 8i..8i+7 into `exp8`, and one little-endian 16-bit word whose bit j is the
 * level-3 bit of elements 4j..4j+3 into `exp4` (two bytes per unit).
 */
export function packHif4Exponents(micro: Uint8Array, exp8: Uint8Array, exp4: Uint8Array): void {
  const per = HIF4_GROUP / HIF4_LEVEL3;
  const units = micro.length / per;
  for (let u = 0; u < units; u++) {
    let e8 = 0;
    let e4 = 0;
    for (let k = 0; k < per; k++) {
      const m = micro[u * per + k]!;
      e4 |= (m & 1) << k;
      // both 4-groups of an 8-group carry its level-2 bit
      if (k % (HIF4_LEVEL2 / HIF4_LEVEL3) === 0) e8 |= (m >> 1) << (k / (HIF4_LEVEL2 / HIF4_LEVEL3));
    }
    exp8[u] = e8;
    exp4[2 * u] = e4 & 0xff;
    exp4[2 * u + 1] = e4 >> 8;
  }
}

/**
 * Encode the slab in `input` (`rows · cols` values of `task.dtype`) into `out`: weight bytes from
 * 0, scale bytes right after them (lengths from `slabOutputBytes`). Returns how many input values
 * were NaN or ±Inf (with policy `error`, encoding stops at the first chunk holding one).
 */
export function encodeSlab(task: SlabTask, input: Uint8Array, out: Uint8Array, scratch: SlabScratch): number {
  const policy = task.onNonFinite ?? 'keep';
  let nonFinite = 0;
  const { target: t, rows, cols, dtype } = task;
  const scheme: BlockScheme = t.scheme;
  const [weightBytes, scaleBytes] = slabOutputBytes(t, rows, cols);
  const coarse = coarseScale(scheme);
  const groups = coarse ? Math.ceil(cols / coarse.elements) : 0;
  const eb = inputBytesPerElement(dtype);
  const br = t.blockRows;
  const bc = t.blockCols;
  const colBlocks = Math.ceil(cols / bc);
  // the kernels take whole blocks only; a ragged last block goes through quantize (which pads it)
  const hif4 = t.layout === 'hifloat4';
  const plan = t.layout === 'nvfp4' || hif4 || coarse || cols % bc !== 0 ? null : wasmPlan(scheme);
  const rowBytes = rowCodeBytes(t, cols);
  const fp4 = isPackedFp4(t);
  const step = br * Math.max(1, Math.floor(CHUNK_ELEMENTS / Math.max(1, cols * br)));
  /** A chunk's element codes (packed for FP4) into `weight`, its scales after the weight bytes. */
  const write = (
    codes: Uint8Array,
    scales: Float32Array,
    scaleCodes: Uint8Array,
    weight: Uint8Array,
    s0: number,
    nb: number,
    chunkRows: number,
  ) => {
    if (fp4) packInto(codes, weight, chunkRows, cols, rowBytes);
    else if (codes !== weight) weight.set(codes.subarray(0, chunkRows * cols));
    if (t.layout === 'deepseek-fp8' && t.scaleDtype === 'F32') {
      out.set(new Uint8Array(scales.buffer, scales.byteOffset, nb * 4), weightBytes + s0 * 4);
    } else {
      out.set(scaleCodes.subarray(0, nb), weightBytes + s0);
    }
  };
  for (let r0 = 0; r0 < rows; r0 += step) {
    const r1 = Math.min(rows, r0 + step);
    const n = (r1 - r0) * cols;
    const bytes = input.subarray(r0 * cols * eb, r1 * cols * eb);
    const weight = out.subarray(r0 * rowBytes, r1 * rowBytes);
    // first scale block of the chunk, and how many
    const s0 = Math.ceil(r0 / br) * colBlocks;
    const nb = Math.ceil((r1 - r0) / br) * colBlocks;
    if (plan && dtype === 'BF16') {
      // BF16 straight into the kernels' memory (2 bytes a value), widened inside them: no float32
      // copy first. Only `clamp` with a NaN/Inf in the chunk takes the float32 path below.
      const area = wasmInputArea(r1 - r0, cols, br, bc, true) as Uint16Array;
      new Uint8Array(area.buffer, area.byteOffset, n * 2).set(bytes);
      const bad = countNonFiniteBf16(area);
      if (bad === 0 || policy !== 'clamp') {
        nonFinite += bad;
        if (bad > 0 && policy === 'error') return nonFinite;
        const q = wasmQuantizeStaged(scheme, plan, r1 - r0, cols, br, bc, true);
        write(q.codes, q.scales, q.scaleCodes, weight, s0, nb, r1 - r0);
        continue;
      }
    }
    let x = floatView(dtype, bytes, scratch.floats(n));
    const bad = countNonFinite(x);
    if (bad > 0) {
      nonFinite += bad;
      if (policy === 'error') return nonFinite;
      if (policy === 'clamp') {
        if (x.buffer === input.buffer) x = copyInto(x, scratch.floats(n));
        clampNonFinite(x, r1 - r0, cols, br, bc);
      }
    }
    if (t.layout === 'nvfp4') {
      // the whole tensor's scale (from its finite values only: the caller's first pass)
      const q = quantize(x, [r1 - r0, cols], scheme, { globalScale: task.globalScale });
      packInto(q.codes, weight, r1 - r0, cols, rowBytes);
      out.set(q.scaleCodes!, weightBytes + s0);
      continue;
    }
    if (hif4) {
      // HiFloat4: codes packed, E6M2 bytes, then the exp8 and exp4 regions (scaleBytes = units)
      const q = quantize(x, [r1 - r0, cols], scheme);
      packInto(q.codes, weight, r1 - r0, cols, rowBytes);
      out.set(q.scaleCodes!, weightBytes + s0);
      const e8 = weightBytes + scaleBytes;
      packHif4Exponents(
        q.microExponents!,
        out.subarray(e8 + s0, e8 + s0 + nb),
        out.subarray(e8 + scaleBytes + 2 * s0, e8 + scaleBytes + 2 * (s0 + nb)),
      );
      continue;
    }
    if (coarse) {
      // dual-level MXFP4: whole 512-groups of these rows (the caller's column tiles are 512-aligned)
      const q = quantize(x, [r1 - r0, cols], scheme);
      packInto(q.codes, weight, r1 - r0, cols, rowBytes);
      out.set(q.scaleCodes!, weightBytes + s0);
      const c = q.coarseScales!;
      out.set(
        new Uint8Array(c.buffer, c.byteOffset, c.byteLength),
        weightBytes + scaleBytes + r0 * groups * 4,
      );
      continue;
    }
    let codes: Uint8Array;
    let scales: Float32Array;
    let scaleCodes: Uint8Array | null;
    if (plan) {
      codes = fp4 ? scratch.codes(n) : weight;
      scales = scratch.scales(nb);
      scaleCodes = scratch.scaleCodes(nb);
      wasmQuantizeMatrix(scheme, plan, x, r1 - r0, cols, br, bc, codes, scaleCodes, scales);
    } else {
      const q = quantize(x, [r1 - r0, cols], scheme);
      codes = q.codes;
      scales = q.scales;
      scaleCodes = q.scaleCodes;
    }
    write(codes, scales, scaleCodes!, weight, s0, nb, r1 - r0);
  }
  return nonFinite;
}

/** `x` copied into `into` (same length), so that the caller's input is left as it was. */
function copyInto(x: Float32Array, into: Float32Array): Float32Array {
  into.set(x);
  return into;
}
