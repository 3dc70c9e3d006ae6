import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byteSize, DTYPES, dtypeBits, dtypeRank, isDtype } from './dtypes.js';

test('the table lists the reference dtypes in its enum order', () => {
  // huggingface/safetensors tensor.rs `enum Dtype`, whose order is the writer's alignment order.
  const reference =
    'BOOL F4 F6_E2M3 F6_E3M2 U8 I8 F8_E5M2 F8_E4M3 F8_E8M0 F8_E4M3FNUZ F8_E5M2FNUZ I16 U16 F16 BF16 I32 U32 F32 C64 F64 I64 U64';
  assert.deepEqual(
    DTYPES.map((d) => d.name),
    reference.split(' '),
  );
  for (const [i, d] of DTYPES.entries()) assert.equal(dtypeRank(d.name), i);
});

test('bit widths, and alignment never decreasing along the table except for sub-byte types', () => {
  const bits = Object.fromEntries(DTYPES.map((d) => [d.name, d.bits]));
  assert.deepEqual(
    [bits.BOOL, bits.F4, bits.F6_E2M3, bits.F6_E3M2, bits.F8_E8M0, bits.BF16, bits.C64, bits.U64],
    [8, 4, 6, 6, 8, 16, 64, 64],
  );
  const wide = DTYPES.filter((d) => d.bits >= 8).map((d) => d.bits);
  assert.deepEqual(
    wide,
    [...wide].sort((a, b) => a - b),
  );
});

test('byteSize handles sub-byte dtypes, scalars, empty and huge shapes', () => {
  assert.equal(byteSize('F4', [2, 3]), 3n);
  assert.equal(byteSize('F4', [3]), undefined);
  assert.equal(byteSize('F6_E3M2', [4]), 3n);
  assert.equal(byteSize('F6_E2M3', [2]), undefined);
  assert.equal(byteSize('F32', []), 4n);
  assert.equal(byteSize('F64', [0, 1000]), 0n);
  assert.equal(byteSize('U64', [2 ** 40, 2 ** 40]), 2n ** 83n);
  assert.equal(dtypeBits('C64'), 64);
});

test('isDtype is exact and case-sensitive', () => {
  assert.ok(isDtype('F8_E4M3'));
  for (const x of ['f32', 'F8_E4M3FN', 'E8M0', '', 32, null, undefined, 'toString', '__proto__'])
    assert.ok(!isDtype(x));
});
