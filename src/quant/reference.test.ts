/**
 * Every preset against a simple float64 re-statement of its source's algorithm, written here
 * from the source's description (loops, exact powers of two, brute-force element choice through
 * the formats oracle), on random tensors including shapes that are not multiples of the block.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ORACLE, oracleEncode } from '../formats/oracle.testutil.js';
import { type BlockScheme, dequantize, getScheme, mxScheme, quantize } from './index.js';

const fr = Math.fround;
/** Smallest power of two >= v (v > 0), exactly. */
function ceilPow2(v: number): number {
  let p = 2 ** -149;
  while (p < v) p *= 2;
  return p;
}
/** Largest power of two <= v (v > 0), exactly. */
function floorPow2(v: number): number {
  let p = 2 ** 127;
  while (p > v) p /= 2;
  return p;
}

/** null: the source's behaviour is undefined for this block (C conversions out of range). */
type Ref = (block: number[]) => { scale: number; codes: number[] } | null;

const e4m3 = (y: number) =>
  oracleEncode(ORACLE.e4m3fn!, y, { rounding: 'nearest-even', overflow: 'nonfinite' });

/** DeepGEMM per_token/per_block_cast_to_fp8: sf = amax.clamp(1e-4)/448 (ceil to 2^k), x * (1/sf). */
const deepgemm =
  (ue8m0: boolean): Ref =>
  (block) => {
    const amax = Math.max(fr(1e-4), ...block.map(Math.abs));
    let sf = fr(amax / 448);
    if (ue8m0) sf = Math.min(2 ** 127, Math.max(2 ** -126, ceilPow2(sf)));
    const inv = fr(1 / sf);
    return { scale: sf, codes: block.map((x) => e4m3(fr(x * inv))) };
  };

/** DeepSeek-V3 act_quant(scale_fmt="ue8m0"): s = 2^ceil(log2(amax/448)), x / s. */
const v3act: Ref = (block) => {
  const amax = Math.max(fr(1e-4), ...block.map(Math.abs));
  const s = ceilPow2(fr(amax / 448));
  return { scale: s, codes: block.map((x) => e4m3(fr(x / s))) };
};

/** microxcaling _quantize_mx: shared exp floor(log2 amax) - emax, clamped at -127; ties away, saturating. */
const microxcaling =
  (fmt: 'e4m3fn' | 'e2m1', emax: number): Ref =>
  (block) => {
    const amax = Math.max(...block.map(Math.abs));
    const e = Math.max(-127, Math.log2(floorPow2(amax === 0 ? 2 ** -126 : amax)) - emax);
    const s = 2 ** e;
    return {
      scale: s,
      codes: block.map((x) =>
        oracleEncode(ORACLE[fmt]!, fr(x / s), { rounding: 'nearest-away', overflow: 'saturate' }),
      ),
    };
  };

/** torchao RCEIL: descale = amax * (1/max), scale = its ceiling power of two (at least 2^-127). */
const torchaoRceil =
  (fmt: 'e4m3fn' | 'e2m1', max: number): Ref =>
  (block) => {
    const amax = Math.max(...block.map(Math.abs));
    const descale = fr(amax * fr(1 / max));
    const s = descale <= 2 ** -127 ? 2 ** -127 : ceilPow2(descale);
    return {
      scale: s,
      codes: block.map((x) =>
        oracleEncode(ORACLE[fmt]!, fr(x * fr(1 / s)), { rounding: 'nearest-even', overflow: 'saturate' }),
      ),
    };
  };

