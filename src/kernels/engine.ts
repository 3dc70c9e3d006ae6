/**
 * @module kernels/engine
 * Run the WebAssembly kernels: weights are uploaded once into the module's memory (same bytes as
 * the PackedWeight, no float copy), x or A is staged per call, and rows of W are split across
 * worker threads from the one pool (src/pool) that share the memory, dispatched through a
 * SharedArrayBuffer control block with Atomics (low latency: no message per call). One thread
 * (no workers) where SharedArrayBuffer or worker_threads are missing, as in a browser page that is
 * not cross-origin isolated.
 */
import { createWorkerPool, type WorkerPool, workerThreadsAvailable } from '../pool/index.js';
import { enableRelaxedSimd, ensureMemory, relaxedSimdAvailable } from '../wasm/load.js';
import {
  ARGS,
  CONTROL_SLOTS,
  ERR,
  GEN,
  MAX_THREADS,
  NARGS,
  OP,
  OP_EXIT,
  PENDING,
  RANGES,
} from './protocol.js';
import {
  defaultVariant,
  type KernelExports,
  type KernelVariant,
  kernelModule,
  MAX_PAGES,
  OPS,
  type Op,
} from './wasm.js';
import { layoutOf, type PackedWeight } from './weights.js';

/** A weight uploaded into kernel memory. */
export interface DeviceWeight {
  readonly w: PackedWeight;
  readonly dataPtr: number;
  readonly scalePtr: number;
}

export interface KernelsOptions {
  /** Threads, main included (default 1). Capped at 32; 1 where workers are unavailable. */
  threads?: number;
  /** NaN-fill the output staging area before each call (tests: proves every element is written). */
  poison?: boolean;
  /**
   * Kernel build: 'relaxed' (FMA, relaxed SIMD), 'simd128', or 'auto' (default): relaxed where
   * available. createKernels turns on Node 20's experimental relaxed-SIMD flag for 'auto' and
   * 'relaxed' (enableRelaxedSimd); createKernelsSync only uses what the engine runs already.
   */
  variant?: KernelVariant | 'auto';
}

const ALIGN = 64;
const up = (n: number, a = ALIGN) => Math.ceil(n / a) * a;
const X_PRESCALE = 2 ** 64;
const CORR_SCALED = Math.fround(2 ** 56);
const CORR_PLAIN = Math.fround(2 ** 120);

/** The worker threads (from the one pool, src/pool) and the control block they wait on. */
interface Pool {
  control: Int32Array;
  workers: WorkerPool;
}

/** The kernels over one memory, with an optional worker pool. */
export class Kernels {
  readonly threads: number;
  /** The kernel build in use. */
  readonly variant: KernelVariant;
  readonly poison: boolean;
  private readonly k: KernelExports;
  private top = ALIGN;
  private closed = false;

  constructor(
    readonly memory: WebAssembly.Memory,
    module: WebAssembly.Module,
    private readonly pool: Pool | null,
    opts: KernelsOptions,
    variant: KernelVariant,
  ) {
    this.variant = variant;
    this.k = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
    this.threads = pool ? pool.workers.threads + 1 : 1;
    this.poison = opts.poison ?? false;
  }

  /** Copy a packed weight into kernel memory (kept until reset()). */
  upload(w: PackedWeight): DeviceWeight {
    const dataPtr = this.top;
    const scalePtr = up(dataPtr + w.data.byteLength);
    this.top = up(scalePtr + w.scales.byteLength);
    ensureMemory(this.memory, this.top);
    const buf = this.memory.buffer;
    new Uint8Array(buf, dataPtr, w.data.byteLength).set(w.data);
    new Float32Array(buf, scalePtr, w.scales.length).set(w.scales);
    return { w, dataPtr, scalePtr };
  }

  /** Free every uploaded weight. */
  reset(): void {
    this.top = ALIGN;
  }

