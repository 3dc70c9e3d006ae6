/**
 * @module kernels/bench
 * GEMV timing per weight format: median milliseconds per call, weight bytes read, GB/s,
 * GFLOP/s and speed-up over fp32. Used by `chipstack bench gemv` and bench/gemv.mjs; and
 * `liveGemvBenchmark`, the browser-safe version for a page that measures the visitor's device.
 */
import { makeRng } from '../formats/index.js';
import { enableRelaxedSimd, relaxedSimdAvailable } from '../wasm/load.js';
import { createKernels, createKernelsSync, type Kernels } from './engine.js';
import type { KernelVariant } from './wasm.js';
import { layoutOf, packFloat, type WeightFormat, weightBytes } from './weights.js';

export interface GemvBenchRow {
  format: WeightFormat;
  /** Kernel build measured. */
  variant: KernelVariant;
  n: number;
  k: number;
  m: number;
  threads: number;
  /** Median milliseconds per call, and the fastest call. */
  ms: number;
  msBest: number;
  calls: number;
  weightBytes: number;
  GBps: number;
  GFLOPps: number;
  /** Elements of W per second per thread. */
  elementsPerSecPerThread: number;
  speedup: number;
}

export interface GemvBenchOptions {
  n: number;
  k: number;
  formats: readonly WeightFormat[];
  threads?: number;
  /** Rows of A: 1 is a GEMV, more runs gemm (default 1). */
  m?: number;
  /** Interleaved rounds (default 15, 3..25) and timed seconds per format (default 0.5). */
  reps?: number;
  seconds?: number;
  /** Reuse kernels (a pool) across calls; closed by the caller. */
  kernels?: Kernels;
  /** Kernel build when no kernels are given (default 'auto': relaxed SIMD where available). */
  variant?: KernelVariant | 'auto';
}

