// Bulk encode/decode of 16M float32 values for e4m3fn, e2m1, e8m0, bf16 and hif8: chipstack
// beside a vectorized numpy peer (bench/peers/formats_numpy.py) and the machine's copy bandwidth,
// in one run, on the same data. Checks that both sides produce the same codes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { codec, formatInfo } from '../dist/formats/index.js';
import { fmtRate, gaussian, printTable, timeBest } from './util.mjs';

const N = Number(process.env.BENCH_N ?? 16 * 1024 * 1024);
const FORMATS = ['e4m3fn', 'e2m1', 'e8m0', 'bf16', 'hif8'];
// The presets whose semantics the numpy peer implements.
const PRESET = {
  e4m3fn: 'ml_dtypes',
  e2m1: 'ml_dtypes',
  e8m0: 'ml_dtypes',
  bf16: 'ml_dtypes',
  hif8: 'huawei',
};

function dataFor(name) {
  const x = new Float32Array(N);
  const g = gaussian(42);
  if (name === 'e8m0') {
    for (let i = 0; i < N; i++) x[i] = 2 ** (g() * 10) * (1 + Math.abs(g()));
  } else {
    const scale = Math.min(formatInfo(name).maxFinite / 6, 1000);
    for (let i = 0; i < N; i++) x[i] = g() * scale;
  }
  return x;
}

const dir = mkdtempSync(join(tmpdir(), 'chipstack-bench-'));
try {
  const copySrc = new Float32Array(N).fill(1.5);
  const copyDst = new Float32Array(N);
  const tCopy = timeBest(() => copyDst.set(copySrc), 7);
  const copyGBps = (2 * N * 4) / tCopy / 1e9;

  const ours = {};
  for (const name of FORMATS) {
    const x = dataFor(name);
    writeFileSync(join(dir, `d.${name}.in`), new Uint8Array(x.buffer));
    const c = codec(name, { preset: PRESET[name] });
    const lut = new Float32Array(256);
    for (let i = 0; i < Math.min(256, c.info.codeCount); i++) lut[i] = c.decode(i);
    writeFileSync(join(dir, `d.${name}.lut`), new Uint8Array(lut.buffer));
    const codes = c.info.spec.bits > 8 ? new Uint16Array(N) : new Uint8Array(N);
    c.encodeArray(x.subarray(0, 1024), codes.subarray(0, 1024)); // build tables before timing
    const tEnc = timeBest(() => c.encodeArray(x, codes), 5);
    const out = new Float32Array(N);
    const tDec = timeBest(() => c.decodeArray(codes, out), 5);
    ours[name] = { tEnc, tDec, codes };
  }

  const peerOut = execFileSync(
    'python3',
    ['bench/peers/formats_numpy.py', join(dir, `d.e4m3fn.in`), join(dir, 'd')],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  const peer = JSON.parse(peerOut);

  const rows = [];
  const json = {
    n: N,
    cpu: cpus()[0]?.model,
    node: process.version,
    numpy: peer.numpy,
    copyGBps,
    numpyCopyGBps: peer.copy_gbps,
    formats: {},
  };
  for (const name of FORMATS) {
    const o = ours[name];
    const p = peer[name];
    const width = o.codes.BYTES_PER_ELEMENT;
    const peerCodes = new (width === 2 ? Uint16Array : Uint8Array)(
      readFileSync(join(dir, `d.${name}.codes`)).buffer.slice(0),
    );
    let mismatch = 0;
    for (let i = 0; i < N; i++) if (peerCodes[i] !== o.codes[i]) mismatch++;
    const r = {
      encodeEps: N / o.tEnc,
      decodeEps: N / o.tDec,
      numpyEncodeEps: N / p.encode_s,
      numpyDecodeEps: N / p.decode_s,
      mismatches: mismatch,
    };
    json.formats[name] = r;
    rows.push([
      name,
      fmtRate(r.encodeEps),
      fmtRate(r.numpyEncodeEps),
      (r.encodeEps / r.numpyEncodeEps).toFixed(1) + 'x',
      fmtRate(r.decodeEps),
      fmtRate(r.numpyDecodeEps),
      (r.decodeEps / r.numpyDecodeEps).toFixed(1) + 'x',
      String(mismatch),
    ]);
  }
  console.log(
    `formats: ${N} float32 values, one core; CPU ${json.cpu}; node ${process.version}, numpy ${peer.numpy}`,
  );
  console.log(
    `copy bandwidth (read+write): ours ${copyGBps.toFixed(1)} GB/s = ${fmtRate(N / tCopy)} float32/s; numpy ${peer.copy_gbps.toFixed(1)} GB/s`,
  );
  printTable(
    ['format', 'encode/s', 'numpy enc/s', 'ratio', 'decode/s', 'numpy dec/s', 'ratio', 'codes differing'],
    rows,
  );
  writeFileSync(join('bench', 'out', 'formats.json'), JSON.stringify(json, null, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
