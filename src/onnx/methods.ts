/**
 * @module onnx/methods
 * Ways to quantize a [rows, K] weight view (K the reduction axis) that keep 4-bit models working:
 * - round to nearest: quant.quantize as is;
 * - Four Over Six for NVFP4 (Cook et al., "Four Over Six: More Accurate NVFP4 Quantization with
 *   Adaptive Block Scaling", arXiv 2512.02010): per block of 16, the scale maps the block's amax to
 *   6 or to 4, whichever gives the smaller squared error;
 * - block Hadamard rotation (arXiv 2511.04214: rotation size = block size, so MX's power-of-two
 *   scales are not spread across blocks): each full block of K is multiplied by the orthonormal
 *   Sylvester Hadamard matrix H (H = H^T, H H = I) before quantization; the inverse is applied to the
 *   dequantized weight (fake mode) or inserted in the graph (qdq mode);
 * - GPTQ (Frantar et al., "GPTQ: Accurate Post-Training Quantization for Generative Pre-trained
 *   Transformers", arXiv 2210.17323): columns of K in order, each rounded with its block's scale,
 *   the rounding error spread over the columns not yet rounded through the inverse Hessian
 *   H = X^T X of calibration activations.
 */
import { codec } from '../formats/index.js';
import {
  type BlockScheme,
  blockScale,
  dequantize,
  type QuantizedTensor,
  quantize,
  tensorAmax,
} from '../quant/index.js';

const fr = Math.fround;

/** The orthonormal Sylvester Hadamard matrix of size n (a power of two), row-major float64. */
export function hadamard(n: number): Float64Array {
  if (!Number.isInteger(n) || n < 1 || (n & (n - 1)) !== 0)
    throw new RangeError(`Hadamard size ${n} is not a power of two`);
  const h = new Float64Array(n * n);
  const k = 1 / Math.sqrt(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let bits = i & j;
      let parity = 0;
      while (bits) {
        parity ^= bits & 1;
        bits >>>= 1;
      }
      h[i * n + j] = parity ? -k : k;
    }
  }
  return h;
}

/**
 * Multiply each full block of `size` columns of a [rows, K] matrix by H (in float64, one rounding
 * to float32). A ragged last block is left as is. H is its own inverse, so the same call undoes it.
 */
export function rotateBlocks(v: Float32Array, rows: number, K: number, size: number): Float32Array {
  const h = hadamard(size);
  const out = new Float32Array(v);
  const full = Math.floor(K / size) * size;
  const tmp = new Float64Array(size);
  for (let r = 0; r < rows; r++) {
    for (let c0 = 0; c0 < full; c0 += size) {
      const o = r * K + c0;
      for (let j = 0; j < size; j++) {
        let s = 0;
        for (let i = 0; i < size; i++) s += v[o + i]! * h[i * size + j]!;
        tmp[j] = s;
      }
      for (let j = 0; j < size; j++) out[o + j] = tmp[j]!;
    }
  }
  return out;
}

/** The rotation size of a scheme: its block's column count (refused for schemes whose block spans K). */
export function rotationSize(scheme: BlockScheme): number {
  const bc = scheme.block[1];
  if (bc === 'all')
    throw new RangeError(
      `scheme ${scheme.name}: block rotation needs a fixed block size (its blocks span the whole row)`,
    );
  if ((bc & (bc - 1)) !== 0)
    throw new RangeError(`scheme ${scheme.name}: block size ${bc} is not a power of two`);
  return bc;
}

/**
 * Four Over Six NVFP4: E2M1 elements in blocks of 16 along K, E4M3 block scales under a per-tensor
 * float32 scale. Each block is encoded twice, amax mapped to 6 and to 4, and keeps the encoding
 * with the smaller sum of squared errors (ties keep 6). The tensor scale is 448 * 4 / amax so the
 * larger map-to-4 block scale still fits E4M3's 448 (our reading; the paper's constant is not
 * checked here). Returns codes and dequantization scales laid out as quant.quantize does.
 */
