// Block quantization of a 64M-element float32 tensor: chipstack's WebAssembly kernels (one thread,
// then a pool of two workers), its TypeScript fallback, and a vectorized numpy peer
// (bench/peers/quant_numpy.py), beside the machine's copy bandwidth, in one run on the same data.
// Checks that all paths produce the same codes and scales. "kernel only" times the WebAssembly
// kernel on input already in its memory (wasmInputArea / wasmQuantizeStaged), float32 and BF16
// (GB/s of BF16 input, 2 bytes per element), without the copies in and out.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { dequantize, getScheme, quantize, synthetic, wasmPlan } from '../dist/quant/index.js';
import { createQuantPool } from '../dist/quant/parallel.js';
import { wasmInputArea, wasmQuantizeStaged } from '../dist/quant/wasm.js';
import { printTable, timeBest } from './util.mjs';

const ROWS = Number(process.env.BENCH_ROWS ?? 8192);
const COLS = Number(process.env.BENCH_COLS ?? 8192);
const N = ROWS * COLS;
const SCHEMES = ['deepgemm-token-ue8m0', 'torchao-mxfp4-floor'];
const gb = (bytes, s) => (bytes / s / 1e9).toFixed(2);

const dir = mkdtempSync(join(tmpdir(), 'chipstack-quant-'));
const pool = createQuantPool(2);
try {
  const x = new Float32Array(new SharedArrayBuffer(N * 4));
  x.set(synthetic('outliers', ROWS, COLS, 7));
  writeFileSync(join(dir, 'x.f32'), new Uint8Array(x.buffer));
  const copy = new Float32Array(N);
  const tCopy = timeBest(() => copy.set(x), 5);

  const peer = JSON.parse(
    execFileSync(
      'python3',
      ['bench/peers/quant_numpy.py', join(dir, 'x.f32'), String(ROWS), String(COLS), join(dir, 'p')],
      {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      },
    ),
  );

  const rows = [];
  const json = {
    rows: ROWS,
    cols: COLS,
    cpu: cpus()[0]?.model,
    load: loadavg(),
    node: process.version,
    numpy: peer.numpy,
    copyGBps: (2 * N * 4) / tCopy / 1e9,
    schemes: {},
  };
  for (const name of SCHEMES) {
    const s = getScheme(name);
    const shape = [ROWS, COLS];
    let q;
    const tWasm = timeBest(() => (q = quantize(x, shape, s)), 3);
    const tTs = timeBest(() => quantize(x, shape, s, { backend: 'ts' }), 2);
    let tPool = Number.POSITIVE_INFINITY;
    for (let r = 0; r < 4; r++) {
      const t0 = process.hrtime.bigint();
      await pool.quantize(x, shape, s);
      tPool = Math.min(tPool, Number(process.hrtime.bigint() - t0) / 1e9);
    }
    // the kernel alone, on input already in kernel memory: float32, and BF16 widened inside it
    const plan = wasmPlan(s);
    const [br, bc] = s.block;
    wasmInputArea(ROWS, COLS, br, bc, false).set(x);
    const tKernel = timeBest(() => wasmQuantizeStaged(s, plan, ROWS, COLS, br, bc, false), 5);
    const kc = wasmQuantizeStaged(s, plan, ROWS, COLS, br, bc, false).codes;
    let kdiff = 0;
    for (let i = 0; i < N; i++) if (kc[i] !== q.codes[i]) kdiff++;
    const bits = new Uint16Array(N);
    const xb = new Uint32Array(x.buffer, x.byteOffset, N);
    for (let i = 0; i < N; i++) bits[i] = xb[i] >>> 16; // BF16 by truncation: any BF16 input will do
    wasmInputArea(ROWS, COLS, br, bc, true).set(bits);
    const tBf16 = timeBest(() => wasmQuantizeStaged(s, plan, ROWS, COLS, br, bc, true), 5);
    const out = new Float32Array(N);
    const tDq = timeBest(() => dequantize(q, out), 3);
    const tDqTs = timeBest(() => dequantize(q, out, { backend: 'ts' }), 2);
    const pc = new Uint8Array(readFileSync(join(dir, `p.${name}.codes`)));
    const ps = new Uint8Array(readFileSync(join(dir, `p.${name}.scales`)));
    let diff = 0;
    for (let i = 0; i < N; i++) if (pc[i] !== q.codes[i]) diff++;
    for (let i = 0; i < ps.length; i++) if (ps[i] !== q.scaleCodes[i]) diff++;
    const tNp = peer[name].quantize_s;
    json.schemes[name] = {
      wasmGBps: (N * 4) / tWasm / 1e9,
      kernelGBps: (N * 4) / tKernel / 1e9,
      kernelBf16Elements: N / tBf16,
      kernelBf16GBps: (N * 2) / tBf16 / 1e9,
      poolGBps: (N * 4) / tPool / 1e9,
      tsGBps: (N * 4) / tTs / 1e9,
      numpyGBps: (N * 4) / tNp / 1e9,
      dequantGBps: (N * 4) / tDq / 1e9,
      dequantTsGBps: (N * 4) / tDqTs / 1e9,
      differing: diff + kdiff,
    };
    rows.push([
      name,
      gb(N * 4, tWasm),
      gb(N * 4, tKernel),
      `${gb(N * 2, tBf16)} (${(N / tBf16 / 1e9).toFixed(2)}e9/s)`,
      gb(N * 4, tPool),
      (tWasm / tPool).toFixed(2) + 'x',
      gb(N * 4, tTs),
      gb(N * 4, tNp),
      (tNp / tWasm).toFixed(1) + 'x',
      (tNp / tKernel).toFixed(1) + 'x',
      gb(N * 4, tDq),
      gb(N * 4, tDqTs),
      String(diff + kdiff),
    ]);
  }
  console.log(
    `quantize ${ROWS}x${COLS} float32 (${((N * 4) / 2 ** 20).toFixed(0)} MiB); CPU ${json.cpu} x${cpus().length}; load ${loadavg()
      .map((v) => v.toFixed(1))
      .join(' ')}; node ${process.version}, numpy ${peer.numpy}`,
  );
  console.log(
    `copy bandwidth (read+write): ours ${json.copyGBps.toFixed(1)} GB/s, numpy ${peer.copy_gbps.toFixed(1)} GB/s`,
  );
  printTable(
    [
      'scheme',
      'wasm GB/s in',
      'kernel only',
      'kernel, BF16 in (elements/s)',
      '2 workers',
      'speed-up',
      'ts GB/s',
      'numpy GB/s',
      'vs numpy',
      'kernel vs numpy',
      'dequant GB/s out',
      'ts dequant',
      'codes differing',
    ],
    rows,
  );
  writeFileSync(join('bench', 'out', 'quant.json'), JSON.stringify(json, null, 2));
} finally {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
}
