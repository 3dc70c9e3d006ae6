/**
 * @module kernels/wasm
 * Compile the kernel module, unshared (single thread, the browser without cross-origin isolation)
 * or shared (a worker pool over one WebAssembly.Memory). The build's wabt validator refuses shared
 * memories, so gemv.wat declares its memory unshared and the shared variant is the same binary
 * with the memory import's limits flag set to 0x03 (shared, with maximum).
 *
 * Two builds of gemv.wat: SIMD128, and relaxed SIMD where every multiply-add of the float kernels
 * (fp32, bf16, E4M3 dot products, the GEMM tile, the int8/FP4 block scaling) is one
 * `f32x4.relaxed_madd` (a fused multiply-add on x86 with FMA3 and on ARM; unfused where the engine
 * has no FMA). FMA rounds once instead of twice, so the relaxed results differ from SIMD128's in
 * the last bits (and may differ between machines); both stay within the float32 accumulation
 * bound the tests check against the float64 reference. Integer dot products stay exact in both.
 */
import { hasSimd, relaxedSimdAvailable } from '../wasm/load.js';
import { wasmBase64, wasmBase64Relaxed } from './gemv.wasm.js';

/** Pages the kernel memory may grow to (4 GiB, wasm32's limit). */
export const MAX_PAGES = 65536;

function bytesOf(b64: string): Uint8Array {
  if (typeof Buffer !== 'undefined') return new Uint8Array(Buffer.from(b64, 'base64'));
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function leb(b: Uint8Array, at: { i: number }): number {
  let v = 0;
  let shift = 0;
  for (;;) {
    const c = b[at.i++]!;
    v += (c & 0x7f) * 2 ** shift;
    if (c < 0x80) return v;
    shift += 7;
  }
}

/** Copy of a module binary whose imported memory is marked shared. */
export function shareMemoryImport(bin: Uint8Array): Uint8Array {
  const b = bin.slice();
  const at = { i: 8 };
  while (at.i < b.length) {
    const id = b[at.i++]!;
    const size = leb(b, at);
    const end = at.i + size;
    if (id === 2) {
      const count = leb(b, at);
      for (let e = 0; e < count; e++) {
        for (let name = 0; name < 2; name++) {
          const len = leb(b, at); // module name, then field name
          at.i += len;
        }
        const kind = b[at.i++]!;
        if (kind === 0) leb(b, at);
        else if (kind === 1 || kind === 2) {
          if (kind === 1) at.i++;
          const flag = b[at.i]!;
          if (kind === 2) {
            if (flag !== 0x01) throw new Error('kernel memory import must declare a maximum');
            b[at.i] = 0x03;
            return b;
          }
          at.i++;
          leb(b, at);
          if (flag & 1) leb(b, at);
        } else at.i += 2; // global: valtype, mutability
      }
    }
    at.i = end;
  }
  throw new Error('kernel module imports no memory');
}

const compiled = new Map<string, WebAssembly.Module>();

/** Kernel builds: SIMD128, or relaxed SIMD (FMA). */
export type KernelVariant = 'simd128' | 'relaxed';

/** The build used when none is asked for: relaxed where the engine runs it now, else SIMD128. */
export function defaultVariant(): KernelVariant {
  return relaxedSimdAvailable() ? 'relaxed' : 'simd128';
}

/** The kernel module (compiled once per variant). Throws where WebAssembly SIMD is missing. */
export function kernelModule(shared: boolean, variant: KernelVariant = 'simd128'): WebAssembly.Module {
  if (!hasSimd) throw new Error('kernels need WebAssembly SIMD (Node 16.4+ or a current browser)');
  if (variant === 'relaxed' && !relaxedSimdAvailable())
    throw new Error('relaxed SIMD is not available in this engine (Node 20: enableRelaxedSimd() first)');
  const key = `${shared}:${variant}`;
  let m = compiled.get(key);
  if (!m) {
    const bin = bytesOf(variant === 'relaxed' ? wasmBase64Relaxed : wasmBase64);
    m = new WebAssembly.Module((shared ? shareMemoryImport(bin) : bin) as BufferSource);
    compiled.set(key, m);
  }
  return m;
}

/** The exported kernels. GEMV kernels share one signature, ending in (n0, n1, scratch). */
export interface KernelExports {
  gemv_f32: GemvFn;
  gemv_bf16: GemvFn;
  gemv_e4m3: GemvFn;
  gemv_fp4: GemvFn;
  gemv_nvfp4: GemvFn;
  gemv_i8: GemvFn;
  gemm: (...args: number[]) => void;
  quant_act: (x: number, kp: number, q: number, xs: number, perm: number, half: number) => void;
}
type GemvFn = (...args: number[]) => void;

/** Kernel names by op code, for the worker protocol. */
export const OPS = [
  'gemv_f32',
  'gemv_bf16',
  'gemv_e4m3',
  'gemv_fp4',
  'gemv_nvfp4',
  'gemv_i8',
  'gemm',
] as const;
export type Op = (typeof OPS)[number];