export function fourOverSix(
  data: Float32Array,
  rows: number,
  K: number,
  scheme: BlockScheme,
): QuantizedTensor {
  if (scheme.scale.kind !== 'nvfp4') throw new RangeError(`Four Over Six is for NVFP4, not ${scheme.name}`);
  const bc = scheme.block[1] as number;
  const e2m1 = codec('e2m1', scheme.elementOptions);
  const e4m3 = codec('e4m3fn', { rounding: 'nearest-even', overflow: 'saturate' });
  const amaxT = tensorAmax(data);
  const g = amaxT > 0 && Number.isFinite(amaxT) ? fr((448 * 4) / amaxT) : 1;
  const nb = Math.ceil(K / bc);
  const codes = new Uint8Array(data.length);
  const scales = new Float32Array(rows * nb);
  const scaleCodes = new Uint8Array(rows * nb);
  const cand = [new Uint8Array(bc), new Uint8Array(bc)];
  let saturated = 0;
  for (let r = 0; r < rows; r++) {
    for (let b = 0; b < nb; b++) {
      const c0 = b * bc;
      const c1 = Math.min(K, c0 + bc);
      let amax = 0;
      for (let j = c0; j < c1; j++) amax = Math.max(amax, Math.abs(data[r * K + j]!));
      let best = -1;
      let bestErr = Number.POSITIVE_INFINITY;
      let bestScale = 0;
      let bestCode = 0;
      for (const [k, m] of [6, 4].entries()) {
        const code = e4m3.encode(fr(fr(amax / m) * g));
        const s = fr(e4m3.decode(code) / g);
        const mul = s === 0 ? 0 : fr(1 / s);
        let err = 0;
        for (let j = c0; j < c1; j++) {
          const x = data[r * K + j]!;
          const c = e2m1.encode(fr(x * mul));
          cand[k]![j - c0] = c;
          const d = fr(e2m1.decode(c) * s) - x;
          err += d * d;
        }
        if (err < bestErr) {
          bestErr = err;
          best = k;
          bestScale = s;
          bestCode = code;
        }
      }
      codes.set(cand[best]!.subarray(0, c1 - c0), r * K + c0);
      scales[r * nb + b] = bestScale;
      scaleCodes[r * nb + b] = bestCode;
      if (bestScale > 0)
        for (let j = c0; j < c1; j++) if (Math.abs(data[r * K + j]! / bestScale) > 6) saturated++;
    }
  }
  return {
    scheme,
    shape: [rows, K],
    codes,
    scales,
    scaleCodes,
    scaleShape: [rows, nb],
    globalScale: g,
    saturated,
  };
}

/** Elementwise encode/decode of a scheme's element with a given block scale (as quant.quantize does). */
function elementQuantizer(scheme: BlockScheme): { encode(v: number): number; decode(c: number): number } {
  if (scheme.element === 'int8' || scheme.element === 'mxint8') {
    const k = scheme.element === 'mxint8' ? 64 : 1;
    return {
      encode(v) {
        const x = v * k;
        let q = Number.isNaN(x) ? 0 : Math.sign(x) * Math.floor(Math.abs(x) + 0.5);
        q = Math.max(-127, Math.min(127, q));
        return q & 0xff;
      },
      decode(c) {
        return ((c << 24) >> 24) / k;
      },
    };
  }
  const c = codec(scheme.element, scheme.elementOptions);
  return { encode: (v) => c.encode(v), decode: (x) => c.decode(x) };
}

/**
 * GPTQ on a [rows, K] view with Hessian `hess` = X^T X ([K, K], float64, from calibration inputs
 * of the layer). Blocks of the scheme along K get their scale from the current (already updated)
 * weights when the first column of the block is reached, as GPTQ's groupsize option does.
 * `damp` is added as a fraction of the mean diagonal. Returns the quantized tensor (codes and
 * dequantization scales as quant.quantize lays them out).
 */
export function gptq(
  data: Float32Array,
  rows: number,
  K: number,
  scheme: BlockScheme,
  hess: Float64Array,
  damp = 0.01,
): QuantizedTensor {
  if (hess.length !== K * K)
    throw new RangeError(`Hessian has ${hess.length} entries, K = ${K} needs ${K * K}`);
  const [brS, bcS] = scheme.block;
  const perTensor = brS === 'all' && bcS === 'all';
  const bc = bcS === 'all' ? K : bcS;
  const br = brS === 'all' ? rows : brS;
  const nbc = Math.ceil(K / bc);
  const nbr = Math.ceil(rows / br);
  const W = Float64Array.from(data);
  const H = Float64Array.from(hess);
  // dead inputs: no signal, weight irrelevant
  for (let i = 0; i < K; i++)
    if (H[i * K + i] === 0) {
      H[i * K + i] = 1;
      for (let r = 0; r < rows; r++) W[r * K + i] = 0;
    }
  let mean = 0;
  for (let i = 0; i < K; i++) mean += H[i * K + i]!;
  mean /= K;
  for (let i = 0; i < K; i++) H[i * K + i] += damp * mean;
  const U = upperCholeskyOfInverse(H, K);
  const q = elementQuantizer(scheme);
  const g = scheme.scale.kind === 'nvfp4' ? nvfp4Global(data) : 1;
  const codes = new Uint8Array(rows * K);
  const scales = new Float32Array(perTensor ? 1 : nbr * nbc);
  const mulOf = new Float64Array(perTensor ? 1 : nbr * nbc);
  const divOf = new Float64Array(perTensor ? 1 : nbr * nbc);
  const useDiv = scheme.apply === 'div';
  const setScales = (c0: number, c1: number, all: boolean) => {
    for (let tr = 0; tr < (all ? 1 : nbr); tr++) {
      const r0 = all ? 0 : tr * br;
      const r1 = all ? rows : Math.min(rows, r0 + br);
      let amax = 0;
      for (let r = r0; r < r1; r++)
        for (let j = c0; j < c1; j++) amax = Math.max(amax, Math.abs(fr(W[r * K + j]!)));
      const s = blockScale(scheme.scale, scheme.scaleStorage, scheme.element, amax, g);
      const idx = all ? 0 : tr * nbc + Math.floor(c0 / bc);
      scales[idx] = s.scale;
      mulOf[idx] = s.mul;
      divOf[idx] = s.div;
    }
  };
  if (perTensor) setScales(0, K, true);
  const err = new Float64Array(rows);
  for (let i = 0; i < K; i++) {
    if (!perTensor && i % bc === 0) setScales(i, Math.min(K, i + bc), false);
    const d = U[i * K + i]!;
    for (let r = 0; r < rows; r++) {
      const idx = perTensor ? 0 : Math.floor(r / br) * nbc + Math.floor(i / bc);
      const x = fr(W[r * K + i]!);
      const v = useDiv ? fr(x / divOf[idx]!) : fr(x * mulOf[idx]!);
      const c = q.encode(v);
      codes[r * K + i] = c;
      const deq = fr(q.decode(c) * scales[idx]!);
      err[r] = (W[r * K + i]! - deq) / d;
    }
    for (let j = i + 1; j < K; j++) {
      const u = U[i * K + j]!;
      if (u === 0) continue;
      for (let r = 0; r < rows; r++) W[r * K + j] -= err[r]! * u;
    }
  }
  return {
    scheme,
    shape: [rows, K],
    codes,
    scales,
    scaleCodes: null,
    scaleShape: perTensor ? [1] : [nbr, nbc],
    globalScale: g,
    saturated: 0,
  };
}

