/**
 * @module kernels/bench
 * GEMV timing per weight format: median milliseconds per call, weight bytes read, GB/s,
 * GFLOP/s and speed-up over fp32. Used by `chipstack bench gemv` and bench/gemv.mjs.
 */
import { makeRng } from '../formats/index.js';
import { createKernels, type Kernels } from './engine.js';
import { packFloat, type WeightFormat, weightBytes } from './weights.js';

export interface GemvBenchRow {
  format: WeightFormat;
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
  const kernels = opts.kernels ?? (await createKernels({ threads: opts.threads ?? 1 }));
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
