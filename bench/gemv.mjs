// GEMV y = W x and GEMM C = A W^T (M = 64) on LLM layer shapes: each weight format beside our
// fp32 kernel and numpy's float32 matvec / matmul (bench/peers/gemv_numpy.py), with the machine's
// copy bandwidth, in one run. Formats are timed in interleaved rounds (kernels/bench.ts), so load
// from other processes falls on all of them alike. Env: BENCH_THREADS (default 2), BENCH_SHAPES
// (comma list NxK), BENCH_GEMM_SHAPE (default 14336x4096, "none" skips), BENCH_ONE_THREAD (shape
// for a one-thread pass, default 14336x4096), BENCH_SECONDS (per format, default 1), BENCH_VARIANTS
// (kernel builds, default simd128,relaxed: relaxed SIMD is turned on for this process).
// onnxruntime-node (fp32 MatMul and 4-bit MatMulNBits) runs when ORT_NODE names an installed copy.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
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
const VARIANTS = (process.env.BENCH_VARIANTS ?? 'simd128,relaxed').split(',');
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

// ---------------------------------------------------------------- onnxruntime-node peer
// Only when ORT_NODE names an installed onnxruntime-node (e.g. `npm install --no-save
// --ignore-scripts onnxruntime-node` in a scratch folder: the CPU binaries ship in the package,
// the install script only fetches GPU extras). The models are written as raw ONNX protobuf here.
function pb() {
  const parts = [];
  const varint = (v) => {
    let n = BigInt(v);
    const out = [];
    do {
      let b = Number(n & 0x7fn);
      n >>= 7n;
      if (n > 0n) b |= 0x80;
      out.push(b);
    } while (n > 0n);
    return Uint8Array.from(out);
  };
  const api = {
    int(field, v) {
      parts.push(varint(field << 3), varint(v));
      return api;
    },
    bytes(field, data) {
      const b = typeof data === 'string' ? new TextEncoder().encode(data) : data;
      parts.push(varint((field << 3) | 2), varint(b.length), b);
      return api;
    },
    msg(field, m) {
      return api.bytes(field, m.done());
    },
    done() {
      const len = parts.reduce((a, p) => a + p.length, 0);
      const out = new Uint8Array(len);
      let o = 0;
      for (const p of parts) {
        out.set(p, o);
        o += p.length;
      }
      return out;
    },
  };
  return api;
}
const valueInfo = (name, elem, dims) => {
  const shape = pb();
  for (const d of dims) shape.msg(1, pb().int(1, d));
  return pb()
    .bytes(1, name)
    .msg(2, pb().msg(1, pb().int(1, elem).msg(2, shape)));
};
const tensor = (name, elem, dims, raw) => {
  const t = pb();
  for (const d of dims) t.int(1, d);
  return t.int(2, elem).bytes(8, name).bytes(9, raw);
};
/** y [m, n] = x [m, k] W: fp32 MatMul, or com.microsoft MatMulNBits (4-bit, block 32). */
function onnxModel(kind, m, n, k) {
  const FLOAT = 1;
  const UINT8 = 2;
  const g = pb().bytes(2, 'g');
  if (kind === 'matmul') {
    g.msg(1, pb().bytes(1, 'x').bytes(1, 'w').bytes(2, 'y').bytes(4, 'MatMul'));
    const w = new Float32Array(k * n).map(() => Math.random() - 0.5);
    g.msg(5, tensor('w', FLOAT, [k, n], new Uint8Array(w.buffer)));
  } else {
    const attr = (name, v) => pb().bytes(1, name).int(3, v).int(20, 2);
    g.msg(
      1,
      pb()
        .bytes(1, 'x')
        .bytes(1, 'b')
        .bytes(1, 's')
        .bytes(2, 'y')
        .bytes(4, 'MatMulNBits')
        .bytes(7, 'com.microsoft')
        .msg(5, attr('K', k))
        .msg(5, attr('N', n))
        .msg(5, attr('bits', 4))
        .msg(5, attr('block_size', 32)),
    );
    const blocks = Math.ceil(k / 32);
    const b = new Uint8Array(n * blocks * 16).map(() => (Math.random() * 256) | 0);
    const s = new Float32Array(n * blocks).fill(0.01);
    g.msg(5, tensor('b', UINT8, [n, blocks, 16], b));
    g.msg(5, tensor('s', FLOAT, [n * blocks], new Uint8Array(s.buffer)));
  }
  g.msg(11, valueInfo('x', FLOAT, [m, k])).msg(12, valueInfo('y', FLOAT, [m, n]));
  return pb()
    .int(1, 8)
    .msg(7, g)
    .msg(8, pb().bytes(1, '').int(2, 17))
    .msg(8, pb().bytes(1, 'com.microsoft').int(2, 1))
    .done();
}
async function ortPeer(threads, shapes, gemmShape) {
  if (!process.env.ORT_NODE) return { note: 'not run: set ORT_NODE to an installed onnxruntime-node' };
  const ort = createRequire(import.meta.url)(resolve(process.env.ORT_NODE));
  const res = { threads, gemv: {}, gemm: null };
  const time = async (kind, m, n, k) => {
    try {
      const session = await ort.InferenceSession.create(onnxModel(kind, m, n, k), {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
      });
      const feeds = { x: new ort.Tensor('float32', new Float32Array(m * k).fill(0.5), [m, k]) };
      await session.run(feeds);
      const ts = [];
      const t0 = performance.now();
      while (ts.length < 9 || performance.now() - t0 < SECONDS * 1000) {
        const a = performance.now();
        await session.run(feeds);
        ts.push(performance.now() - a);
        if (ts.length >= 500) break;
      }
      await session.release();
      ts.sort((a, b) => a - b);
      return ts[ts.length >> 1];
    } catch (e) {
      return `failed: ${String(e.message ?? e).split('\n')[0]}`;
    }
  };
  for (const shape of shapes) {
    const [n, k] = parse(shape);
    res.gemv[shape] = { matmul_ms: await time('matmul', 1, n, k), nbits_ms: await time('nbits', 1, n, k) };
  }
  if (gemmShape !== 'none') {
    const [n, k] = parse(gemmShape);
    res.gemm = { matmul_ms: await time('matmul', M, n, k), nbits_ms: await time('nbits', M, n, k) };
  }
  return res;
}

