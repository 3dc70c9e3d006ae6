/**
 * The BF16 slab path (BF16 bits straight into the WebAssembly quantizer, widened inside it) gives
 * the bytes of the float32 path (the values widened to float32 first, as convert did before) for
 * every target and every kernel-covered scheme that fits it, on random values and on NaN, ±Inf, ±0, subnormals
 * and the largest BF16, under each NaN/Inf policy, in one chunk and across chunks.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { SCHEMES, wasmPlan } from '../quant/index.js';
import { type QuantLayout, type QuantTarget, quantTarget } from './layouts.js';
import {
  encodeSlab,
  NON_FINITE_POLICIES,
  type NonFinitePolicy,
  SlabScratch,
  slabOutputBytes,
} from './slab.js';
import { floatView } from './tensor.js';

/** The layouts whose schemes the kernels cover (NVFP4's E4M3 scales are not: it runs in TypeScript). */
const LAYOUTS: QuantLayout[] = ['deepseek-fp8', 'mxfp8', 'mxfp4'];

/**
 * Every (layout, scheme, scale dtype) convert accepts whose scheme the kernels cover: the ones the
 * BF16 path takes. (The others decode BF16 to float32 as before. Their bytes are not compared
 * here: the TypeScript quantizer's code for a negative NaN element, 0x7F or 0xFF under E4M3
 * 'nonfinite' overflow, depends on whether V8 has optimized the loop yet; both decode to NaN.)
 */
const TARGETS: QuantTarget[] = LAYOUTS.flatMap((layout) =>
  Object.values(SCHEMES).flatMap((s) =>
    (layout === 'deepseek-fp8' ? (['F32', 'F8_E8M0'] as const) : (['F32'] as const)).flatMap((dtype) => {
      try {
        return wasmPlan(s) ? [quantTarget(layout, s.name, dtype)] : [];
      } catch {
        return [];
      }
    }),
  ),
);

const SPECIAL = [
  0x7fc0, 0xffc1, 0x7f80, 0xff80, 0x0000, 0x8000, 0x0001, 0x8003, 0x007f, 0x7f7f, 0xff7f, 0x0080,
];

/** Both paths on the same values: BF16 bytes, and the same values as float32 bytes. */
function both(t: QuantTarget, bits: Uint16Array, rows: number, cols: number, policy: NonFinitePolicy) {
  const [wb, sb] = slabOutputBytes(t, rows, cols);
  // the float32 path as convert ran BF16 before: decoded to float32 (floatView), then encoded
  const bytes = new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength);
  const f32 = floatView('BF16', bytes, new Float32Array(bits.length)).slice();
  const run = (dtype: 'BF16' | 'F32', input: Uint8Array) => {
    const out = new Uint8Array(wb + sb);
    const globalScale = 3.5; // NVFP4 only (the caller's first pass gives it); same for both
    const task = { target: t, globalScale, dtype, rows, cols, onNonFinite: policy };
    const nonFinite = encodeSlab(task, input, out, new SlabScratch());
    return { nonFinite, out };
  };
  return {
    bf16: run('BF16', bytes),
    f32: run('F32', new Uint8Array(f32.buffer)),
  };
}

function check(t: QuantTarget, bits: Uint16Array, rows: number, cols: number) {
  for (const policy of NON_FINITE_POLICIES) {
    const { bf16, f32 } = both(t, bits, rows, cols, policy);
    const what = `${t.layout} ${t.scheme.name} ${t.scaleDtype} ${rows}x${cols} ${policy}`;
    assert.equal(bf16.nonFinite, f32.nonFinite, `${what}: non-finite count`);
    if (policy === 'error' && f32.nonFinite > 0) continue; // nothing is written for the tensor
    assert.ok(Buffer.from(bf16.out).equals(Buffer.from(f32.out)), `${what}: bytes differ`);
  }
}

describe('BF16 slabs through the WebAssembly quantizer', () => {
  test('the targets include every covered layout, both DeepSeek scale dtypes', () => {
    assert.deepEqual([...new Set(TARGETS.map((t) => t.layout))].sort(), [...LAYOUTS].sort());
    assert.ok(TARGETS.some((t) => t.layout === 'deepseek-fp8' && t.scaleDtype === 'F8_E8M0'));
    assert.ok(TARGETS.some((t) => t.layout === 'deepseek-fp8' && t.scaleDtype === 'F32'));
  });

  test('same bytes as the float32 path: random and special values, every target and policy', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TARGETS),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 48 }),
        fc.integer({ min: 0, max: 30 }),
        (t, rowUnits, colBlocks, ragged, pool, specials) => {
          const rows = t.blockRows === 1 ? rowUnits * 3 : rowUnits * 50 - 7;
          const cols = colBlocks * t.blockCols - (ragged ? 5 : 0);
          const bits = new Uint16Array(rows * cols);
          for (let i = 0; i < bits.length; i++) {
            const b = pool[(i * 13) % pool.length]!;
            // mostly weights' magnitudes (exponent near 127), some anywhere in the 16-bit range
            bits[i] = i % 17 === 3 ? b : (b & 0x807f) | ((118 + (b % 16)) << 7);
          }
          for (let k = 0; k < specials; k++)
            bits[(k * 7919 + pool[0]!) % bits.length] = SPECIAL[k % SPECIAL.length]!;
          check(t, bits, rows, cols);
        },
      ),
      { numRuns: 120 },
    );
  });

  test('across chunk boundaries (slabs larger than one 128K-value chunk)', () => {
    for (const layout of LAYOUTS) {
      const t = TARGETS.find((x) => x.layout === layout)!;
      const [rows, cols] = t.blockRows === 1 ? [70, 2048] : [260, 640];
      const bits = new Uint16Array(rows * cols);
      let seed = 12345;
      for (let i = 0; i < bits.length; i++) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        bits[i] = ((seed >>> 16) & 0x807f) | ((116 + ((seed >>> 8) % 20)) << 7);
      }
      bits[5] = 0x7f80;
      bits[rows * cols - 40] = 0x7fc0;
      check(t, bits, rows, cols);
    }
  });
});
