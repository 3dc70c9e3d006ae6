/**
 * @module wasm/load
 * Instantiate the generated WebAssembly modules (base64 from scripts/build-wasm.mjs), feature
 * checks for SIMD and relaxed SIMD, and growable memory helpers.
 */

function decodeBase64(b64: string): Uint8Array {
  if (typeof Buffer !== 'undefined') return new Uint8Array(Buffer.from(b64, 'base64'));
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// (module (func (result v128) (v128.const i32x4 0 0 0 0)))
const SIMD_PROBE = Uint8Array.of(
  0,
  97,
  115,
  109,
  1,
  0,
  0,
  0,
  1,
  5,
  1,
  96,
  0,
  1,
  123,
  3,
  2,
  1,
  0,
  10,
  22,
  1,
  20,
  0,
  253,
  12,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  11,
);
// (module (func (param v128 v128 v128) (result v128) (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2))))
const RELAXED_PROBE = Uint8Array.of(
  0,
  97,
  115,
  109,
  1,
  0,
  0,
  0,
  1,
  8,
  1,
  96,
  3,
  123,
  123,
  123,
  1,
  123,
  3,
  2,
  1,
  0,
  10,
  13,
  1,
  11,
  0,
  32,
  0,
  32,
  1,
  32,
  2,
  253,
  133,
  2,
  11,
);

/** Whether this engine runs WebAssembly SIMD (Node 16.4+, current browsers). */
export const hasSimd: boolean = typeof WebAssembly !== 'undefined' && WebAssembly.validate(SIMD_PROBE);
/**
 * Whether this engine runs relaxed SIMD now (Chromium and Node 22+ by default; Node 20 after
 * `enableRelaxedSimd()`). Checked on each call: a V8 flag set later changes the answer.
 */
export function relaxedSimdAvailable(): boolean {
  return typeof WebAssembly !== 'undefined' && WebAssembly.validate(RELAXED_PROBE);
}

/** Whether relaxed SIMD was available when this module loaded (see relaxedSimdAvailable). */
export const hasRelaxedSimd: boolean = relaxedSimdAvailable();

/**
 * In Node (V8), turn on `--experimental-wasm-relaxed-simd` for this process (workers included)
 * when the engine does not run relaxed SIMD yet; modules compiled afterwards may use it. Returns
 * whether relaxed SIMD is available. A no-op elsewhere (browsers decide for themselves).
 */
export async function enableRelaxedSimd(): Promise<boolean> {
  if (relaxedSimdAvailable()) return true;
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (!proc?.versions?.node) return false;
  try {
    const v8 = await import('node:v8');
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    return false;
  }
  return relaxedSimdAvailable();
}

const modules = new Map<string, WebAssembly.Module>();

/** Compile (once) and instantiate a generated module. */
export function instantiate(b64: string, imports: WebAssembly.Imports = {}): WebAssembly.Instance {
  let m = modules.get(b64);
  if (!m) {
    m = new WebAssembly.Module(decodeBase64(b64) as BufferSource);
    modules.set(b64, m);
  }
  return new WebAssembly.Instance(m, imports);
}

/** Grow a memory so that it holds at least `bytes`. */
export function ensureMemory(mem: WebAssembly.Memory, bytes: number): void {
  const need = Math.ceil(bytes / 65536) - mem.buffer.byteLength / 65536;
  if (need > 0) mem.grow(need);
}