  /** y = W x. x has k values; y (n values) is returned, filled in place when given. */
  gemv(d: DeviceWeight, x: Float32Array, y = new Float32Array(d.w.n)): Float32Array {
    const { w } = d;
    if (x.length !== w.k) throw new RangeError(`x has ${x.length} values, W has k = ${w.k}`);
    if (y.length < w.n) throw new RangeError(`y holds ${y.length} values, W has n = ${w.n}`);
    const l = layoutOf(w.format);
    let at = this.top;
    const xPtr = at;
    at = up(at + w.kp * 4);
    const xsPtr = at;
    at = up(at + (w.kp / 32) * 4);
    const yPtr = at;
    at = up(at + Math.max(w.n, w.kp) * 4);
    ensureMemory(this.memory, at);
    const buf = this.memory.buffer;
    let op: Op;
    let p1 = 0;
    let p2 = 0;
    let p3 = 0;
    let p4 = 0;
    if (l.act === 'int8') {
      const xf = new Float32Array(buf, yPtr, w.kp); // y's space is free until the kernel runs
      xf.set(x);
      xf.fill(0, w.k);
      const half = l.element === 'fp4' ? 0.5 : 1; // FP4 tables hold 2 * E2M1
      this.k.quant_act(yPtr, w.kp, xPtr, xsPtr, l.order === 'gpt-oss' ? 1 : 0, half);
      op = l.element === 'int8' ? 'gemv_i8' : w.format === 'nvfp4' ? 'gemv_nvfp4' : 'gemv_fp4';
    } else {
      const xf = new Float32Array(buf, xPtr, w.kp);
      xf.set(x);
      xf.fill(0, w.k);
      if (l.element === 'e4m3') {
        let amax = 0;
        for (let j = 0; j < w.k; j++) amax = Math.max(amax, Math.abs(x[j]!));
        const scaled = amax < 2 ** 62; // false for NaN and huge activations: plain x, corr 2^120
        const f = scaled ? X_PRESCALE : 1;
        // the kernel decodes 16 codes into 4 vectors of elements 4i + r (r = 0..3): x is staged
        // in that order within each 16, so that vector r meets x[4i + r]
        for (let g = 0; g < w.kp; g += 16)
          for (let r = 0; r < 4; r++)
            for (let i = 0; i < 4; i++) {
              const j = g + 4 * i + r;
              xf[g + 4 * r + i] = j < w.k ? x[j]! * f : 0;
            }
        const corr = new Float32Array([scaled ? CORR_SCALED : CORR_PLAIN]);
        p4 = new Int32Array(corr.buffer)[0]!;
        p1 = Math.log2(l.block[1]);
        p2 = Math.log2(l.block[0]);
        p3 = w.scaleCols;
        op = 'gemv_e4m3';
      } else op = l.element === 'bf16' ? 'gemv_bf16' : 'gemv_f32';
    }
    const yv = new Float32Array(buf, yPtr, w.n);
    if (this.poison) yv.fill(Number.NaN);
    this.run(op, [d.dataPtr, d.scalePtr, xPtr, xsPtr, yPtr, w.kp, p1, p2, p3, p4], w.n, 0, at);
    y.set(new Float32Array(this.memory.buffer, yPtr, w.n));
    return y;
  }

  /** The WebAssembly int8 activation quantizer (natural order), for checks against the reference. */
  quantizeActivations(x: Float32Array, kp: number): { q: Int8Array; s: Float32Array } {
    if (kp % 32 !== 0 || kp < x.length)
      throw new RangeError(`kp ${kp} must be a multiple of 32 >= ${x.length}`);
    const xPtr = this.top;
    const qPtr = up(xPtr + kp * 4);
    const sPtr = up(qPtr + kp);
    ensureMemory(this.memory, sPtr + kp / 8);
    const xf = new Float32Array(this.memory.buffer, xPtr, kp);
    xf.set(x);
    xf.fill(0, x.length);
    this.k.quant_act(xPtr, kp, qPtr, sPtr, 0, 1);
    return {
      q: new Int8Array(this.memory.buffer, qPtr, kp).slice(),
      s: new Float32Array(this.memory.buffer, sPtr, kp / 32).slice(),
    };
  }

  /** C = A W^T with A [m, k] fp32 (row-major); C [m, n] is returned, filled in place when given. */
  gemm(d: DeviceWeight, a: Float32Array, m: number, c = new Float32Array(m * d.w.n)): Float32Array {
    const { w } = d;
    if (a.length !== m * w.k) throw new RangeError(`A has ${a.length} values, not ${m} x ${w.k}`);
    if (c.length < m * w.n) throw new RangeError(`C holds ${c.length} values, needs ${m} x ${w.n}`);
    const l = layoutOf(w.format);
    let at = this.top;
    const aPtr = at;
    at = up(at + m * w.kp * 4);
    const cPtr = at;
    at = up(at + m * w.n * 4);
    const panelBytes = up(4 * w.kp * 4);
    const panels = at;
    at += panelBytes * this.threads;
    ensureMemory(this.memory, at);
    const buf = this.memory.buffer;
    const av = new Float32Array(buf, aPtr, m * w.kp);
    for (let i = 0; i < m; i++) {
      av.set(a.subarray(i * w.k, i * w.k + w.k), i * w.kp);
      av.fill(0, i * w.kp + w.k, (i + 1) * w.kp);
    }
    const cv = new Float32Array(buf, cPtr, m * w.n);
    if (this.poison) cv.fill(Number.NaN);
    const fmt = {
      f32: 0,
      bf16: 1,
      e4m3: 2,
      fp4: l.order === 'ggml' ? 4 : w.format === 'nvfp4' ? 5 : 3,
      int8: 6,
    }[l.element];
    const common = [
      fmt,
      d.dataPtr,
      w.rowBytes,
      d.scalePtr,
      w.scaleCols,
      Math.log2(l.block[0]),
      aPtr,
      cPtr,
      m,
      w.n,
      w.kp,
      Math.log2(l.block[1]),
    ];
    this.run('gemm', common, w.n, panels, panelBytes);
    c.set(new Float32Array(this.memory.buffer, cPtr, m * w.n));
    return c;
  }

