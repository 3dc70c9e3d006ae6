/**
 * HiFloat4's block scheme against an independent float64 port of its public golden model,
 * global-computing-consortium/HiFloat4 `hif4_gpu/HiF4_NVFP4_v14f16.py` `To_HiFX` (N = 4, M = 2,
 * G = 64), written here line by line from the Python (numpy's round is half-to-even; log2 floors
 * as there). Nothing below imports the implementation's arithmetic.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dequantize, getScheme, quantize, schemeStorage } from './index.js';
import { bf16Round, e6m2Code, e6m2Value } from './scheme-hif4.js';

/** numpy.round: half to even. */
function npRound(q: number): number {
  const r = Math.round(q); // half up
  return r - q === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function toBF16(x: number): number {
  const tmp = Math.abs(x);
  const E = Math.max(Math.floor(Math.log2(tmp + 2 ** -1000)), -126); // E[E < -126] = -126
  return npRound(x * 2 ** (-E + 7)) * 2 ** (E - 7);
}

function bf16ToE6MX(x0: number, M = 2): number {
  // overflow handling to 2^15 * 1.5, underflow handling to 2^-48
  const x = Math.max(Math.min(x0, 2 ** 15 * 1.5), 2 ** -48);
  const E = Math.floor(Math.log2(x));
  return npRound(x * 2 ** (-E + M)) * 2 ** (-M + E);
}

/** To_HiFX on one 64-element group (one column of the Python's loop). */
function toHiFX(ori: readonly number[], N = 4, M = 2): number[] {
  const G = 64;
  const Ng = N - 2;
  const S = ori.map((v) => (v < 0 ? -1 : 1));
  const tmpG = ori.map(Math.abs);
  const V16 = Array.from({ length: 16 }, (_, k) => Math.max(...tmpG.slice(k * 4, k * 4 + 4)));
  const V8 = Array.from({ length: 8 }, (_, k) => Math.max(...V16.slice(k * 2, k * 2 + 2)));
  const Vmax = Math.max(...V8);
  const constRec = toBF16(1 / 7.0);
  const SF = toBF16(Vmax * constRec);
  const e6m2 = bf16ToE6MX(SF, M);
  const rec = toBF16(1 / e6m2);
  const E1_8 = V8.map((v) => (v * rec >= 4 ? 1 : 0));
  const E1_8x2 = Array.from({ length: 16 }, (_, k) => E1_8[k >> 1]!);
  const E1_16 = V16.map((v, k) => (v * rec * 2 ** -E1_8x2[k]! >= 2 ? 1 : 0));
  const DE64 = Array.from({ length: G }, (_, j) => E1_16[j >> 2]! + E1_8x2[j >> 2]!);
  return tmpG.map((t, j) => {
    let inGrp = t * rec * 2 ** (-DE64[j]! + Ng);
    inGrp = Math.floor(inGrp + 0.5);
    inGrp *= 2.0 ** -Ng;
    if (inGrp >= 2) inGrp = 2 - 2 ** -Ng;
    return S[j]! * e6m2 * 2.0 ** DE64[j]! * inGrp;
  });
}

const scheme = getScheme('hif4');

/** Rows of 64 float32 values: quantize/dequantize them and compare with the golden model, bit for bit. */
function checkRows(data: Float32Array, label: string): void {
  const rows = data.length / 64;
  const q = quantize(data, [rows, 64], scheme);
  const got = dequantize(q);
  for (let r = 0; r < rows; r++) {
    const want = toHiFX(Array.from(data.subarray(r * 64, r * 64 + 64)));
    for (let j = 0; j < 64; j++) {
      const w = Math.fround(want[j]!);
      const g = got[r * 64 + j]!;
      if (!Object.is(g, w)) {
        assert.fail(`${label}: row ${r} element ${j} x=${data[r * 64 + j]} want ${w} got ${g}`);
      }
    }
  }
}

/** A seeded generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('HiFloat4 block scheme (hifloat4-g64) against the golden model To_HiFX', () => {
  test('the registry record: 64 elements, 32 bits of metadata, 4.5 bits per element', () => {
    const st = schemeStorage(scheme);
    assert.equal(scheme.name, 'hifloat4-g64');
    assert.deepEqual(
      [st.elementBits, st.blockElements, st.scaleBits, st.bitsPerElement, st.packing],
      [4, 64, 32, 4.5, 'nibbles'],
    );
  });

  test('every bf16 value as a unit maximum (65,280 finite patterns, each with a fixed profile of 63 others)', () => {
    const r = rng(7);
    const profile = Array.from({ length: 64 }, (_, j) =>
      j === 0 ? 1 : (r() * 2 - 1) * (r() < 0.2 ? 1 : r()),
    );
    const rowsPerCall = 4096;
    const data = new Float32Array(rowsPerCall * 64);
    let rows = 0;
    const flush = (label: string) => {
      checkRows(data.subarray(0, rows * 64), label);
      rows = 0;
    };
    for (let b = 0; b < 0x10000; b++) {
      const v = new Float32Array(new Uint32Array([b << 16]).buffer)[0]!;
      if (!Number.isFinite(v)) continue;
      for (let j = 0; j < 64; j++) data[rows * 64 + j] = Math.fround(v * profile[j]!);
      rows++;
      if (rows === rowsPerCall) flush(`bf16 patterns up to 0x${b.toString(16)}`);
    }
    if (rows > 0) flush('last bf16 patterns');
  });

  test('every bf16 value in [0, 8) as an element under every micro-exponent choice (unit max 7, scale 1)', () => {
    // unit maximum 7 gives E6M2 = 1 and REC = 1; groups are arranged so that both level-2 and level-3 bits take both values
    const values: number[] = [];
    for (let b = 0; b < 0x4100; b++) {
      const v = new Float32Array(new Uint32Array([b << 16]).buffer)[0]!;
      if (v < 8) values.push(v, -v);
    }
    const rows = Math.ceil(values.length / 16);
    const data = new Float32Array(rows * 64);
    for (let r = 0; r < rows; r++) {
      const o = r * 64;
      data[o] = 7; // level-2 bit 1, level-3 bit 1 in group 0
      data[o + 8] = 1.5; // group 2: level-2 0, level-3 0
      data[o + 16] = 2.5; // group 4: level-2 0, level-3 1
      data[o + 24] = 5; // group 6: level-2 1, level-3 1, group 7 level-3 0
      for (let k = 0; k < 16; k++) data[o + 4 * k + 1] = values[(r * 16 + k) % values.length]!;
    }
    checkRows(data, 'elements');
  });

  test('Gaussian units from 2^-60 to 2^20, zeros, subnormal float32 inputs and huge values', () => {
    const r = rng(11);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    const rows = 2000;
    const data = new Float32Array(rows * 64);
    for (let i = 0; i < rows; i++) {
      const sigma = 2 ** (-60 + (80 * i) / rows);
      for (let j = 0; j < 64; j++) data[i * 64 + j] = Math.fround(sigma * gauss());
    }
    data.fill(0, 0, 64);
    for (let j = 64; j < 128; j++) data[j] = 2 ** -149 * (j - 90); // float32 subnormals and zero
    for (let j = 128; j < 192; j++) data[j] = Math.fround(3.4e38 * Math.sin(j)); // clipped at 49152 x 7
    checkRows(data, 'gaussian');
  });

  test('NaN or ±Inf makes the whole unit NaN (the golden model gives NaN), other units untouched', () => {
    const data = new Float32Array(3 * 64).map((_, j) => Math.sin(j));
    data[5] = Number.NaN;
    data[64 + 9] = Number.NEGATIVE_INFINITY;
    const q = quantize(data, [3, 64], scheme);
    const d = dequantize(q);
    assert.equal(q.scaleCodes![0], 0xff);
    assert.equal(q.scaleCodes![1], 0xff);
    assert.ok(d.subarray(0, 128).every(Number.isNaN));
    assert.ok(toHiFX(Array.from(data.subarray(0, 64))).every(Number.isNaN));
    assert.ok(toHiFX(Array.from(data.subarray(64, 128))).every(Number.isNaN));
    checkRows(data.subarray(128), 'finite unit beside NaN units');
  });

  test('a ragged last unit is quantized as if padded with zeros; rank 3 with an axis; stored fields', () => {
    const cols = 100;
    const data = new Float32Array(2 * cols).map((_, j) => Math.cos(j * 0.37) * (j % 7));
    const q = quantize(data, [2, cols], scheme);
    const d = dequantize(q);
    assert.deepEqual(q.scaleShape, [2, 2]);
    assert.equal(q.microExponents!.length, 2 * 2 * 16);
    for (let r = 0; r < 2; r++) {
      const padded = new Array(128).fill(0);
      for (let j = 0; j < cols; j++) padded[j] = data[r * cols + j]!;
      const want = [...toHiFX(padded.slice(0, 64)), ...toHiFX(padded.slice(64))];
      for (let j = 0; j < cols; j++)
        assert.ok(Object.is(d[r * cols + j], Math.fround(want[j]!)), `r${r} j${j}`);
    }
    // codes: sign in bit 3, magnitude in quarters; micro-exponents and E6M2 reproduce the values
    for (let j = 0; j < cols; j++) {
      const code = q.codes[j]!;
      const mu = q.microExponents![j >> 2]!;
      const v = (code & 8 ? -1 : 1) * ((code & 7) / 4) * 2 ** ((mu >> 1) + (mu & 1)) * q.scales[j >> 6]!;
      assert.ok(Object.is(v, d[j]), `code of element ${j}`);
    }
    // blocks along axis 1 of a rank-3 tensor: the same as moving that axis last
    const t = new Float32Array(2 * 64 * 3).map((_, j) => Math.sin(j * 1.3) * 10);
    const qa = quantize(t, [2, 64, 3], scheme, { axis: 1 });
    const moved = new Float32Array(t.length);
    for (let a = 0; a < 2; a++)
      for (let k = 0; k < 64; k++)
        for (let c = 0; c < 3; c++) moved[(a * 3 + c) * 64 + k] = t[(a * 64 + k) * 3 + c]!;
    const dm = dequantize(quantize(moved, [6, 64], scheme));
    const da = dequantize(qa);
    for (let a = 0; a < 2; a++)
      for (let k = 0; k < 64; k++)
        for (let c = 0; c < 3; c++) assert.equal(da[(a * 64 + k) * 3 + c], dm[(a * 3 + c) * 64 + k]);
  });

  test('a tensor without its micro-exponents is refused by dequantize', () => {
    const q = quantize(new Float32Array(64).fill(1), [1, 64], scheme);
    assert.throws(() => dequantize({ ...q, microExponents: undefined }), /micro-exponents/);
  });
});

describe('E6M2 scale and its reciprocal', () => {
  test('every E6M2 code: value 1.M2 x 2^(E - 48), the code of its value, BF16(1/value) as the golden model E6M2_REC table', () => {
    // E6M2_REC: mantissa 1.00, 1.25, 1.50, 1.75 -> BF16 mantissa 0, 77, 43, 18 (binary 000-0000, 100-1101, 010-1011, 001-0010)
    const table = [0, 77, 43, 18];
    for (let code = 0; code < 255; code++) {
      const e = (code >> 2) - 48;
      const m = code & 3;
      const x = (1 + m / 4) * 2 ** e;
      assert.equal(e6m2Value(code), x, `value of 0x${code.toString(16)}`);
      assert.equal(e6m2Code(x), code, `code of ${x}`);
      const want = 2 ** (m === 0 ? -e : -e - 1) * (1 + table[m]! * 2 ** -7);
      assert.equal(bf16Round(1 / x), want, `BF16(1/${x})`);
      assert.equal(toBF16(1 / x), want, `oracle BF16(1/${x})`);
    }
    assert.ok(Number.isNaN(e6m2Value(0xff)));
    assert.equal(e6m2Code(0), 0); // clipped up to 2^-48
    assert.equal(e6m2Code(1e9), 0xfe); // clipped down to 49152 = 1.5 x 2^15
  });
});
