/**
 * The quant API's edge: bad arguments throw an ArgumentError (a RangeError with a code and the
 * argument's name) at the call, instead of returning wrong data or failing deep inside.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ArgumentError } from '../formats/index.js';
import {
  dequantize,
  getScheme,
  mxScheme,
  packFp4,
  packUe8m0,
  quantize,
  repackFp4,
  synthetic,
  unpackFp4,
  unpackUe8m0,
} from './index.js';

const argErr = (code: string, argument?: string) => (e: unknown) =>
  e instanceof ArgumentError &&
  e instanceof RangeError &&
  e.code === code &&
  (argument === undefined || e.argument === argument);

describe('quant API edge', () => {
  test('dequantize with too few (or too many) scales throws', () => {
    const x = synthetic('gaussian', 4, 64, 3);
    const q = quantize(x, [4, 64], getScheme('mxfp8'));
    assert.equal(q.scales.length, 8);
    // the well-formed tensor still dequantizes
    assert.equal(dequantize(q).length, 256);
    for (const n of [0, 1, 7, 9]) {
      const bad = { ...q, scales: new Float32Array(n) };
      assert.throws(() => dequantize(bad), argErr('bad-length', 'scales'), `${n} scales`);
    }
    assert.throws(() => dequantize({ ...q, codes: [1, 2] as never }), argErr('bad-type'));
    assert.throws(() => dequantize(null as never), argErr('bad-type'));
    assert.throws(
      () => dequantize({ ...q, scheme: { ...q.scheme, element: 'nope' as never } }),
      argErr('unknown-name'),
    );
  });
  test('unpackFp4 takes a byte order, not a count: (bytes, 5) throws', () => {
    const one = Uint8Array.of(0x21);
    assert.deepEqual([...unpackFp4(one)], [1, 2]);
    assert.throws(() => unpackFp4(one, 5 as never), argErr('unknown-name', 'order'));
    assert.throws(() => unpackFp4(one, 'ggml'), argErr('bad-length'));
    assert.throws(() => unpackFp4([1] as never), argErr('bad-type'));
    assert.throws(() => packFp4(Uint8Array.of(1, 2), 'nope' as never), argErr('unknown-name'));
    assert.throws(() => packFp4(Uint8Array.of(1, 2, 3)), argErr('bad-length'));
    assert.throws(() => packFp4(Uint8Array.of(1, 16)), argErr('out-of-range'));
    assert.throws(() => repackFp4(one, 'gpt-oss', '__proto__' as never), argErr('unknown-name'));
    assert.throws(() => packUe8m0(new Uint8Array(4), 2, 1.5), argErr('out-of-range', 'kBlocks'));
    assert.throws(() => packUe8m0(new Uint8Array(3), 2, 2), argErr('bad-length'));
    assert.throws(() => unpackUe8m0(new Int32Array(1), -1, 4), argErr('out-of-range', 'rows'));
  });
  test('synthetic refuses unknown kinds, bad sizes and seeds', () => {
    for (const kind of ['nope', '__proto__', 'constructor', '', 'Gaussian']) {
      assert.throws(() => synthetic(kind as never, 2, 2), argErr('unknown-name', 'kind'), kind);
    }
    assert.throws(() => synthetic('gaussian', -1, 2), argErr('out-of-range', 'rows'));
    assert.throws(() => synthetic('gaussian', 2, 1.5), argErr('out-of-range', 'cols'));
    assert.throws(() => synthetic('gaussian', 2 ** 20, 2 ** 20), argErr('out-of-range'));
    assert.throws(() => synthetic('gaussian', 2, 2, -1), argErr('out-of-range', 'seed'));
    assert.equal(synthetic('laplace', 3, 5, 2).length, 15);
  });
  test('mxScheme refuses an unknown rule or element with a clear message', () => {
    assert.throws(() => mxScheme('e2m1', 'nope' as never, {}), argErr('unknown-name', 'rule'));
    assert.throws(() => mxScheme('e2m1', 'nope' as never, {}), /unknown MX scale rule "nope"/);
    assert.throws(() => mxScheme('e2m1', 'amax-ratio' as never, {}), argErr('unknown-name', 'rule'));
    assert.throws(() => mxScheme('nope' as never, 'mx-floor', {}), argErr('unknown-name', 'element'));
    assert.throws(
      () => mxScheme('e2m1', 'mx-floor', undefined as never),
      argErr('bad-type', 'elementOptions'),
    );
    assert.equal(mxScheme('e2m1', 'mx-floor', {}).name, 'mx-e2m1-floor');
  });
  test('getScheme looks names up as own properties', () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      assert.throws(() => getScheme(name), argErr('unknown-name', 'scheme'), name);
    }
    assert.equal(getScheme('mxfp4').element, 'e2m1');
  });
});
