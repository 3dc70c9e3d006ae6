/**
 * The WebAssembly E2M1 encoder (integer rounding of |y|'s bits, kernels.wat) against a float64
 * nearest-value oracle, over every float32 bit pattern of the binades that hold a rounding
 * threshold or a binade edge ([2^-3, 16): every value where the code can change), and a stride
 * over all 2^32 patterns (zeros, subnormals, Inf, NaN, both signs). E2M1_EXHAUSTIVE=1 checks all
 * 2^32 patterns for both roundings instead: nearest rounding is a step function of |y|, so the
 * oracle is evaluated at its 7 steps (found by bisection over the magnitude bits) and every
 * pattern compared with the step count (about a minute of CPU).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hasSimd, instantiate } from '../wasm/load.js';
import { wasmBase64 } from './kernels.wasm.js';

interface Enc {
  memory: WebAssembly.Memory;
  encode_e2m1(p: number, q: number, n: number, inv: number, nan: number, clip: number, elem: number): void;
  saturated(): number;
}

const VALUES = [0, 0.5, 1, 1.5, 2, 3, 4, 6];
/** Code of y: nearest E2M1 value (ties to the even code, or away from zero), saturating, NaN -> 8. */
function oracle(y: number, away: boolean): number {
  if (Number.isNaN(y)) return 8;
  const sign = y < 0 || Object.is(y, -0) ? 8 : 0;
  const m = Math.abs(y);
  let code = 0;
  for (let i = 0; i < 7; i++) {
    const mid = (VALUES[i]! + VALUES[i + 1]!) / 2;
    if (m > mid || (m === mid && (away || (i + 1) % 2 === 0))) code = i + 1;
  }
  return sign | code;
}

const CHUNK = 1 << 20;
const P = 1 << 16; // floats from here (bytes 0..15 hold the decode table)
const Q = P + 4 * CHUNK;

describe('E2M1 encoder (WebAssembly, integer rounding) = nearest-value oracle', { skip: !hasSimd }, () => {
  const enc = instantiate(wasmBase64).exports as unknown as Enc;
  const need = Q + CHUNK - enc.memory.buffer.byteLength;
  if (need > 0) enc.memory.grow(Math.ceil(need / 65536));
  const bits = new Uint32Array(enc.memory.buffer, P, CHUNK);
  const floats = new Float32Array(enc.memory.buffer, P, CHUNK);
  const codes = new Uint8Array(enc.memory.buffer, Q, CHUNK);

  /** Encode bit patterns first, first + step, ... (count of them) and compare every code and the clip count. */
  function check(first: number, step: number, count: number, elem: 1 | 3): void {
    const away = elem === 3;
    for (let done = 0; done < count; done += CHUNK) {
      const n = Math.min(CHUNK, count - done);
      for (let i = 0; i < n; i++) bits[i] = (first + (done + i) * step) >>> 0;
      const before = enc.saturated(); // an i32 count: it wraps over a full sweep, so compare mod 2^32
      enc.encode_e2m1(P, Q, n, 1, 8, 6, elem);
      let clipped = 0;
      for (let i = 0; i < n; i++) {
        const y = floats[i]!;
        if (Math.abs(y) > 6) clipped++;
        if (codes[i] !== oracle(y, away))
          assert.fail(
            `elem ${elem}: bits 0x${bits[i]!.toString(16)} (${y}) -> code ${codes[i]}, expected ${oracle(y, away)}`,
          );
      }
      assert.equal((enc.saturated() - before) >>> 0, clipped, `clip count from 0x${first.toString(16)}`);
    }
  }

  /** All 2^32 patterns against the oracle's steps: the first magnitude bits of each code 1..7. */
  function checkAll(elem: 1 | 3): void {
    const away = elem === 3;
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    const codeOf = (b: number) => {
      u[0] = b;
      return oracle(f[0]!, away);
    };
    const steps: number[] = [];
    for (let c = 1; c <= 7; c++) {
      let [lo, hi] = [0, 0x7f800000]; // codeOf(lo) < c <= codeOf(hi)
      while (hi - lo > 1) {
        const mid = lo + Math.floor((hi - lo) / 2);
        if (codeOf(mid) >= c) hi = mid;
        else lo = mid;
      }
      steps.push(hi);
    }
    const SIX = 0x40c00000;
    for (let first = 0; first < 2 ** 32; first += CHUNK) {
      for (let i = 0; i < CHUNK; i++) bits[i] = first + i;
      const before = enc.saturated(); // an i32 count: it wraps over a full sweep, so compare mod 2^32
      enc.encode_e2m1(P, Q, CHUNK, 1, 8, 6, elem);
      let clipped = 0;
      for (let i = 0; i < CHUNK; i++) {
        const b = first + i;
        const mag = b & 0x7fffffff;
        let want = 8;
        if (mag <= 0x7f800000) {
          let c = 0;
          while (c < 7 && mag >= steps[c]!) c++;
          want = (b >= 0x80000000 ? 8 : 0) | c;
          if (mag > SIX) clipped++;
        }
        if (codes[i] !== want)
          assert.fail(`elem ${elem}: bits 0x${b.toString(16)} -> code ${codes[i]}, expected ${want}`);
      }
      assert.equal((enc.saturated() - before) >>> 0, clipped, `clip count from 0x${first.toString(16)}`);
    }
  }

  for (const elem of [1, 3] as const) {
    const what = elem === 1 ? 'to nearest even' : 'ties away';
    if (process.env.E2M1_EXHAUSTIVE === '1')
      test(`${what}: all 2^32 float32 bit patterns`, () => checkAll(elem));
    else {
      test(`${what}: every float32 in [2^-3, 16) (exponent fields 124..130)`, () =>
        check(124 << 23, 1, 7 << 23, elem));
      test(`${what}: every 4099th bit pattern of all 2^32, both signs, NaN, Inf, subnormals`, () => {
        check(0, 4099, Math.floor(2 ** 32 / 4099), elem);
        for (const b of [0, 0x80000000, 1, 0x807fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0xffffffff])
          check(b, 1, 1, elem);
      });
    }
  }
});
