import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FORMATS, registerFormat } from '../formats/index.js';
import { findScheme } from '../quant/presets.js';
import { catalogProblems } from './catalog.js';
import { isFp8, isMxScaled, NATIVE_FORMAT_ALIASES, resolveNativeFormat, WIDE_FORMATS } from './formats.js';
import { defaultCatalog } from './node.js';
import { byId, shippedCopy } from './testutil.js';

describe('native formats read the registry', () => {
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