  /**
   * Run a kernel over rows [0, n), split in chunks of 4 rows across the threads; thread t gets
   * scratch at scratch + t * scratchBytes. The main thread runs chunk 0 and waits for the rest.
   */
  private run(op: Op, common: number[], n: number, scratch: number, scratchBytes: number): void {
    if (this.closed) throw new Error('kernels are closed');
    const failure = this.pool?.workers.failure;
    if (failure) throw new Error(`${op}: ${failure.message}`);
    const T = this.pool ? Math.min(this.threads, Math.max(1, Math.ceil(n / 4))) : 1;
    const chunk = Math.ceil(n / T / 4) * 4;
    const range = (t: number) => [
      Math.min(n, t * chunk),
      Math.min(n, (t + 1) * chunk),
      scratch + t * scratchBytes,
    ];
    if (T === 1 || !this.pool) {
      this.k[op](...common, ...range(0));
      return;
    }
    const c = this.pool.control;
    c[OP] = OPS.indexOf(op);
    c[NARGS] = common.length;
    c[ERR] = 0;
    for (let i = 0; i < common.length; i++) c[ARGS + i] = common[i]!;
    for (let t = 1; t < this.threads; t++) {
      const [a, b, s] = t < T ? range(t) : [0, 0, 0];
      c[RANGES + 3 * (t - 1)] = a!;
      c[RANGES + 3 * (t - 1) + 1] = b!;
      c[RANGES + 3 * (t - 1) + 2] = s!;
    }
    Atomics.store(c, PENDING, this.threads - 1);
    Atomics.add(c, GEN, 1);
    Atomics.notify(c, GEN);
    let err: unknown = null;
    try {
      this.k[op](...common, ...range(0));
    } catch (e) {
      err = e;
    }
    // A worker that died cannot report: wait in slices and give up after a generous deadline
    // rather than block forever.
    const deadline = Date.now() + WORKER_DEADLINE_MS;
    for (let p = Atomics.load(c, PENDING); p !== 0; p = Atomics.load(c, PENDING)) {
      if (Atomics.wait(c, PENDING, p, 1000) === 'timed-out' && Date.now() > deadline) {
        throw new Error(`${op}: a worker thread did not finish within ${WORKER_DEADLINE_MS / 1000} s`);
      }
    }
    if (err) throw err;
    if (c[ERR] !== 0) throw new Error(`${op} failed in a worker thread`);
  }

  /** Stop the worker threads. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.pool) return;
    const c = this.pool.control;
    c[OP] = OP_EXIT;
    Atomics.add(c, GEN, 1);
    Atomics.notify(c, GEN);
    await this.pool.workers.close();
  }
}

/** How long one operation may wait for its worker threads. */
const WORKER_DEADLINE_MS = 120_000;

/** Single-threaded kernels on an unshared memory (works everywhere WebAssembly SIMD does). */
export function createKernelsSync(opts: KernelsOptions = {}): Kernels {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES });
  const variant = pickVariant(opts);
  return new Kernels(memory, kernelModule(false, variant), null, opts, variant);
}

function pickVariant(opts: KernelsOptions): KernelVariant {
  const v = opts.variant ?? 'auto';
  if (v === 'auto') return defaultVariant();
  if (v === 'relaxed' && !relaxedSimdAvailable())
    throw new Error('relaxed SIMD kernels requested, but this engine does not run relaxed SIMD');
  if (v !== 'relaxed' && v !== 'simd128') throw new RangeError(`unknown kernel variant "${String(v)}"`);
  return v;
}

/** Kernels with `threads` threads (workers over a shared memory in Node; one thread elsewhere). */
export async function createKernels(opts: KernelsOptions = {}): Promise<Kernels> {
  const threads = Math.max(1, Math.min(MAX_THREADS, Math.floor(opts.threads ?? 1)));
  if ((opts.variant ?? 'auto') !== 'simd128') await enableRelaxedSimd();
  if (threads === 1 || typeof SharedArrayBuffer === 'undefined' || !workerThreadsAvailable())
    return createKernelsSync(opts);
  const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
  const variant = pickVariant(opts);
  const module = kernelModule(true, variant);
  const control = new SharedArrayBuffer(CONTROL_SLOTS * 4);
  // the workers run their own loop on the control block (worker.ts); the pool starts, sizes and
  // ends them. No replacement: a job lost with a dead worker cannot be run again, so the pool fails.
  const workers = createWorkerPool({
    name: 'kernel',
    script: new URL('./worker.js', import.meta.url),
    threads: threads - 1,
    workerData: (index) => ({ module, memory, control, index }),
    replace: false,
  });
  try {
    await workers.ready();
  } catch (e) {
    await workers.close();
    throw e;
  }
  return new Kernels(memory, module, { control: new Int32Array(control), workers }, opts, variant);
}
