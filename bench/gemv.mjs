// GEMV y = W x and GEMM C = A W^T (M = 64) on LLM layer shapes: each weight format beside our
// fp32 kernel and numpy's float32 matvec / matmul (bench/peers/gemv_numpy.py), with the machine's
// copy bandwidth, in one run. Formats are timed in interleaved rounds (kernels/bench.ts), so load
// from other processes falls on all of them alike. Env: BENCH_THREADS (default 2), BENCH_SHAPES
// (comma list NxK), BENCH_GEMM_SHAPE (default 14336x4096, "none" skips), BENCH_ONE_THREAD (shape
// for a one-thread pass, default 14336x4096), BENCH_SECONDS (per format, default 1).
// onnxruntime-node is not run: it is not installed here (see src/kernels/README.md).
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { benchGemv } from '../dist/kernels/bench.js';
import { createKernels } from '../dist/kernels/engine.js';
import { LAYOUTS, WEIGHT_FORMATS } from '../dist/kernels/weights.js';
import { printTable, timeBest, timeMedian } from './util.mjs';

const T = Number(process.env.BENCH_THREADS ?? 2);
const SHAPES = (process.env.BENCH_SHAPES ?? '4096x4096,14336x4096,4096x14336,7168x18432').split(',');
const GEMM_SHAPE = process.env.BENCH_GEMM_SHAPE ?? '14336x4096';
const ONE = process.env.BENCH_ONE_THREAD ?? '14336x4096';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const M = 64;
const parse = (s) => s.split('x').map(Number);
const load = () =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');

// Copy bandwidth: 256 MB TypedArray.set, read + write bytes counted; median and best of 9.
const N = 64 * 1024 * 1024;
const src = new Float32Array(N).fill(1.5);
const dst = new Float32Array(N);
const copyGBps = (2 * N * 4) / timeMedian(() => dst.set(src), 9) / 1e9;
const copyBest = (2 * N * 4) / timeBest(() => dst.set(src), 9) / 1e9;
console.log(`CPU: ${cpus()[0]?.model} x${cpus().length}; node ${process.version}; load ${load()}`);
console.log(
  `copy bandwidth (256 MB, read+write): median ${copyGBps.toFixed(1)} GB/s, best ${copyBest.toFixed(1)} GB/s`,
);

// numpy with its own BLAS settings (the harness's OpenBLAS hints unset for this call only)
const peerShapes = [...new Set([...SHAPES, ...(GEMM_SHAPE === 'none' ? [] : [GEMM_SHAPE])])];
const env = { ...process.env };
delete env.OPENBLAS_CORETYPE;
delete env.OPENBLAS_L2_SIZE;
const peer = JSON.parse(
  execFileSync('python3', ['bench/peers/gemv_numpy.py', String(M), ...peerShapes], { env, encoding: 'utf8' }),
);
console.log(`numpy ${peer.numpy}, BLAS ${JSON.stringify(peer.blas)}`);
const np = Object.fromEntries(peer.shapes.map((s) => [`${s.n}x${s.k}`, s]));

const kernels = await createKernels({ threads: T });
const all = {
  threads: kernels.threads,
  copyGBps,
  copyBest,
  numpy: peer,
  gemv: {},
  oneThread: null,
  gemm: null,
};
for (const shape of SHAPES) {
  const [n, k] = parse(shape);
  const rows = await benchGemv({ n, k, formats: WEIGHT_FORMATS, kernels, seconds: SECONDS });
  all.gemv[shape] = rows;
  const p = np[shape];
  console.log(
    `\nGEMV ${shape}, ${kernels.threads} threads (load ${load()}); numpy matvec ${(p.matvec_s * 1e3).toFixed(2)} ms = ${((n * k * 4) / p.matvec_s / 1e9).toFixed(1)} GB/s`,
  );
  printTable(
    [
      'format',
      'act',
      'ms',
      'best ms',
      'W MB',
      'GB/s',
      '% copy',
      'GFLOP/s',
      'elem/s/core',
      'vs fp32',
      'vs numpy',
    ],
    rows.map((r) => [
      r.format,
      LAYOUTS[r.format].act,
      r.ms.toFixed(2),
      r.msBest.toFixed(2),
      (r.weightBytes / 1e6).toFixed(1),
      r.GBps.toFixed(1),
      ((100 * r.GBps) / copyGBps).toFixed(0),
      r.GFLOPps.toFixed(1),
      `${(r.elementsPerSecPerThread / 1e9).toFixed(2)}e9`,
      `${r.speedup.toFixed(2)}x`,
      `${(p.matvec_s / (r.ms / 1e3)).toFixed(2)}x`,
    ]),
  );
}

// One thread: elements/s of one core, without the other core's share of memory bandwidth.
if (ONE !== 'none') {
  const k1 = await createKernels({ threads: 1 });
  const [n, k] = parse(ONE);
  const rows = await benchGemv({ n, k, formats: WEIGHT_FORMATS, kernels: k1, seconds: SECONDS });
  all.oneThread = rows;
  console.log(`\nGEMV ${ONE}, 1 thread (load ${load()})`);
  printTable(
    ['format', 'ms', 'best ms', 'GB/s', 'elem/s/core', 'vs fp32'],
    rows.map((r) => [
      r.format,
      r.ms.toFixed(2),
      r.msBest.toFixed(2),
      r.GBps.toFixed(1),
      `${(r.elementsPerSecPerThread / 1e9).toFixed(2)}e9`,
      `${r.speedup.toFixed(2)}x`,
    ]),
  );
  await k1.close();
}

if (GEMM_SHAPE !== 'none') {
  const [n, k] = parse(GEMM_SHAPE);
  const rows = await benchGemv({ n, k, m: M, formats: WEIGHT_FORMATS, kernels, reps: 3, seconds: SECONDS });
  all.gemm = rows;
  const p = np[GEMM_SHAPE];
  const npG = (2 * M * n * k) / p.matmul_s / 1e9;
  console.log(
    `\nGEMM M=${M} ${GEMM_SHAPE}, ${kernels.threads} threads, fp32 activations (load ${load()}); numpy sgemm ${(p.matmul_s * 1e3).toFixed(1)} ms = ${npG.toFixed(1)} GFLOP/s`,
  );
  printTable(
    ['format', 'ms', 'best ms', 'GFLOP/s', 'fp32 time / time', '% numpy'],
    rows.map((r) => [
      r.format,
      r.ms.toFixed(1),
      r.msBest.toFixed(1),
      r.GFLOPps.toFixed(1),
      r.speedup.toFixed(2),
      ((100 * r.GFLOPps) / npG).toFixed(0),
    ]),
  );
}
await kernels.close();
console.log(`\nload at end ${load()}`);
console.log(`JSON: ${JSON.stringify(all)}`);
