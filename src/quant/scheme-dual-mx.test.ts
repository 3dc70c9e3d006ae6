/**
 * Ascend's dual-level MXFP4 against an independent exact reference written from CANN's
 * aclnnDynamicDualLevelMxQuant formula (hicann/ops-nn quant/dynamic_dual_level_mx_quant/docs) with
 * the arithmetic its kernel fixes (level-0 scale = f32(amax · f32(1/6)), subnormal level-0 → 0,
 * temp = BF16(f32(x / level0)) with ±0 kept, level-1 = floor(log2 max|temp|) − 2 clamped at E8M0 0,
 * E2M1 rint saturating). Rounding here is exact rational arithmetic on BigInt (no Math.fround, no
 * code from the implementation); E2M1 is chosen by brute force over its eight magnitudes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { type BlockScheme, bitsPerElement, dequantize, getScheme, quantize, schemeStorage } from './index.js';
import { DUAL_MX_ONE_SIXTH } from './scheme-dual-mx.js';

// ---- exact binary rounding -------------------------------------------------------------------

const dv = new DataView(new ArrayBuffer(8));

/** A finite positive float64 as num / 2^k (num odd or zero). */
function rational(x: number): { num: bigint; shift: number } {
  dv.setFloat64(0, x);
  const hi = dv.getUint32(0);
  const lo = dv.getUint32(4);
  const e = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (e !== 0) m |= 1n << 52n;
  // value = m * 2^(max(e,1) - 1075)
  return { num: m, shift: 1075 - Math.max(e, 1) };
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * Round the positive rational n / d to p significant bits, exponent at least emin (subnormals
 * below), ties to even; Infinity at or above 2^(emax+1). Returns an exact float64.
 */
function roundRational(n: bigint, d: bigint, p: number, emin: number, emax: number): number {
  if (n === 0n) return 0;
  // e = floor(log2(n/d))
  let e = bitLength(n) - bitLength(d);
  const ge = (a: bigint, b: bigint, k: number) => (k >= 0 ? a >= b << BigInt(k) : a << BigInt(-k) >= b);
  if (!ge(n, d, e)) e--;
  const q = Math.max(e, emin) - p + 1; // value of one unit in the last place: 2^q
  // m = n / (d · 2^q)
  const num = q >= 0 ? n : n << BigInt(-q);
  const den = q >= 0 ? d << BigInt(q) : d;
  let m = num / den;
  const r2 = 2n * (num - m * den);
  if (r2 > den || (r2 === den && (m & 1n) === 1n)) m++;
  const v = Number(m) * 2 ** q;
  return v >= 2 ** (emax + 1) ? Number.POSITIVE_INFINITY : v;
}

/**
 * Round a float64 to p significant bits (float32's exponent range: subnormals below 2^-126,
 * Infinity from 2^128), ties to even. Scaling by powers of two is exact in float64, so the
 * quotient's fraction is compared exactly.
 */
function roundTo(x: number, p: number): number {
  if (Number.isNaN(x) || x === 0 || !Number.isFinite(x)) return x;
  const a = Math.abs(x);
  let e = Math.floor(Math.log2(a)); // then made exact
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  const q = Math.max(e, -126) - p + 1;
  const m = a * 2 ** -q;
  const f = Math.floor(m);
  const frac = m - f;
  const r = (frac > 0.5 || (frac === 0.5 && f % 2 === 1) ? f + 1 : f) * 2 ** q;
  const v = r >= 2 ** 128 ? Number.POSITIVE_INFINITY : r;
  return x < 0 ? -v : v;
}
const bf16 = (x: number) => roundTo(x, 8);
const f32 = (x: number) => roundTo(x, 24);

/** f32(a / b) for finite non-zero float64 a, b, exactly. */
function f32Div(a: number, b: number): number {
  const ra = rational(Math.abs(a));
  const rb = rational(Math.abs(b));
  // a/b = (na / 2^sa) / (nb / 2^sb) = na · 2^sb / (nb · 2^sa)
  let n = ra.num;
  let d = rb.num;
  const k = rb.shift - ra.shift;
  if (k >= 0) n <<= BigInt(k);
  else d <<= BigInt(-k);
  const r = roundRational(n, d, 24, -126, 127);
  return a < 0 !== b < 0 ? -r : r;
}

// ---- the reference -----------------------------------------------------------------------------

const E2M1 = [0, 0.5, 1, 1.5, 2, 3, 4, 6];
type Mode = 'rint' | 'round' | 'floor';

/** E2M1 code of an exact value, by brute force; saturating at ±6; the sign of zero kept. */
function e2m1Code(y: number, mode: Mode): number {
  const neg = y < 0 || Object.is(y, -0);
  const a = Math.abs(y);
  let best = 0;
  if (mode === 'floor') {
    // toward -inf: largest magnitude <= a for positives, smallest magnitude >= a for negatives
    if (!neg) {
      for (let c = 0; c < 8; c++) if (E2M1[c]! <= a) best = c;
    } else {
      best = 7;
      for (let c = 7; c >= 0; c--) if (E2M1[c]! >= a) best = c;
    }
  } else {
    let bestD = Number.POSITIVE_INFINITY;
    for (let c = 0; c < 8; c++) {
      const dd = Math.abs(E2M1[c]! - a);
      const tie = dd === bestD;
      if (dd < bestD || (tie && (mode === 'rint' ? c % 2 === 0 : true))) {
        bestD = dd;
        best = c;
      }
    }
    // above 6 the unbounded grid's next point is 8: rint/round saturate to 6 either way
  }
  return (neg ? 8 : 0) | best;
}

interface RefOut {
  codes: number[];
  level1: number[];
  level0: number[];
  values: number[];
}

/** One row, from the doc's formula with the kernel's arithmetic (see the header). */
function referenceRow(row: readonly number[], mode: Mode): RefOut {
  const oneSixth = roundRational(1n, 6n, 24, -126, 127);
  const out: RefOut = { codes: [], level1: [], level0: [], values: [] };
  for (let g0 = 0; g0 < row.length; g0 += 512) {
    const xs = row.slice(g0, g0 + 512).map(bf16);
    let amax = 0;
    for (const x of xs) if (Number.isFinite(x)) amax = Math.max(amax, Math.abs(x));
    // amax (8 bits) times 1/6 (24 bits) is exact in float64
    let s0 = f32(amax * oneSixth);
    if (s0 < 2 ** -126) s0 = 0;
    out.level0.push(s0);
    const temp = xs.map((x) => {
      if (x === 0 || Number.isNaN(x)) return x;
      if (s0 === 0 || !Number.isFinite(x)) return x < 0 ? -Infinity : Infinity; // IEEE x / 0, Inf / s0
      return bf16(f32Div(x, s0));
    });
    for (let b0 = 0; b0 < temp.length; b0 += 32) {
      const t = temp.slice(b0, b0 + 32);
      if (t.some((v) => !Number.isFinite(v))) {
        out.level1.push(0xff);
        for (const _ of t) {
          out.codes.push(0x7); // Ascend's FP4 cast of NaN (t x NaN): the PTO-ISA device test's encode_e2m1
          out.values.push(Number.NaN);
        }
        continue;
      }
      let m = 0;
      for (const v of t) m = Math.max(m, Math.abs(v));
      let code: number;
      let scale: number; // level1Scale = 2^shared_exp
      if (m < 2 ** -126) {
        code = 0; // the kernel's zero (exponent field 0) case: scale byte 0, elements t · 0
        scale = Number.POSITIVE_INFINITY;
      } else {
        let e = Math.floor(Math.log2(m)); // then made exact
        if (2 ** e > m) e--;
        else if (2 ** (e + 1) <= m) e++;
        code = Math.max(e - 2 + 127, 0); // shared_exp = floor(log2(max|temp|)) - emax, emax(E2M1) = 2
        scale = 2 ** (code - 127);
      }
      out.level1.push(code);
      for (const v of t) {
        const c = e2m1Code(v / scale, mode); // exact: a power of two
        out.codes.push(c);
        out.values.push(f32((c & 8 ? -1 : 1) * E2M1[c & 7]! * 2 ** (code - 127) * s0));
      }
    }
  }
  return out;
}

// ---- comparison --------------------------------------------------------------------------------

const rint = getScheme('ascend-dual-mxfp4');
const withMode = (mode: Mode): BlockScheme =>
  mode === 'rint'
    ? rint
    : {
        ...rint,
        name: `ascend-dual-mxfp4-${mode}`,
        elementOptions: { rounding: mode === 'round' ? 'nearest-away' : 'down', overflow: 'saturate' },
      };

function check(data: Float32Array, rows: number, cols: number, mode: Mode, label: string): void {
  const q = quantize(data, [rows, cols], withMode(mode));
  const back = dequantize(q);
  const blocks = Math.ceil(cols / 32);
  const groups = Math.ceil(cols / 512);
  assert.equal(q.coarseScales?.length, rows * groups, `${label}: level-0 count`);
  assert.equal(q.scaleCodes?.length, rows * blocks, `${label}: level-1 count`);
  for (let r = 0; r < rows; r++) {
    const ref = referenceRow(Array.from(data.subarray(r * cols, (r + 1) * cols)), mode);
    for (let g = 0; g < groups; g++) {
      const got: number = q.coarseScales![r * groups + g]!;
      if (!Object.is(got, ref.level0[g]))
        assert.fail(`${label} row ${r} group ${g}: level-0 ${got} != ${ref.level0[g]}`);
    }
    for (let b = 0; b < blocks; b++) {
      const got: number = q.scaleCodes![r * blocks + b]!;
      if (got !== ref.level1[b])
        assert.fail(`${label} row ${r} block ${b}: level-1 ${got} != ${ref.level1[b]}`);
    }
    for (let j = 0; j < cols; j++) {
      const i = r * cols + j;
      if (q.codes[i] !== ref.codes[j] || !Object.is(back[i], ref.values[j])) {
        assert.fail(
          `${label} row ${r} col ${j} x=${data[i]}: code ${q.codes[i]} value ${back[i]} != ${ref.codes[j]} ${ref.values[j]}`,
        );
      }
    }
  }
}

/** Every bf16 bit pattern as a float32 value (NaN, ±Inf, subnormals, ±0 included). */
function everyBf16(): Float32Array {
  const u = new Uint32Array(65536);
  for (let i = 0; i < 65536; i++) u[i] = i << 16;
  return new Float32Array(u.buffer);
}

describe('ascend-dual-mxfp4 (aclnnDynamicDualLevelMxQuant)', () => {
  test('the record: 4 + 8/32 + 32/512 = 4.3125 bits, its constants', () => {
    const st = schemeStorage(rint);
    assert.equal(st.bitsPerElement, 4.3125);
    assert.deepEqual(st.coarseScale, { elements: 512, bits: 32, storage: 'f32' });
    assert.equal(st.blockShape, '1x32');
    assert.equal(bitsPerElement(rint, 4096, 4096), 4.3125);
    assert.equal(bitsPerElement(rint, 1, 64), 4 + 8 / 32 + 32 / 64); // one level-0 scale for a short row
    assert.equal(getScheme('dual-mxfp4'), rint);
    assert.match(rint.source, /gitcode\.com\/cann\/ops-nn/);
    // the kernel's FP4_E2M1_MAX constant is float32(1/6), exactly
    assert.equal(DUAL_MX_ONE_SIXTH, roundRational(1n, 6n, 24, -126, 127));
    const u = new Uint32Array(new Float32Array([DUAL_MX_ONE_SIXTH]).buffer)[0];
    assert.equal(u, 0x3e2aaaab);
  });

  test('the doc example: 512 values of 8.0 (BF16 0x4100)', () => {
    const q = quantize(new Float32Array(512).fill(8), [1, 512], rint);
    assert.equal(q.coarseScales![0], Math.fround(8 * DUAL_MX_ONE_SIXTH));
    assert.deepEqual([...q.scaleCodes!], new Array(16).fill(127)); // 8 / s0 = 5.99999… → BF16 6 → 2^(2-2)
    assert.ok(q.codes.every((c) => c === 7)); // E2M1 6.0
  });

  test('every bf16 value as an element, beside a group maximum A (exhaustive, rint)', () => {
    const xs = everyBf16();
    // A in the same 32-block as x (index 0) and x alone in the second block (index 32)
    // A = 1; a tiny A (level-0 scale 0 unless x is larger); A = 0 (x alone sets the group maximum)
    for (const A of [1, 3e-38, 0]) {
      const cols = 33;
      const data = new Float32Array(xs.length * cols);
      for (let i = 0; i < xs.length; i++) {
        data[i * cols] = A;
        data[i * cols + 1] = xs[i]!;
        data[i * cols + 32] = xs[i]!;
      }
      check(data, xs.length, cols, 'rint', `A=${A}`);
    }
  });

  test('every finite bf16 value as a 512-group maximum with a fixed profile (exhaustive, rint)', () => {
    const xs = everyBf16();
    const profile = [-0.75, 0.3, -0.049, 2 ** -10, -(2 ** -20), 0.51, 1 / 3];
    const cols = 40; // 7 values beside the maximum in block 0, 7 scaled ones alone in block 1
    const finite = [...xs].filter((x) => Number.isFinite(x) && x > 0);
    const data = new Float32Array(finite.length * cols);
    finite.forEach((x, i) => {
      profile.forEach((p, k) => {
        data[i * cols + k] = x * p;
        data[i * cols + 32 + k] = x * p * 2 ** -(k + 1);
      });
      data[i * cols + 39] = -x;
    });
    check(data, finite.length, cols, 'rint', 'profile');
  });

  for (const mode of ['round', 'floor'] as const) {
    test(`every bf16 value as an element, round_mode ${mode} (a record with its rounding)`, () => {
      const xs = everyBf16();
      const cols = 3;
      const data = new Float32Array(xs.length * cols);
      for (let i = 0; i < xs.length; i++) {
        data[i * cols] = 1.25;
        data[i * cols + 1] = xs[i]!;
        data[i * cols + 2] = -0.7;
      }
      check(data, xs.length, cols, mode, mode);
    });
  }

  test('random float32 tensors of awkward widths (property)', () => {
    const value = fc.oneof(
      { weight: 6, arbitrary: fc.float({ noNaN: true, min: -100, max: 100 }) },
      { weight: 2, arbitrary: fc.float() }, // any float32: NaN, ±Inf, subnormals, huge
      { weight: 1, arbitrary: fc.constantFrom(0, -0, 2 ** -130, -(2 ** -149), 1e-38) },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 1100 }),
        fc.integer({ min: -30, max: 30 }),
        fc.infiniteStream(value),
        (rows, cols, exp, stream) => {
          const it = stream[Symbol.iterator]();
          const data = new Float32Array(rows * cols);
          for (let i = 0; i < data.length; i++) data[i] = it.next().value! * 2 ** exp;
          check(data, rows, cols, 'rint', `random ${rows}x${cols}`);
        },
      ),
      { numRuns: 60 },
    );
  });

  test('rank 3 with an axis, and a tensor without its level-0 scales is refused', () => {
    const data = Float32Array.from({ length: 2 * 3 * 40 }, (_, i) => Math.sin(i) * (i % 7));
    const q = quantize(data, [2, 3, 40], rint, { axis: -1 });
    assert.deepEqual(q.scaleShape, [2, 3, 2]);
    assert.equal(q.coarseScales!.length, 6);
    const flat = quantize(data, [6, 40], rint);
    assert.deepEqual([...q.codes], [...flat.codes]);
    assert.deepEqual([...dequantize(q)], [...dequantize(flat)]);
    // along axis 1: the same as moving that axis last first
    const q1 = quantize(data, [2, 40, 3], rint, { axis: 1 });
    assert.equal(dequantize(q1).length, data.length);
    assert.throws(() => dequantize({ ...flat, coarseScales: undefined }), /level-0 scales/);
  });
});
