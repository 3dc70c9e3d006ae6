/**
 * Property tests (fast-check) over random float32 inputs: rounding error bounds, monotonicity,
 * bulk = scalar on arbitrary bit patterns, and stochastic rounding's contract.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { codec, FORMAT_NAMES, type FormatName, f32FromBits, formatInfo, ROUNDING_MODES } from './index.js';
import { ORACLE, oracleEncode } from './oracle.testutil.js';

const NEAREST = ['nearest-even', 'nearest-away', 'nearest-zero'] as const;
/** Mantissa bits of the binade holding |x|, written from each format's description. */
function mantissaBitsAt(name: FormatName, x: number): number {
  const table: Record<string, number> = {
    e4m3fn: 3,
    e5m2: 2,
    e4m3fnuz: 3,
    e5m2fnuz: 2,
    e8m0: 0,
    e2m3: 3,
    e3m2: 2,
    e2m1: 1,
    bf16: 7,
    fp16: 10,
    hif4: 2,
    e6m2: 2,
  };
  if (name !== 'hif8') return table[name]!;
  const e = Math.floor(Math.log2(Math.abs(x)));
  return Math.abs(e) >= 8 ? 1 : Math.abs(e) >= 4 ? 2 : 3;
}

const f32 = fc.float({ noNaN: true, noDefaultInfinity: true });

describe('nearest rounding stays within half a step', () => {
  for (const name of FORMAT_NAMES) {
    test(name, () => {
      const info = formatInfo(name);
      for (const rounding of NEAREST) {
        const c = codec(name, { rounding, overflow: 'saturate', negative: 'magnitude' });
        fc.assert(
          fc.property(f32, (x) => {
            const a = Math.abs(x);
            if (a < info.minNormal || a > info.maxFinite) return;
            const q = c.decode(c.encode(x));
            const bound = 2 ** -(mantissaBitsAt(name, a) + 1);
            assert.ok(
              Math.abs(q - Math.abs(x)) / a <= bound + 1e-15 || Math.abs(q - x) / a <= bound + 1e-15,
              `${name} ${rounding} x=${x} q=${q}`,
            );
          }),
          { numRuns: 2000 },
        );
      }
    });
  }
});

describe('nearest rounding is monotone', () => {
  for (const name of FORMAT_NAMES) {
    test(name, () => {
      const c = codec(name, { overflow: 'saturate', negative: 'magnitude', zero: 'min' });
      const signed = formatInfo(name).spec.signed;
      fc.assert(
        fc.property(f32, f32, (x0, y0) => {
          let [x, y] = x0 <= y0 ? [x0, y0] : [y0, x0];
          if (!signed) [x, y] = [Math.abs(x), Math.abs(y)].sort((a, b) => a - b) as [number, number];
          assert.ok(c.decode(c.encode(x)) <= c.decode(c.encode(y)), `${name}: ${x} <= ${y}`);
        }),
        { numRuns: 3000 },
      );
    });
  }
});

describe('whole-array path equals the scalar path on arbitrary float32 bit patterns', () => {
  const optionSets = [
    { rounding: 'nearest-even' },
    { rounding: 'up', overflow: 'saturate' },
    { rounding: 'down' },
    { preset: 'ml_dtypes' },
  ] as const;
  for (const name of FORMAT_NAMES) {
    test(name, () => {
      for (const o of optionSets) {
        if ('preset' in o && (name === 'hif8' || name === 'hif4' || name === 'e6m2')) continue;
        const c = codec(name, o);
        fc.assert(
          fc.property(
            fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 64 }),
            (bits) => {
              const src = new Float32Array(Uint32Array.from(bits).buffer);
              const bulk = c.encodeArray(src);
              for (let i = 0; i < bits.length; i++) {
                const x = f32FromBits(bits[i]!);
                if (Number.isNaN(x)) continue; // NaN sign is only visible to the bulk path
                assert.equal(
                  bulk[i],
                  c.encode(x),
                  `${name} ${JSON.stringify(o)} bits=0x${bits[i]!.toString(16)}`,
                );
              }
            },
          ),
          { numRuns: 300 },
        );
      }
    });
  }
});

describe('stochastic rounding', () => {
  test('lands on one of the two neighbours, reproducibly for a seed', () => {
    for (const name of FORMAT_NAMES) {
      const fmt = ORACLE[name]!;
      fc.assert(
        fc.property(f32, fc.integer({ min: 0, max: 0xffffffff }), (x, seed) => {
          const a = codec(name, {
            rounding: 'stochastic',
            seed,
            overflow: 'saturate',
            negative: 'magnitude',
            zero: 'min',
          });
          const b = codec(name, {
            rounding: 'stochastic',
            seed,
            overflow: 'saturate',
            negative: 'magnitude',
            zero: 'min',
          });
          const src = Float32Array.of(x, x, x, x);
          assert.deepEqual([...a.encodeArray(src)], [...b.encodeArray(src)]);
          const base = { overflow: 'saturate', negative: 'magnitude', zero: 'min' } as const;
          const lo = oracleEncode(fmt, x, { ...base, rounding: 'toward-zero' });
          const hi = oracleEncode(fmt, x, { ...base, rounding: x < 0 && fmt.signed ? 'down' : 'up' });
          const got = a.encode(x);
          assert.ok(got === lo || got === hi, `${name} x=${x} got ${got}, neighbours ${lo} ${hi}`);
        }),
        { numRuns: 300 },
      );
    }
  });
  test('is unbiased: the mean of many roundings approaches the input', () => {
    for (const [name, x] of [
      ['e4m3fn', 1.3],
      ['e2m1', 2.2],
      ['bf16', 1.00390625 + 2 ** -10],
      ['hif8', 300],
    ] as const) {
      const n = 20000;
      const c = codec(name, { rounding: 'stochastic', seed: 7 });
      const out = c.decodeArray(c.encodeArray(new Float32Array(n).fill(x)));
      const mean = out.reduce((s, v) => s + v, 0) / n;
      const step = Math.abs(
        c.decode(codec(name, { rounding: 'up' }).encode(x)) -
          c.decode(codec(name, { rounding: 'down' }).encode(x)),
      );
      // standard error of a two-point distribution is at most step/(2 sqrt(n)); allow 5 of them
      assert.ok(
        Math.abs(mean - Math.fround(x)) < (5 * step) / (2 * Math.sqrt(n)),
        `${name}: mean ${mean} vs ${x}`,
      );
    }
  });
  test('every rounding mode name is accepted', () => {
    for (const r of ROUNDING_MODES)
      assert.equal(typeof codec('e4m3fn', { rounding: r }).encode(1.1), 'number');
  });
});

describe('whole-array decode at any offset and length', () => {
  test('equals code-by-code decoding', () => {
    for (const name of FORMAT_NAMES) {
      const c = codec(name);
      const wide = c.info.spec.bits > 8;
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 0, max: c.info.codeCount - 1 }), { maxLength: 40 }),
          fc.integer({ min: 0, max: 3 }),
          (codes, offset) => {
            const backing = wide
              ? new Uint16Array(codes.length + offset)
              : new Uint8Array(codes.length + offset);
            backing.set(codes, offset);
            const out = c.decodeArray(backing.subarray(offset));
            codes.forEach((code, i) => {
              const want = Math.fround(c.decode(code));
              assert.ok(
                Object.is(out[i], want) || (Number.isNaN(out[i]!) && Number.isNaN(want)),
                `${name} ${code}`,
              );
            });
          },
        ),
        { numRuns: 200 },
      );
    }
  });
});
