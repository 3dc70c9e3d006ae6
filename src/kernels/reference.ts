/**
 * @module kernels/reference
 * Plain TypeScript reference kernels and the float64 oracles the tests and benchmarks check the
 * WebAssembly kernels against. Weights are decoded one row at a time, never as a whole float copy.
 */
import { elementTable, getScheme } from '../quant/index.js';
import { layoutOf, type PackedWeight } from './weights.js';

const tables = new Map<string, Float32Array>();
function table(w: PackedWeight): Float32Array {
  const s = layoutOf(w.format).scheme!;
  let t = tables.get(s);
  if (!t) {
    t = elementTable(getScheme(s));
    tables.set(s, t);
  }
  return t;
}

/** The element code of row r, column j (before scaling). */
function codeAt(w: PackedWeight, r: number, j: number): number {
  const l = layoutOf(w.format);
  const base = r * w.rowBytes;
  if (l.element !== 'fp4') return w.data[base + j]!;
  if (l.order === 'ggml') {
    const t = j & 31;
    return (w.data[base + (j >> 5) * 16 + (t & 15)]! >> (4 * (t >> 4))) & 15;
  }
  return (w.data[base + (j >> 1)]! >> (4 * (j & 1))) & 15;
}

/** Unscaled element values of row r ([kp], float64) and the scale of each of its columns. */
function rowParts(w: PackedWeight, r: number): { v: Float64Array; s: Float64Array } {
  const l = layoutOf(w.format);
  const v = new Float64Array(w.kp);
  const s = new Float64Array(w.kp).fill(1);
  if (l.element === 'f32') {
    v.set(new Float32Array(w.data.buffer, w.data.byteOffset + r * w.rowBytes, w.kp));
    return { v, s };
  }
  if (l.element === 'bf16') {
    const u = new Uint16Array(w.data.buffer, w.data.byteOffset + r * w.rowBytes, w.kp);
    const f = new Float32Array(1);
    const b = new Uint32Array(f.buffer);
    for (let j = 0; j < w.kp; j++) {
      b[0] = u[j]! << 16;
      v[j] = f[0]!;
    }
    return { v, s };
  }
  const t = table(w);
  const [br, bc] = l.block;
  const srow = Math.floor(r / br) * w.scaleCols;
  for (let j = 0; j < w.kp; j++) {
    v[j] = t[codeAt(w, r, j)]!;
    s[j] = w.scales[srow + Math.floor(j / bc)]!;
  }
  return { v, s };
}

/** Row r of W decoded to float32 (element times scale, one float32 rounding), length kp. */
export function decodeRow(w: PackedWeight, r: number, out = new Float32Array(w.kp)): Float32Array {
  const { v, s } = rowParts(w, r);
  for (let j = 0; j < w.kp; j++) out[j] = v[j]! * s[j]!;
  return out;
}

/** Activations quantized to int8 per block of 32. */
export interface Int8Activations {
  q: Int8Array;
  s: Float32Array;
}

/**
 * Quantize x (zero-padded to kp) for the int8-activation kernels: per block of 32, s = amax/127
 * in float32 and q = x / s rounded to nearest even (the WebAssembly quant_act, bit for bit).
 * A NaN makes its block scale NaN; an infinity makes it infinite (outputs then turn NaN).
 */
export function quantizeActivations(x: Float32Array, kp: number): Int8Activations {
  const fr = Math.fround;
  const q = new Int8Array(kp);
  const s = new Float32Array(kp / 32);
  for (let b = 0; b < kp / 32; b++) {
    let amax = 0;
    const end = Math.min(x.length, b * 32 + 32);
    for (let j = b * 32; j < end; j++) {
      const a = Math.abs(x[j]!);
      if (!(a <= amax)) amax = Number.isNaN(a) ? Number.NaN : a;
      if (Number.isNaN(amax)) break;
    }
    const sc = fr(amax / 127);
    s[b] = sc;
    if (!(sc > 0) || !Number.isFinite(sc)) continue;
    for (let j = b * 32; j < end; j++) {
      const v = fr(x[j]! / sc);
      let r = Math.round(v);
      if (r - v === 0.5 && r % 2 !== 0) r -= 1; // Math.round rounds ties up: make them even
      q[j] = Math.max(-127, Math.min(127, r));
    }
  }
  return { q, s };
}

/**
 * Reference GEMV y = W x, in float64 over exactly the operands the format's kernel uses:
 * fp32 activations, or int8 activations (quantizeActivations) for the `act: 'int8'` formats.
 */
export function gemvRef(w: PackedWeight, x: Float32Array): Float64Array {
  if (x.length !== w.k) throw new RangeError(`x has ${x.length} values, W has k = ${w.k}`);
  const l = layoutOf(w.format);
  const y = new Float64Array(w.n);
  const xa = new Float64Array(w.kp);
  if (l.act === 'int8') {
    const { q, s } = quantizeActivations(x, w.kp);
    // a NaN or infinite block scale gives NaN (0 * inf), as in the kernel
    for (let j = 0; j < w.kp; j++) xa[j] = q[j]! * s[j >> 5]!;
  } else xa.set(x);
  for (let r = 0; r < w.n; r++) {
    const { v, s } = rowParts(w, r);
    let acc = 0;
    for (let j = 0; j < w.kp; j++) acc += v[j]! * s[j]! * xa[j]!;
    y[r] = acc;
  }
  return y;
}

/** Reference GEMM C = A W^T (A [m, k] fp32), float64 over float32-decoded weight rows. */
export function gemmRef(w: PackedWeight, a: Float32Array, m: number): Float64Array {
  if (a.length !== m * w.k) throw new RangeError(`A has ${a.length} values, not ${m} x ${w.k}`);
  const c = new Float64Array(m * w.n);
  const row = new Float32Array(w.kp);
  for (let r = 0; r < w.n; r++) {
    decodeRow(w, r, row);
    for (let i = 0; i < m; i++) {
      let acc = 0;
      for (let j = 0; j < w.k; j++) acc += row[j]! * a[i * w.k + j]!;
      c[i * w.n + r] = acc;
    }
  }
  return c;
}

/** Float64 product of the unquantized weights W [n, k] with x: the accuracy oracle. */
export function matvecF64(wf: Float32Array, n: number, k: number, x: Float32Array): Float64Array {
  const y = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let acc = 0;
    for (let j = 0; j < k; j++) acc += wf[r * k + j]! * x[j]!;
    y[r] = acc;
  }
  return y;
}

/** ||y - ref||_F / ||ref||_F (NaN if either holds a NaN; 0 for two zero vectors). */
export function relFrobenius(y: ArrayLike<number>, ref: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = y[i]! - ref[i]!;
    num += d * d;
    den += ref[i]! * ref[i]!;
  }
  if (Number.isNaN(num) || Number.isNaN(den)) return Number.NaN;
  return den === 0 ? Math.sqrt(num) : Math.sqrt(num / den);
}
