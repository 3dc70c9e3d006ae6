/**
 * @module convert/source
 * A checkpoint seen as logical tensors: plain tensors as they are, and each quantized weight
 * (DeepSeek FP8 + `_scale_inv`, gpt-oss `_blocks` + `_scales`, ModelOpt MXFP8 / NVFP4) as the one
 * float tensor it stands for. Every logical tensor reads as float32 rows of its quantization
 * orientation `[batch, rows, cols]` (`[...lead, out, in]`), a slab at a time, so nothing ever needs
 * the whole tensor in memory (gpt-oss fused experts, stored transposed, read one expert at a time).
 */

import { codec } from '../formats/index.js';
import type { Checkpoint, CheckpointTensor, Dtype } from '../io/index.js';
import type { QuantLayout } from './layouts.js';
import { isFusedExperts } from './select.js';
import { isFloatDtype, toFloat32 } from './tensor.js';

export type SourceLayout = 'plain' | QuantLayout;

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
  /** Rows `[r0, r1)` of matrix `b` of the quantization orientation, as float32. */
  readRows(b: number, r0: number, r1: number): Promise<Float32Array>;
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
const E8M0 = Float64Array.from({ length: 256 }, (_, c) => (c === 255 ? Number.NaN : 2 ** (c - 127)));

/** Group the checkpoint's tensors into logical tensors, in the order their parts first appear. */
export function logicalTensors(ck: Checkpoint): LogicalTensor[] {
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
      add(mxfp4(ck, m[1]!, info(n), info(`${m[1]}_scales`)));
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
    if (groups.has(n)) continue;
    const m = n.match(/^(.*)_scale$/);
    if (m && has(m[1]!) && !groups.has(m[1]!) && info(m[1]!).dtype === 'F8_E4M3' && info(n).dtype === 'U8') {
      add(mxfp8(ck, info(m[1]!), info(n)));
    }
  }
  const out: LogicalTensor[] = [];
  const seen = new Set<LogicalTensor>();
  for (const n of names) {
    const g = groups.get(n) ?? plain(ck, info(n));
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

function plain(ck: Checkpoint, t: CheckpointTensor): LogicalTensor {
  const transposed = isFusedExperts(t.name, t.shape.length);
  const shape = t.shape;
  const qshape = transposed ? [shape[0]!, shape[2]!, shape[1]!] : shape;
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
    async readRows(b, r0, r1) {
      if (!transposed) {
        const at = (b * rows + r0) * cols * eb;
        return toFloat32(t.dtype, await ck.readRange(t.name, at, at + (r1 - r0) * cols * eb), what);
      }
      if (cached?.b !== b) {
        // stored [in, out] = [cols, rows]; read the whole expert and transpose it
        const at = b * rows * cols * eb;
        const stored = toFloat32(t.dtype, await ck.readRange(t.name, at, at + rows * cols * eb), what);
        cached = { b, data: transpose(stored, cols, rows) };
      }
      return cached.data.subarray(r0 * cols, r1 * cols);
    },
  };
}

/** `[r, c]` row-major → `[c, r]`. */
export function transpose(x: Float32Array, r: number, c: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = x[i * c + j]!;
  return out;
}

function group(
  layout: QuantLayout,
  name: string,
  data: CheckpointTensor,
  parts: readonly CheckpointTensor[],
  extra: readonly string[],
  ck: Checkpoint,
  qshape: readonly number[],
  transposed: boolean,
  readRows: LogicalTensor['readRows'],
): LogicalTensor {
  let bytes = 0;
  for (const p of parts) bytes += p.byteLength;
  for (const e of extra) bytes += ck.info(e).byteLength;
  const shape = transposed ? [qshape[0]!, qshape[2]!, qshape[1]!] : qshape;
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

function deepseek(ck: Checkpoint, w: CheckpointTensor, s: CheckpointTensor): LogicalTensor {
  const { rows, cols } = matrices(w.shape);
  const rb = Math.ceil(rows / 128);
  const cb = Math.ceil(cols / 128);
  return group('deepseek-fp8', w.name, w, [w, s], [], ck, w.shape, false, async (b, r0, r1) => {
    const codes = await ck.readRange(w.name, (b * rows + r0) * cols, (b * rows + r1) * cols);
    const firstBlock = Math.floor(r0 / 128);
    const scales = await readScaleRows(ck, s, b * rb + firstBlock, Math.ceil(r1 / 128) - firstBlock, cb);
    const out = E4M3.decodeArray(codes);
    for (let r = r0; r < r1; r++) {
      const srow = (Math.floor(r / 128) - firstBlock) * cb;
      const o = (r - r0) * cols;
      for (let c = 0; c < cols; c++) out[o + c] = out[o + c]! * scales[srow + (c >> 7)]!;
    }
    return out;
  });
}

function mxfp8(ck: Checkpoint, w: CheckpointTensor, s: CheckpointTensor): LogicalTensor {
  const { rows, cols } = matrices(w.shape);
  const g = cols / 32;
  return group('mxfp8', w.name, w, [w, s], [], ck, w.shape, false, async (b, r0, r1) => {
    const codes = await ck.readRange(w.name, (b * rows + r0) * cols, (b * rows + r1) * cols);
    const scales = await readScaleRows(ck, s, b * rows + r0, r1 - r0, g);
    const out = E4M3.decodeArray(codes);
    for (let i = 0; i < out.length; i++) out[i] = out[i]! * scales[i >> 5]!;
    return out;
  });
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

function mxfp4(ck: Checkpoint, base: string, blocks: CheckpointTensor, s: CheckpointTensor): LogicalTensor {
  const lead = blocks.shape.slice(0, -2);
  const cols = blocks.shape[blocks.shape.length - 2]! * 32;
  const qshape = [...lead, cols];
  const { rows } = matrices(qshape);
  const transposed = isFusedExperts(base, qshape.length);
  const name = transposed ? base : `${base}.weight`;
  return group('mxfp4', name, blocks, [blocks, s], [], ck, qshape, transposed, async (b, r0, r1) => {
    const packed = await ck.readRange(
      blocks.name,
      ((b * rows + r0) * cols) / 2,
      ((b * rows + r1) * cols) / 2,
    );
    const scales = await readScaleRows(ck, s, b * rows + r0, r1 - r0, cols / 32);
    return decodeFp4(packed, scales, 32);
  });
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
  let global: number | undefined;
  return group('nvfp4', w.name, w, [w, s, s2], extra, ck, qshape, false, async (b, r0, r1) => {
    if (global === undefined) {
      const g = toFloat32(s2.dtype, await ck.read(s2.name));
      global = g.length === 0 ? 1 : g[0]!;
    }
    const packed = await ck.readRange(w.name, ((b * rows + r0) * cols) / 2, ((b * rows + r1) * cols) / 2);
    const sf = E4M3.decodeArray(
      await ck.readRange(s.name, ((b * rows + r0) * cols) / 16, ((b * rows + r1) * cols) / 16),
    );
    for (let i = 0; i < sf.length; i++) sf[i] = sf[i]! * global;
    return decodeFp4(packed, sf, 16);
  });
}