/** ggml quantize_row_mxfp4_ref: e = floor(log2f(amax)) - 2 + 127; element = argmin |x - kvalues[i] * d|, strict <. */
const KVALUES = [0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12];
const ggml: Ref = (block) => {
  const amax = Math.max(...block.map(Math.abs));
  // (uint8_t) of a negative float wraps on x86 (cvttss2si, then truncation): tiny amax wraps.
  const e = amax > 0 ? (Math.floor(fr(Math.log2(amax))) - 2 + 127) & 0xff : 0;
  const d = 2 ** (e - 127) / 2; // e8m0_to_fp32_half
  const codes = block.map((x) => {
    let best = 0;
    let bestErr = Math.abs(fr(x - fr(KVALUES[0]! * d)));
    for (let i = 1; i < 16; i++) {
      const err = Math.abs(fr(x - fr(KVALUES[i]! * d)));
      if (err < bestErr) {
        best = i;
        bestErr = err;
      }
    }
    return best;
  });
  // byte 255 is 2^128 in ggml (no NaN); float32 holds at most 2^127, and such a block is all zeros
  return { scale: e === 255 ? 2 ** 127 : 2 ** (e - 127), codes };
};

/** triton_kernels downcast_to_mxfp (ROUND_UP): scale = ceil_pow2(amax / 6); x * (1/scale); FP4 half-up on magnitude. */
const triton: Ref = (block) => {
  const amax = Math.max(...block.map(Math.abs));
  const r = fr(amax / 6); // may underflow to 0: then the scale byte is 0 and quant_scale 0
  const s = r === 0 ? 0 : r < 2 ** -126 ? 2 ** -126 : ceilPow2(r); // the bit trick lifts subnormals to 2^-126
  const inv = s === 0 ? 0 : fr(1 / s);
  return {
    scale: s === 0 ? 2 ** -127 : s,
    codes: block.map((x) =>
      oracleEncode(ORACLE.e2m1!, fr(x * inv), { rounding: 'nearest-away', overflow: 'saturate' }),
    ),
  };
};

/** ggml quantize_row_q8_0_ref: d = amax/127, q = roundf(x * (1/d)), d stored as fp16. */
const q8: Ref = (block) => {
  const amax = Math.max(...block.map(Math.abs));
  const d = fr(amax / 127);
  if (d !== 0 && !Number.isFinite(fr(1 / d))) return null; // 1/d overflows: roundf(inf) to int8 is undefined in C
  const id = d ? fr(1 / d) : 0;
  const stored = oracleDecodeFp16(
    oracleEncode(ORACLE.fp16!, d, { rounding: 'nearest-even', overflow: 'nonfinite' }),
  );
  return {
    scale: stored,
    codes: block.map((x) => {
      const v = fr(x * id);
      return (Math.sign(v) * Math.floor(Math.abs(v) + 0.5)) & 0xff;
    }),
  };
};
function oracleDecodeFp16(code: number): number {
  return ORACLE.fp16!.values.get(code)!;
}

/** DeepSeek-V3 act_quant (scale_fmt=None): s = max(amax, 1e-4)/448, x / s. */
const v3actFp32: Ref = (block) => {
  const amax = Math.max(fr(1e-4), ...block.map(Math.abs));
  const s = fr(amax / 448);
  return { scale: s, codes: block.map((x) => e4m3(fr(x / s))) };
};

type Elem = 'e4m3fn' | 'e5m2' | 'e2m3' | 'e3m2' | 'e2m1';
/** OCP floor scale: 2^(floor(log2 amax) - emax), at least 2^-127; elements by the given rounding, saturating. */
const floorMx =
  (fmt: Elem, emax: number, rounding: 'nearest-even' | 'nearest-away', ceil = false, even = 0): Ref =>
  (block) => {
    let amax = Math.max(...block.map(Math.abs));
    if (even > 0 && amax > 0) {
      // torchao EVEN: amax rounded half up to the element's mantissa width (`even` bits) before the floor
      const p = floorPow2(amax);
      const step = p / 2 ** even;
      amax = Math.floor(amax / step + 0.5) * step;
    }
    let e = amax === 0 ? -127 - emax : Math.log2(floorPow2(amax));
    if (ceil && amax > 0 && floorPow2(amax) !== amax) e += 1;
    const s = 2 ** Math.max(-127, e - (amax === 0 ? 0 : emax));
    return {
      scale: s,
      codes: block.map((x) => oracleEncode(ORACLE[fmt]!, fr(x / s), { rounding, overflow: 'saturate' })),
    };
  };