function nvfp4Global(data: Float32Array): number {
  const amax = tensorAmax(data);
  return amax > 0 && Number.isFinite(amax) ? fr((448 * 6) / amax) : 1;
}

/** U upper triangular with H^-1 = U^T U (float64): Cholesky of H, its inverse, Cholesky again. */
export function upperCholeskyOfInverse(H: Float64Array, n: number): Float64Array {
  // L L^T = H
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let s = H[j * n + j]!;
    for (let k = 0; k < j; k++) s -= L[j * n + k]! ** 2;
    if (!(s > 0)) throw new RangeError('Hessian is not positive definite (raise the damping)');
    const ljj = Math.sqrt(s);
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let t = H[i * n + j]!;
      for (let k = 0; k < j; k++) t -= L[i * n + k]! * L[j * n + k]!;
      L[i * n + j] = t / ljj;
    }
  }
  // Linv = L^-1 (lower)
  const Li = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    Li[i * n + i] = 1 / L[i * n + i]!;
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let k = j; k < i; k++) s += L[i * n + k]! * Li[k * n + j]!;
      Li[i * n + j] = -s / L[i * n + i]!;
    }
  }
  // Hinv = Linv^T Linv
  const Hi = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = j; k < n; k++) s += Li[k * n + i]! * Li[k * n + j]!;
      Hi[i * n + j] = s;
      Hi[j * n + i] = s;
    }
  }
  // Hinv = U^T U, U upper: U = chol(Hinv)^T
  const U = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    let s = Hi[i * n + i]!;
    for (let k = 0; k < i; k++) s -= U[k * n + i]! ** 2;
    const uii = Math.sqrt(Math.max(s, 1e-300));
    U[i * n + i] = uii;
    for (let j = i + 1; j < n; j++) {
      let t = Hi[i * n + j]!;
      for (let k = 0; k < i; k++) t -= U[k * n + i]! * U[k * n + j]!;
      U[i * n + j] = t / uii;
    }
  }
  return U;
}

/** Round to nearest with quant.quantize, dequantized (the baseline). */
export function roundToNearest(
  data: Float32Array,
  rows: number,
  K: number,
  scheme: BlockScheme,
): { q: QuantizedTensor; deq: Float32Array } {
  const q = quantize(data, [rows, K], scheme);
  return { q, deq: dequantize(q) };
}

/**
 * The Hessian in the rotated basis: with V' = V R (R block-diagonal Hadamard of `size`, R = R^T),
 * the layer computes X V^T = (X R)(V')^T, so GPTQ on V' needs H' = R H R. Blocks past the last
 * full one are left as is (they are not rotated).
 */
export function rotateHessian(H: Float64Array, K: number, size: number): Float64Array {
  const h = hadamard(size);
  const full = Math.floor(K / size) * size;
  const side = (A: Float64Array, left: boolean) => {
    const B = Float64Array.from(A);
    for (let r = 0; r < K; r++) {
      for (let c = 0; c < K; c++) {
        const idx = left ? r : c;
        if (idx >= full) continue;
        const blk = Math.floor(idx / size) * size;
        let s = 0;
        for (let k = 0; k < size; k++) {
          s += left
            ? h[(r - blk) * size + k]! * A[(blk + k) * K + c]!
            : A[r * K + blk + k]! * h[k * size + (c - blk)]!;
        }
        B[r * K + c] = s;
      }
    }
    return B;
  };
  return side(side(H, true), false);
}
