/**
 * @module quant/wasm
 * The WebAssembly SIMD kernels (kernels.wat) behind `quantize`/`dequantize` for the schemes they
 * cover: E4M3FN or E2M1 elements rounded to nearest even, E8M0 scales by DeepGEMM's ceil
 * (DeepSeek UE8M0 tiles), OCP/torchao FLOOR or RCEIL. Each call copies its input into the
 * module's memory and the result out; the kernels are bit-exact with the TypeScript path.
 */
import { ensureMemory, hasSimd, instantiate } from '../wasm/load.js';
import { wasmBase64 } from './kernels.wasm.js';
import type { QuantizedTensor } from './quantize.js';
import { elementClipThreshold, elementEmax, elementMax } from './scale.js';
import type { BlockScheme } from './scheme.js';

/** The per-tile scale and element parameters every quantize kernel takes after its buffers. */
type RuleArgs = [
  rule: number,
  elem: number,
  emax: number,
  maxv: number,
  mina: number,
  rmax: number,
  nan: number,
  clip: number,
];

interface Exports {
  memory: WebAssembly.Memory;
  quantize(
    ...args: [
      src: number,
      rows: number,
      cols: number,
      br: number,
      bc: number,
      codes: number,
      scodes: number,
      scales: number,
      ...RuleArgs,
    ]
  ): void;
  saturated(): number;
  widen_bf16(src: number, dst: number, n: number): void;
  rows_e4m3: RowsKernel;
  rows_e2m1: RowsKernel;
  dequantize(
    codes: number,
    rows: number,
    cols: number,
    br: number,
    bc: number,
    scales: number,
    out: number,
    elem: number,
    tmp: number,
  ): void;
}

/**
 * The fused row kernels: as `quantize` without the block-row count (one row per tile); with bf16
 * set, src holds BF16 values and each block is widened into scr (bc floats) inside the kernel.
 */
type RowsKernel = (
  ...args: [
    src: number,
    rows: number,
    cols: number,
    bc: number,
    codes: number,
    scodes: number,
    scales: number,
    ...RuleArgs,
    bf16: number,
    scr: number,
  ]
) => void;

let instance: Exports | null = null;
function kernels(): Exports {
  instance ??= instantiate(wasmBase64).exports as unknown as Exports;
  return instance;
}

/** Kernel parameters for a scheme, or null when the kernels do not cover it (the TypeScript path runs). */
export function wasmPlan(s: BlockScheme): { rule: number; elem: number; nan: number } | null {
  if (!hasSimd || s.scaleStorage !== 'e8m0' || s.apply !== 'mul-reciprocal') return null;
  const o = s.elementOptions;
  const rounding = o.rounding ?? 'nearest-even';
  if (o.preset !== undefined || o.nanCode !== undefined || o.negativeZero !== undefined) return null;
  let elem: number;
  let nan: number;
  if (s.element === 'e4m3fn' && rounding === 'nearest-even') {
    elem = o.overflow === 'saturate' ? 0 : 2;
    nan = 0x7f;
  } else if (
    s.element === 'e2m1' &&
    o.overflow === 'saturate' &&
    (rounding === 'nearest-even' || rounding === 'nearest-away')
  ) {
    elem = rounding === 'nearest-even' ? 1 : 3;
    nan = 0x8;
  } else return null;
  const r = s.scale;
  let rule: number;
  if (r.kind === 'amax-ratio' && r.pow2 === 'ceil-bits' && s.element === 'e4m3fn') rule = 0;
  else if (r.kind === 'mx-floor') rule = 1;
  else if (r.kind === 'mx-rceil') rule = 2;
  else if (r.kind === 'mx-roundup') rule = 3;
  else return null;
  return { rule, elem, nan };
}

const HEADER = 128; // bytes 0..15: the E2M1 table; 16..95 scratch for dequantize tails

/** Quantize one matrix with the kernels; writes codes, scale bytes and scales; returns the saturated count. */
export function wasmQuantizeMatrix(
  s: BlockScheme,
  plan: { rule: number; elem: number; nan: number },
  data: Float32Array,
  rows: number,
  cols: number,
  br: number,
  bc: number,
  codes: Uint8Array,
  scaleCodes: Uint8Array,
  scales: Float32Array,
): number {
  return quantizeIn(s, plan, data, rows, cols, br, bc, codes, scaleCodes, scales);
}

/**
 * As wasmQuantizeMatrix from BF16 values (the raw u16 bits, as stored in safetensors): they are
 * copied into kernel memory at 2 bytes per element and widened inside it, per block in the fused
 * row kernels (1 x bc tiles), per call before the tile kernel otherwise. The result is bit-identical
 * with widening to float32 first (BF16 -> float32 is exact).
 */
export function wasmQuantizeMatrixBf16(
  s: BlockScheme,
  plan: { rule: number; elem: number; nan: number },
  bits: Uint16Array,
  rows: number,
  cols: number,
  br: number,
  bc: number,
  codes: Uint8Array,
  scaleCodes: Uint8Array,
  scales: Float32Array,
): number {
  return quantizeIn(s, plan, bits, rows, cols, br, bc, codes, scaleCodes, scales);
}