/** microxcaling INT8 element: implicit 2^-6, so round(x / s * 64) half away, clamped to +-127. */
const mxint8: Ref = (block) => {
  const amax = Math.max(...block.map(Math.abs));
  const s = 2 ** Math.max(-127, amax === 0 ? -127 : Math.log2(floorPow2(amax)));
  return {
    scale: s,
    codes: block.map((x) => {
      const v = fr(x / s) * 64;
      const q = Math.min(127, Math.max(-127, Math.sign(v) * Math.floor(Math.abs(v) + 0.5)));
      return q & 0xff;
    }),
  };
};

/** triton_kernels ROUND_UP for FP8: scale = ceil_pow2(amax / 448) (at least 2^-126), x * (1/scale), RNE, clamped. */
const tritonFp8: Ref = (block) => {
  const amax = Math.max(...block.map(Math.abs));
  const r = fr(amax / 448);
  const s = r === 0 ? 0 : r < 2 ** -126 ? 2 ** -126 : ceilPow2(r);
  const inv = s === 0 ? 0 : fr(1 / s);
  return {
    scale: s === 0 ? 2 ** -127 : s,
    codes: block.map((x) =>
      oracleEncode(ORACLE.e4m3fn!, fr(x * inv), { rounding: 'nearest-even', overflow: 'saturate' }),
    ),
  };
};

const CASES: [string | BlockScheme, Ref, number, number][] = [
  // scheme, reference, block rows, block cols
  ['deepgemm-token-fp32', deepgemm(false), 1, 128],
  ['deepgemm-token-ue8m0', deepgemm(true), 1, 128],
  ['deepgemm-block-fp32', deepgemm(false), 128, 128],
  ['deepgemm-block-ue8m0', deepgemm(true), 128, 128],
  ['deepseek-v3-act-ue8m0', v3act, 1, 128],
  ['microxcaling-mxfp8-e4m3', microxcaling('e4m3fn', 8), 1, 32],
  ['microxcaling-mxfp4', microxcaling('e2m1', 2), 1, 32],
  ['torchao-mxfp8-rceil', torchaoRceil('e4m3fn', 448), 1, 32],
  ['torchao-mxfp4-rceil', torchaoRceil('e2m1', 6), 1, 32],
  ['ggml-mxfp4', ggml, 1, 32],
  ['triton-mxfp4', triton, 1, 32],
  ['int8-q8_0', q8, 1, 32],
  ['deepseek-v3-act', v3actFp32, 1, 128],
  ['microxcaling-mxfp8-e5m2', floorMx('e5m2', 15, 'nearest-away'), 1, 32],
  ['microxcaling-mxfp6-e2m3', floorMx('e2m3', 2, 'nearest-away'), 1, 32],
  ['microxcaling-mxfp6-e3m2', floorMx('e3m2', 4, 'nearest-away'), 1, 32],
  ['microxcaling-mxint8', mxint8, 1, 32],
  ['torchao-mxfp8-floor', floorMx('e4m3fn', 8, 'nearest-even'), 1, 32],
  ['torchao-mxfp4-floor', floorMx('e2m1', 2, 'nearest-even'), 1, 32],
  [
    mxScheme('e4m3fn', 'mx-ceil', { rounding: 'nearest-even', overflow: 'saturate' }),
    floorMx('e4m3fn', 8, 'nearest-even', true),
    1,
    32,
  ],
  [
    mxScheme('e2m1', 'mx-even', { rounding: 'nearest-even', overflow: 'saturate' }),
    floorMx('e2m1', 2, 'nearest-even', false, 1),
    1,
    32,
  ],
  ['triton-mxfp8', tritonFp8, 1, 32],
];

