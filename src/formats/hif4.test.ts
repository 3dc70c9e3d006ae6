/**
 * HiFloat4: the element's codes against the opbase header's table, and opbase's float → code
 * conversion against an independent value-level description of it, on every float32 whose
 * low 12 mantissa bits are one of the edge patterns (all exponents, all high mantissa bits).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { f32FromBits } from './bulk.js';
import { codec } from './codec.js';
import { hif4FromFloatOpbase } from './hif4.js';
import { formatInfo } from './info.js';

const POSITIVE = [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75];

/** Round half to even at a spacing q (q a power of two, x >= 0, float64 exact here). */
function rneTo(x: number, q: number): number {
  const t = x / q;
  const f = Math.floor(t);
  const r = t - f;
  return (r > 0.5 || (r === 0.5 && f % 2 === 1) ? f + 1 : f) * q;
}

/** opbase's conversion, described on values: RNE to 2 mantissa bits in x's binade, truncate below 1. */
function oracle(x: number): number {
  if (Number.isNaN(x)) return 0x07;
  const s = x < 0 || Object.is(x, -0) ? 8 : 0;
  const a = Math.abs(x);
  if (a === 0) return s;
  if (a === Number.POSITIVE_INFINITY) return s | 7;
  const e = Math.floor(Math.log2(a));
  const binade = 2 ** e <= a ? e : e - 1; // guard log2 rounding
  let r = rneTo(a, 2 ** (binade - 2)); // 2 mantissa bits in the input's binade
  if (r >= 2) return s | 7; // saturate (rounding past 1.75 overflows to the max)
  if (r < 1) {
    if (binade < -3) return s; // below 2^-3 the shifted mantissa is empty
    r = Math.floor(r / 0.25) * 0.25; // truncate into the denormal grid
  }
  return s | POSITIVE.indexOf(r);
}

test('hif4 decodes as the opbase header lists: 0, 0.25 .. 1.75, sign bit 3, -0 at 0x8', () => {
  const info = formatInfo('hif4');
  for (let c = 0; c < 16; c++) {
    const want = (c & 8 ? -1 : 1) * POSITIVE[c & 7]!;
    assert.ok(Object.is(info.values[c], want), `0x${c.toString(16)}: ${info.values[c]}`);
  }
  assert.equal(info.maxFinite, 1.75);
  assert.equal(info.nanCode, null);
  assert.equal(info.posInfCode, null);
});

test('opbase conversion equals its value-level description on a dense float32 sweep', () => {
  const lows = [0, 1, 0x7ff, 0x800, 0x801, 0xfff];
  let checked = 0;
  for (const sign of [0, 1]) {
    for (let exp = 0; exp < 256; exp++) {
      for (let hi = 0; hi < 2048; hi++) {
        for (const lo of lows) {
          const bits = ((sign << 31) | (exp << 23) | (hi << 12) | lo) >>> 0;
          const x = f32FromBits(bits);
          if (Number.isNaN(x)) continue;
          const got = hif4FromFloatOpbase(x);
          const want = oracle(x);
          if (got !== want) assert.fail(`x=${x} (0x${bits.toString(16)}): opbase ${got}, oracle ${want}`);
          checked++;
        }
      }
    }
  }
  assert.ok(checked > 6_000_000);
  assert.equal(hif4FromFloatOpbase(Number.NaN), 0x07);
});

test('opbase agrees with the codec’s RNE from 1.0 up and truncates below it', () => {
  const rne = codec('hif4', { rounding: 'nearest-even', overflow: 'saturate' });
  for (const x of [1, 1.1, 1.125, 1.375, 1.6, 1.874, 1.875, 3, 1e30, -1.3]) {
    assert.equal(hif4FromFloatOpbase(x), rne.encode(x), `x=${x}`);
  }
  assert.equal(hif4FromFloatOpbase(0.875), 0x03); // RNE: 1.0 (0x04)
  assert.equal(rne.encode(0.875), 0x04);
  assert.equal(hif4FromFloatOpbase(0.9), 0x03);
  assert.equal(hif4FromFloatOpbase(0.45), 0x01);
  assert.equal(hif4FromFloatOpbase(0.49), 0x02); // rounds to 0.5 in its binade first
});