/** Where a quantize call keeps its buffers in kernel memory. */
function layout(rows: number, cols: number, br: number, bc: number, bf16: boolean) {
  const n = rows * cols;
  const nb = Math.ceil(rows / br) * Math.ceil(cols / bc);
  const src = HEADER;
  const codesAt = src + n * 4;
  const scodesAt = codesAt + n + 16;
  const scalesAt = (scodesAt + nb + 16 + 15) & ~15;
  const scrAt = (scalesAt + nb * 4 + 64 + 15) & ~15; // a block of floats (fused BF16) or the BF16 input
  const fused = br === 1 && bc % 16 === 0 && cols % bc === 0;
  const end = scrAt + (bf16 ? (fused ? bc * 4 : n * 2) : 0) + 64;
  // the input: float32 at src, or BF16 at src (fused) or at scrAt (widened to src first)
  const inputAt = bf16 && !fused ? scrAt : src;
  return { n, nb, src, codesAt, scodesAt, scalesAt, scrAt, fused, end, inputAt };
}

/**
 * The kernel memory where a quantize call of this shape reads its input (float32 values, or BF16
 * bits with `bf16`): a producer (a file reader, a decoder) can write the input there and call
 * wasmQuantizeStaged, with no copy into the kernels. Valid until the next call that grows memory.
 */
export function wasmInputArea(
  rows: number,
  cols: number,
  br: number,
  bc: number,
  bf16: boolean,
): Float32Array | Uint16Array {
  const k = kernels();
  const l = layout(rows, cols, br, bc, bf16);
  ensureMemory(k.memory, l.end);
  return bf16
    ? new Uint16Array(k.memory.buffer, l.inputAt, l.n)
    : new Float32Array(k.memory.buffer, l.inputAt, l.n);
}

/**
 * Quantize the input already in wasmInputArea (same shape and `bf16`); returns the saturated count
 * and views of the codes, scale bytes and scales in kernel memory (valid until the next call).
 */
export function wasmQuantizeStaged(
  s: BlockScheme,
  plan: { rule: number; elem: number; nan: number },
  rows: number,
  cols: number,
  br: number,
  bc: number,
  bf16: boolean,
): { saturated: number; codes: Uint8Array; scaleCodes: Uint8Array; scales: Float32Array } {
  const k = kernels();
  const l = layout(rows, cols, br, bc, bf16);
  ensureMemory(k.memory, l.end);
  if (bf16 && !l.fused) k.widen_bf16(l.scrAt, l.src, l.n);
  const r = s.scale;
  const maxv = r.kind === 'amax-ratio' ? r.maxValue : elementMax(s.element);
  const mina = r.kind === 'amax-ratio' ? Math.fround(r.minAmax ?? 0) : 0;
  const emax = elementEmax(s.element);
  const clip = elementClipThreshold(s.element);
  const rmax = Math.fround(1 / maxv);
  const rule: RuleArgs = [plan.rule, plan.elem, emax, maxv, mina, rmax, plan.nan, clip];
  if (l.fused) {
    // fused one-pass kernel for row tiles (DeepSeek 1x128 activations, MX 1x32)
    const f = plan.elem & 1 ? k.rows_e2m1 : k.rows_e4m3;
    f(l.src, rows, cols, bc, l.codesAt, l.scodesAt, l.scalesAt, ...rule, bf16 ? 1 : 0, l.scrAt);
  } else {
    k.quantize(l.src, rows, cols, br, bc, l.codesAt, l.scodesAt, l.scalesAt, ...rule);
  }
  const mem = k.memory.buffer;
  return {
    saturated: k.saturated(),
    codes: new Uint8Array(mem, l.codesAt, l.n),
    scaleCodes: new Uint8Array(mem, l.scodesAt, l.nb),
    scales: new Float32Array(mem, l.scalesAt, l.nb),
  };
}

function quantizeIn(
  s: BlockScheme,
  plan: { rule: number; elem: number; nan: number },
  data: Float32Array | Uint16Array,
  rows: number,
  cols: number,
  br: number,
  bc: number,
  codes: Uint8Array,
  scaleCodes: Uint8Array,
  scales: Float32Array,
): number {
  if (data.length !== rows * cols)
    throw new RangeError(`input holds ${data.length} values, not ${rows} x ${cols}`);
  const bf16 = data instanceof Uint16Array;
  wasmInputArea(rows, cols, br, bc, bf16).set(data);
  const out = wasmQuantizeStaged(s, plan, rows, cols, br, bc, bf16);
  if (out.scales.length !== scales.length)
    throw new RangeError(`scales hold ${scales.length} blocks, the shape has ${out.scales.length}`);
  codes.set(out.codes);
  scaleCodes.set(out.scaleCodes);
  scales.set(out.scales);
  return out.saturated;
}

/** Dequantize one matrix with the kernels. */
export function wasmDequantizeMatrix(
  elem: number,
  codes: Uint8Array,
  scales: Float32Array,
  rows: number,
  cols: number,
  br: number,
  bc: number,
  out: Float32Array,
): void {
  const k = kernels();
  const n = rows * cols;
  const codesAt = HEADER;
  const scalesAt = (codesAt + n + 16 + 15) & ~15;
  const outAt = scalesAt + scales.length * 4 + 16;
  ensureMemory(k.memory, outAt + n * 4 + 64);
  const mem = k.memory.buffer;
  new Uint8Array(mem, codesAt, n).set(codes);
  new Float32Array(mem, scalesAt, scales.length).set(scales);
  k.dequantize(codesAt, rows, cols, br, bc, scalesAt, outAt, elem, 16);
  out.set(new Float32Array(mem, outAt, n));
}

export type { QuantizedTensor };