/** Seeded normal random floats (the formats' mulberry32 generator + Box-Muller), scaled by `sd`. */
export function randomNormal(len: number, seed: number, sd = 1): Float32Array {
  const u = makeRng(seed);
  const out = new Float32Array(len);
  // 1 - u() is in (0, 1]: the logarithm stays finite
  for (let i = 0; i < len; i++) out[i] = sd * Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Time one call repeatedly: median seconds over at least `reps` calls and `seconds` seconds. */
export function timeMedian(fn: () => void, reps = 15, seconds = 0.5): number {
  fn();
  const ts: number[] = [];
  const t0 = performance.now();
  while (ts.length < reps || performance.now() - t0 < seconds * 1000) {
    const a = performance.now();
    fn();
    ts.push((performance.now() - a) / 1000);
    if (ts.length >= 1000) break;
  }
  return median(ts);
}

/**
 * Benchmark formats on one shape (fp32 is always measured, for the speed-up). All formats are
 * uploaded first and timed in interleaved rounds, so that load from other processes on the
 * machine falls on every format alike; ms is the median of all calls, msBest the fastest.
 */
export async function benchGemv(opts: GemvBenchOptions): Promise<GemvBenchRow[]> {
  const { n, k } = opts;
  const m = opts.m ?? 1;
  const kernels =
    opts.kernels ?? (await createKernels({ threads: opts.threads ?? 1, variant: opts.variant ?? 'auto' }));
  try {
    const wf = randomNormal(n * k, 1, 0.02);
    const x = randomNormal(m * k, 2);
    const formats: WeightFormat[] = ['fp32', ...opts.formats.filter((f) => f !== 'fp32')];
    kernels.reset();
    const loaded = formats.map((format) => {
      const w = packFloat(wf, n, k, format);
      return { format, bytes: weightBytes(w), d: kernels.upload(w) };
    });
    const y = new Float32Array(m * n);
    const call = (i: number) => {
      const { d } = loaded[i]!;
      if (m === 1) kernels.gemv(d, x, y);
      else kernels.gemm(d, x, m, y);
    };
    // warm-up, and a first timing to size the rounds
    const once = loaded.map((_, i) => {
      call(i);
      const t = performance.now();
      call(i);
      return (performance.now() - t) / 1000;
    });
    const reps = opts.reps ?? 15;
    const seconds = opts.seconds ?? 0.5;
    const rounds = Math.max(3, Math.min(25, reps));
    const samples: number[][] = loaded.map(() => []);
    const t0 = performance.now();
    for (let r = 0; r < rounds || (performance.now() - t0) / 1000 < seconds * loaded.length; r++) {
      for (let i = 0; i < loaded.length; i++) {
        const per = Math.min(200, Math.max(1, Math.round(seconds / rounds / once[i]!)));
        for (let c = 0; c < per; c++) {
          const a = performance.now();
          call(i);
          samples[i]!.push((performance.now() - a) / 1000);
        }
      }
      if (r > 200) break;
    }
    const base = median(samples[0]!);
    const rows: GemvBenchRow[] = [];
    loaded.forEach(({ format, bytes }, i) => {
      if (!opts.formats.includes(format)) return;
      const s = median(samples[i]!);
      rows.push({
        format,
        variant: kernels.variant,
        n,
        k,
        m,
        threads: kernels.threads,
        ms: s * 1e3,
        msBest: samples[i]!.reduce((a, b) => Math.min(a, b)) * 1e3,
        calls: samples[i]!.length,
        weightBytes: bytes,
        GBps: bytes / s / 1e9,
        GFLOPps: (2 * m * n * k) / s / 1e9,
        elementsPerSecPerThread: (n * k) / s / kernels.threads,
        speedup: base / s,
      });
    });
    kernels.reset();
    return rows;
  } finally {
    if (!opts.kernels) await kernels.close();
  }
}

/** Options of liveGemvBenchmark. */
export interface LiveGemvOptions {
  /** Formats (default fp32, bf16, deepseek-fp8, mxfp4, int8); fp32 is always measured. */
  formats?: readonly WeightFormat[];
  /** W shape (default 2048 x 4096: 32 MiB of fp32 weights, past the caches of most devices). */
  n?: number;
  k?: number;
  /** Timed milliseconds per format and kernel build (default 300). */
  ms?: number;
  /** Kernel builds (default: simd128, and relaxed where the engine runs relaxed SIMD). */
  variants?: readonly KernelVariant[];
  /** Called after each timed slice (a progress display): slices done, slices in all. */
  onProgress?: (done: number, total: number) => void;
}

/** One format on one kernel build, on this thread. */
export interface LiveGemvRow {
  format: WeightFormat;
  variant: KernelVariant;
  /** Activation precision of the format's GEMV (int8 per 32 for FP4 and int8 weights). */
  activations: 'f32' | 'int8';
  /** Bytes of W read per element, scales included. */
  bytesPerElement: number;
  /** Median milliseconds per call (each sample a batch of calls of at least 10 ms), and the calls timed. */
  ms: number;
  calls: number;
  /** W elements per second (one thread), and GB/s of W read. */
  elementsPerSec: number;
  GBps: number;
  /** Time of fp32 (same build) / time of this format; and fp32 bytes / this format's bytes. */
  speedup: number;
  bytesRatio: number;
}

export interface LiveGemvResult {
  n: number;
  k: number;
  /** Whether this engine runs relaxed SIMD (after enableRelaxedSimd in Node). */
  relaxedAvailable: boolean;
  rows: LiveGemvRow[];
}

/** Caps of liveGemvBenchmark's shape (every format's W is resident at once). */
export const LIVE_MAX_SIDE = 16384;
export const LIVE_MAX_ELEMENTS = 2 ** 25;

const yieldToEventLoop = () => new Promise<void>((r) => setTimeout(r, 0));

/**
 * GEMV speed per weight format on this device, on the calling thread: single-thread kernels
 * (createKernelsSync), so it runs in a browser page or a Web Worker without SharedArrayBuffer or
 * cross-origin isolation, and in Node. For a multi-core figure, run it in one worker per core at
 * once and add the elements/s. Formats and builds are timed in interleaved rounds, so other load
 * falls on all of them alike; it yields to the event loop between measurements.
 */
export async function liveGemvBenchmark(opts: LiveGemvOptions = {}): Promise<LiveGemvResult> {
  const n = opts.n ?? 2048;
  const k = opts.k ?? 4096;
  for (const [v, what] of [
    [n, 'n'],
    [k, 'k'],
  ] as const)
    if (!Number.isInteger(v) || v < 1 || v > LIVE_MAX_SIDE)
      throw new RangeError(`${what} = ${v} is not an integer in 1..${LIVE_MAX_SIDE}`);
  if (n * k > LIVE_MAX_ELEMENTS) throw new RangeError(`${n} x ${k} is above ${LIVE_MAX_ELEMENTS} elements`);
  const ms = opts.ms ?? 300;
  if (!(ms > 0 && ms <= 60_000)) throw new RangeError(`ms = ${ms} is not in (0, 60000]`);
  const asked = opts.formats ?? (['fp32', 'bf16', 'deepseek-fp8', 'mxfp4', 'int8'] as const);
  for (const f of asked) layoutOf(f); // throws on an unknown name (own properties only)
  const formats: WeightFormat[] = ['fp32', ...asked.filter((f) => f !== 'fp32')];
  const relaxedAvailable = await enableRelaxedSimd();
  const variants =
    opts.variants ?? (relaxedAvailable ? (['simd128', 'relaxed'] as const) : (['simd128'] as const));
  for (const v of variants)
    if (v === 'relaxed' && !relaxedSimdAvailable())
      throw new Error('relaxed SIMD is not available in this engine');
  const wf = randomNormal(n * k, 1, 0.02);
  const x = randomNormal(k, 2);
  const y = new Float32Array(n);
  const packed = formats.map((f) => packFloat(wf, n, k, f));
  const runs = variants.map((variant) => {
    const kern = createKernelsSync({ variant });
    return { variant, kern, loaded: packed.map((w) => kern.upload(w)) };
  });
  const samples = runs.map(() => formats.map((): number[] => []));
  const calls = runs.map(() => formats.map(() => 0));
  // Browsers step performance.now by 0.1 ms (5 us with cross-origin isolation) and add jitter:
  // each sample is a batch of calls run until BATCH_MS have passed, over the batch's call count
  // (a timer step is then at most 1% of a sample).
  const BATCH_MS = Math.min(10, ms / 10);
  const ROUNDS = 5;
  for (let r = 0; r < ROUNDS; r++) {
    for (let v = 0; v < runs.length; v++) {
      const { kern, loaded } = runs[v]!;
      for (let f = 0; f < formats.length; f++) {
        const d = loaded[f]!;
        kern.gemv(d, x, y); // warm
        const t0 = performance.now();
        do {
          const a = performance.now();
          let c = 0;
          let t = 0;
          do {
            kern.gemv(d, x, y);
            c++;
            t = performance.now() - a;
          } while (t < BATCH_MS);
          samples[v]![f]!.push(t / c);
          calls[v]![f]! += c;
        } while (performance.now() - t0 < ms / ROUNDS);
        opts.onProgress?.(
          (r * runs.length + v) * formats.length + f + 1,
          ROUNDS * runs.length * formats.length,
        );
        await yieldToEventLoop();
      }
    }
  }
  const rows: LiveGemvRow[] = [];
  runs.forEach(({ variant }, v) => {
    const base = median(samples[v]![0]!);
    const fp32Bytes = weightBytes(packed[0]!);
    formats.forEach((format, f) => {
      if (f === 0 && !asked.includes('fp32')) return;
      const t = median(samples[v]![f]!);
      const bytes = weightBytes(packed[f]!);
      const row: LiveGemvRow = {
        format,
        variant,
        activations: layoutOf(format).act,
        bytesPerElement: bytes / (n * k),
        ms: t,
        calls: calls[v]![f]!,
        elementsPerSec: (n * k) / (t / 1000),
        GBps: bytes / (t / 1000) / 1e9,
        speedup: base / t,
        bytesRatio: fp32Bytes / bytes,
      };
      rows.push(row);
    });
  });
  return { n, k, relaxedAvailable, rows };
}