const ortRes = await ortPeer(T, SHAPES, GEMM_SHAPE);
console.log(`onnxruntime-node: ${ortRes.note ?? `${T} intra-op threads`}`);
const ortMs = (v) => (typeof v === 'number' ? `${v.toFixed(2)} ms` : v);

const allByVariant = {};
for (const variant of VARIANTS) {
  allByVariant[variant] = { copyGBps, copyBest, numpy: peer, gemv: {}, oneThread: null, gemm: null };
  const kernels = await createKernels({ threads: T, variant });
  const all = allByVariant[variant];
  all.threads = kernels.threads;
  for (const shape of SHAPES) {
    const [n, k] = parse(shape);
    const rows = await benchGemv({ n, k, formats: WEIGHT_FORMATS, kernels, seconds: SECONDS });
    all.gemv[shape] = rows;
    const p = np[shape];
    console.log(
      `\nGEMV ${shape}, ${variant} kernels, ${kernels.threads} threads (load ${load()}); numpy matvec ${(p.matvec_s * 1e3).toFixed(2)} ms = ${((n * k * 4) / p.matvec_s / 1e9).toFixed(1)} GB/s`,
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
    const o = ortRes.gemv?.[shape];
    if (o) {
      const gb =
        typeof o.matmul_ms === 'number' ? ` = ${((n * k * 4) / o.matmul_ms / 1e6).toFixed(1)} GB/s` : '';
      console.log(
        `onnxruntime MatMul fp32: ${ortMs(o.matmul_ms)}${gb}; MatMulNBits 4-bit/32: ${ortMs(o.nbits_ms)}`,
      );
    }
  }

  // One thread: elements/s of one core, without the other core's share of memory bandwidth.
  if (ONE !== 'none') {
    const k1 = await createKernels({ threads: 1, variant });
    const [n, k] = parse(ONE);
    const rows = await benchGemv({ n, k, formats: WEIGHT_FORMATS, kernels: k1, seconds: SECONDS });
    all.oneThread = rows;
    console.log(`\nGEMV ${ONE}, ${variant} kernels, 1 thread (load ${load()})`);
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
      `\nGEMM M=${M} ${GEMM_SHAPE}, ${variant} kernels, ${kernels.threads} threads, fp32 activations (load ${load()}); numpy sgemm ${(p.matmul_s * 1e3).toFixed(1)} ms = ${npG.toFixed(1)} GFLOP/s`,
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
    const o = ortRes.gemm;
    if (o) {
      const gf = (v) => (typeof v === 'number' ? ` = ${((2 * M * n * k) / v / 1e6).toFixed(1)} GFLOP/s` : '');
      console.log(
        `onnxruntime MatMul fp32: ${ortMs(o.matmul_ms)}${gf(o.matmul_ms)}; MatMulNBits: ${ortMs(o.nbits_ms)}${gf(o.nbits_ms)}`,
      );
    }
  }
  await kernels.close();
}
console.log(`\nload at end ${load()}`);
console.log(`JSON: ${JSON.stringify(allByVariant)}`);
