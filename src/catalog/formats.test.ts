import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FORMATS, registerFormat } from '../formats/index.js';
import { findScheme } from '../quant/presets.js';
import { catalogProblems } from './catalog.js';
import {
  isFp8,
  isMxScaled,
  NATIVE_FORMAT_ALIASES,
  nativeEightBit,
  resolveNativeFormat,
  WIDE_FORMATS,
} from './formats.js';
import { defaultCatalog } from './node.js';
import { byId, shippedCopy } from './testutil.js';

describe('native formats read the registry', () => {
  it("picks a chip's best native 8-bit format: any 8-bit float, else INT8, else BF16", () => {
    assert.equal(nativeEightBit(['fp32', 'bf16', 'fp8-e4m3', 'int8']), 'fp8');
    assert.equal(nativeEightBit(['bf16', 'fp8-e4m3fnuz']), 'fp8');
    assert.equal(nativeEightBit(['mxfp8', 'mxfp4']), 'fp8');
    assert.equal(nativeEightBit(['hif8']), 'fp8');
    assert.equal(nativeEightBit(['fp16', 'bf16', 'int8']), 'int8');
    assert.equal(nativeEightBit(['int8', 'int4']), 'int8');
    assert.equal(nativeEightBit(['bf16', 'int4', 'mxfp4']), 'bf16'); // 4-bit is not 8-bit
    assert.equal(nativeEightBit([]), 'bf16');
    // the shipped catalogue: Ascend 910C INT8, Ascend 950PR and H20 FP8
    const acc = (id: string) => defaultCatalog().getAccelerator(id).formats.native;
    assert.equal(nativeEightBit(acc('ascend-910c')), 'int8');
    assert.equal(nativeEightBit(acc('ascend-950pr')), 'fp8');
    assert.equal(nativeEightBit(acc('h20')), 'fp8');
  });

  it('resolves every name the shipped catalogue lists', () => {
    for (const a of defaultCatalog().accelerators) {
      for (const n of a.formats.native) assert.ok(resolveNativeFormat(n), `${a.id}: ${n}`);
    }
  });

  it('maps each catalogue spelling to a registry record, and defines no name the registry has', () => {
    for (const [alias, target] of Object.entries(NATIVE_FORMAT_ALIASES)) {
      assert.ok(Object.hasOwn(FORMATS, target) || findScheme(target), `${alias} -> ${target}`);
      assert.ok(!Object.hasOwn(FORMATS, alias) && !findScheme(alias), `${alias} shadows a registry name`);
      assert.equal(resolveNativeFormat(alias)?.via, alias);
    }
    for (const w of Object.keys(WIDE_FORMATS)) {
      assert.ok(!Object.hasOwn(FORMATS, w) && !findScheme(w), `${w} is a registry record now: drop it here`);
    }
  });

  it('takes element, width and scale rule from the registry record', () => {
    const e5m2 = resolveNativeFormat('fp8-e5m2')!;
    assert.deepEqual([e5m2.kind, e5m2.id, e5m2.elementBits, isFp8(e5m2)], ['format', 'e5m2', 8, true]);
    const mx = resolveNativeFormat('mxfp4')!;
    assert.deepEqual(
      [mx.kind, mx.element, mx.elementBits, isMxScaled(mx), isFp8(mx)],
      ['scheme', 'e2m1', 4, true, false],
    );
    const nv = resolveNativeFormat('nvfp4')!;
    assert.deepEqual([nv.element, isMxScaled(nv)], ['e2m1', false]);
    const i8 = resolveNativeFormat('int8')!;
    assert.deepEqual([i8.integer, i8.elementBits, isFp8(i8)], [true, 8, false]);
    assert.equal(resolveNativeFormat('bfloat16')?.id, 'bf16');
    assert.equal(resolveNativeFormat('tf32')?.kind, 'wide');
    assert.equal(resolveNativeFormat('e8m0') && isFp8(resolveNativeFormat('e8m0')!), false);
    for (const bad of ['fp7', 'constructor', '__proto__', 'toString', '']) {
      assert.equal(resolveNativeFormat(bad), undefined, bad);
    }
  });

  it('lets a chip list a newly registered format with no other edit', () => {
    const name = 'e3m3test';
    const copy = shippedCopy();
    byId(copy.accelerators, 'b200').formats.native.push(name);
    assert.equal(catalogProblems(copy.data, copy.schemas).length, 1);
    registerFormat({
      name,
      title: 'test-only FP7 E3M3',
      bits: 7,
      signed: true,
      expBits: 3,
      manBits: 3,
      specials: 'finite',
      reference: 'test',
    });
    assert.deepEqual(catalogProblems(copy.data, copy.schemas), []);
    assert.equal(resolveNativeFormat(name)?.elementBits, 7);
  });
});