/** Values with a wide dynamic range, exact zeros and exact ties. */
const value = fc.oneof(
  fc.float({ min: -1000, max: 1000, noNaN: true }),
  fc.constantFrom(0, -0, 0.25, 1.25, 2.5, 448, -464, 5, 1e-6),
  fc.float({ min: fr(-1e-3), max: fr(1e-3), noNaN: true }),
);

describe('presets equal a float64 re-statement of their source', () => {
  for (const [which, ref, br, bc] of CASES) {
    const scheme = typeof which === 'string' ? getScheme(which) : which;
    const name = scheme.name;
    test(name, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: br === 1 ? 3 : 130 }),
          fc.integer({ min: 1, max: 2 * bc + 7 }),
          fc.integer(),
          fc.array(value, { minLength: 1, maxLength: 64 }),
          (rows, cols, seed, pool) => {
            const x = new Float32Array(rows * cols);
            for (let i = 0; i < x.length; i++)
              x[i] = pool[(((i * 7 + seed) % pool.length) + pool.length) % pool.length]! * (1 + (i % 5));
            const q = quantize(x, [rows, cols], scheme);
            const d = dequantize(q);
            let bi = 0;
            for (let tr = 0; tr < Math.ceil(rows / br); tr++) {
              for (let tc = 0; tc < Math.ceil(cols / bc); tc++, bi++) {
                const idx: number[] = [];
                for (let r = tr * br; r < Math.min(rows, tr * br + br); r++) {
                  for (let c = tc * bc; c < Math.min(cols, tc * bc + bc); c++) idx.push(r * cols + c);
                }
                const want = ref(idx.map((i) => x[i]!));
                if (want === null) continue;
                assert.equal(q.scales[bi], fr(want.scale), `${name} block ${bi} scale`);
                idx.forEach((i, k) => {
                  assert.equal(q.codes[i], want.codes[k], `${name} block ${bi} element ${k}: x=${x[i]}`);
                });
              }
            }
            for (let i = 0; i < d.length; i++) assert.ok(!Number.isNaN(d[i]!), `${name}: NaN at ${i}`);
          },
        ),
        { numRuns: br === 1 ? 60 : 8 },
      );
    });
  }
});

describe('NVFP4 equals a re-statement of TensorRT-LLM fp4Quantize', () => {
  test('global scale 448*6/amax, E4M3 block scale of amax/6 * global, elements x * (1 / (sf / global))', () => {
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 100 }),
        fc.integer({ min: 1, max: 70 }),
        (pool, cols) => {
          const x = Float32Array.from({ length: 2 * cols }, (_, i) => pool[i % pool.length]! * (1 + (i % 3)));
          const q = quantize(x, [2, cols], getScheme('nvfp4'));
          const amaxT = Math.max(...x.map(Math.abs));
          const g = amaxT > 0 ? fr((448 * 6) / amaxT) : 1;
          assert.equal(q.globalScale, g);
          let bi = 0;
          for (let r = 0; r < 2; r++) {
            for (let c0 = 0; c0 < cols; c0 += 16, bi++) {
              const idx = Array.from({ length: Math.min(16, cols - c0) }, (_, k) => r * cols + c0 + k);
              const amax = Math.max(...idx.map((i) => Math.abs(x[i]!)));
              const sfCode = oracleEncode(ORACLE.e4m3fn!, fr(fr(amax * fr(1 / 6)) * g), {
                rounding: 'nearest-even',
                overflow: 'saturate',
              });
              assert.equal(q.scaleCodes![bi], sfCode, `block ${bi} scale`);
              const sf = ORACLE.e4m3fn!.values.get(sfCode)!;
              const mul = sf === 0 ? 0 : fr(1 / fr(sf * fr(1 / g)));
              for (const i of idx) {
                assert.equal(
                  q.codes[i],
                  oracleEncode(ORACLE.e2m1!, fr(x[i]! * mul), {
                    rounding: 'nearest-even',
                    overflow: 'saturate',
                  }),
                  `x=${x[i]}`,
                );
              }
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
