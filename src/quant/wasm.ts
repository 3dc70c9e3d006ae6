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
  const k = kernels();
  const n = rows * cols;
  if (data.length !== n) throw new RangeError(`input holds ${data.length} values, not ${rows} x ${cols}`);
  const bf16 = data instanceof Uint16Array;
  const nb = scales.length;
  const src = HEADER;
  const codesAt = src + n * 4;
  const scodesAt = codesAt + n + 16;
  const scalesAt = (scodesAt + nb + 16 + 15) & ~15;
  const scrAt = (scalesAt + nb * 4 + 64 + 15) & ~15; // a block of floats (fused BF16) or the BF16 input
  const fused = br === 1 && bc % 16 === 0 && cols % bc === 0;
  ensureMemory(k.memory, scrAt + (bf16 ? (fused ? bc * 4 : n * 2) : 0) + 64);
  const mem = k.memory.buffer;
  if (!bf16) new Float32Array(mem, src, n).set(data);
  else if (fused) new Uint16Array(mem, src, n).set(data);
  else {
    new Uint16Array(mem, scrAt, n).set(data);
    k.widen_bf16(scrAt, src, n);
  }
  const r = s.scale;
  const maxv = r.kind === 'amax-ratio' ? r.maxValue : elementMax(s.element);
  const mina = r.kind === 'amax-ratio' ? Math.fround(r.minAmax ?? 0) : 0;
  const emax = elementEmax(s.element);
  const clip = elementClipThreshold(s.element);
  const rmax = Math.fround(1 / maxv);
  if (fused) {
    // fused one-pass kernel for row tiles (DeepSeek 1x128 activations, MX 1x32)
    const f = plan.elem & 1 ? k.rows_e2m1 : k.rows_e4m3;
    f(
      src,
      rows,
      cols,
      bc,
      codesAt,
      scodesAt,
      scalesAt,
      plan.rule,
      plan.elem,
      emax,
      maxv,
      mina,
      rmax,
      plan.nan,
      clip,
      bf16 ? 1 : 0,
      scrAt,
    );
  } else {
    k.quantize(
      src,
      rows,
      cols,
      br,
      bc,
      codesAt,
      scodesAt,
      scalesAt,
      plan.rule,
      plan.elem,
      emax,
      maxv,
      mina,
      rmax,
      plan.nan,
      clip,
    );
  }
  codes.set(new Uint8Array(mem, codesAt, n));
  scaleCodes.set(new Uint8Array(mem, scodesAt, nb));
  scales.set(new Float32Array(mem, scalesAt, nb));
  return k.saturated();
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
