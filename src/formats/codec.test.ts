/**
 * Exhaustive conformance of every format against the independent oracle: every code decodes to
 * the oracle's value, and every value, midpoint and float32 neighbour of a midpoint encodes to the
 * oracle's answer, for every rounding mode, both overflow modes and every preset, through both
 * the scalar and the whole-array paths.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ArgumentError,
  type CodecOptions,
  codec,
  decode,
  FORMAT_NAMES,
  type FormatName,
  formatInfo,
  PRESETS,
  presetOptions,
} from './index.js';
import { ORACLE, type OracleOptions, oracleEncode, testPoints } from './oracle.testutil.js';

const DETERMINISTIC = ['nearest-even', 'nearest-away', 'nearest-zero', 'toward-zero', 'up', 'down'] as const;
const hex = (c: number) => '0x' + c.toString(16);

function same(a: number, b: number): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
}

function checkEncoding(name: FormatName, opts: OracleOptions, label: string): void {
  const fmt = ORACLE[name]!;
  const points = testPoints(fmt);
  const c = codec(name, opts as CodecOptions);
  const src = Float32Array.from(points);
  const bulk = c.encodeArray(src);
  let failures = 0;
  const messages: string[] = [];
  for (let i = 0; i < points.length; i++) {
    const x = src[i]!;
    const want = oracleEncode(fmt, x, opts);
    const got = c.encode(x);
    if (got !== want || bulk[i] !== want) {
      failures++;
      if (messages.length < 8) {
        messages.push(`${name} ${label}: x=${x} want ${hex(want)} scalar ${hex(got)} bulk ${hex(bulk[i]!)}`);
      }
    }
  }
  assert.equal(failures, 0, messages.join('\n'));
}

describe('decode: every code equals the oracle', () => {
  for (const name of FORMAT_NAMES) {
    test(name, () => {
      const fmt = ORACLE[name]!;
      const info = formatInfo(name);
      assert.equal(info.codeCount, fmt.values.size, 'code count');
      const codes = info.spec.bits > 8 ? new Uint16Array(info.codeCount) : new Uint8Array(info.codeCount);
      for (let i = 0; i < codes.length; i++) codes[i] = i;
      const bulk = codec(name).decodeArray(codes);
      for (let code = 0; code < info.codeCount; code++) {
        const want = fmt.values.get(code)!;
        const got = decode(name, code);
        assert.ok(same(got, want), `${name} ${hex(code)}: got ${got}, want ${want}`);
        assert.ok(
          same(bulk[code]!, Math.fround(want)),
          `${name} bulk ${hex(code)}: got ${bulk[code]}, want ${want}`,
        );
      }
    });
  }
  test('codes past the range: scalar throws, bulk gives NaN', () => {
    assert.throws(() => decode('e2m1', 16), RangeError);
    assert.throws(() => decode('e4m3fn', -1), RangeError);
    assert.throws(() => decode('fp16', 65536), RangeError);
    assert.throws(() => decode('e2m3', 1.5), RangeError);
    const out = codec('e2m1').decodeArray(Uint8Array.of(15, 16, 255));
    assert.equal(out[0], -6);
    assert.ok(Number.isNaN(out[1]!) && Number.isNaN(out[2]!));
  });
});

describe('encode: every rounding mode and overflow mode against the oracle', () => {
  for (const name of FORMAT_NAMES) {
    test(name, () => {
      for (const rounding of DETERMINISTIC) {
        for (const overflow of ['nonfinite', 'saturate'] as const) {
          checkEncoding(name, { rounding, overflow }, `${rounding}/${overflow}`);
        }
      }
    });
  }
});

describe('encode: every preset against the oracle', () => {
  for (const preset of Object.values(PRESETS)) {
    for (const [name, opts] of Object.entries(preset.formats)) {
      test(`${preset.name} ${name}`, () => {
        checkEncoding(
          name as FormatName,
          { rounding: 'nearest-even', overflow: 'nonfinite', ...opts } as OracleOptions,
          preset.name,
        );
        // through the preset name as a user passes it, too
        const viaName = codec(name, { preset: preset.name });
        const direct = codec(name, opts);
        for (const x of [1.3, -2.75, 0, -0, 1e-30, 1e30, Number.NaN]) {
          assert.equal(viaName.encode(x), direct.encode(x), `${preset.name} ${name} ${x}`);
        }
      });
    }
  }
  test('a preset that does not define a format is an error', () => {
    assert.throws(() => codec('e4m3fn', { preset: 'ggml' }), /does not define format e4m3fn/);
    assert.throws(() => codec('e4m3fn', { preset: 'nope' }), /unknown preset "nope"/);
  });
});

describe('signs, NaN payloads and option checks', () => {
  test('negative NaN keeps its sign where the format has signed NaNs (bulk reads the bits)', () => {
    const bits = Uint32Array.of(0xffc00000, 0x7fc00000, 0xff800001);
    const src = new Float32Array(bits.buffer);
    assert.deepEqual([...codec('e4m3fn').encodeArray(src)], [0xff, 0x7f, 0xff]);
    assert.deepEqual([...codec('e5m2').encodeArray(src)], [0xfe, 0x7e, 0xfe]);
    assert.deepEqual([...codec('e4m3fnuz').encodeArray(src)], [0x80, 0x80, 0x80]);
    assert.deepEqual([...codec('hif8').encodeArray(src)], [0x80, 0x80, 0x80]);
    assert.deepEqual([...codec('bf16').encodeArray(src)], [0xffc0, 0x7fc0, 0xffc0]);
    assert.deepEqual([...codec('fp16').encodeArray(src)], [0xfe00, 0x7e00, 0xfe00]);
    assert.deepEqual([...codec('e2m1').encodeArray(src)], [0x8, 0x8, 0x8]);
  });
  test('bad options are refused with the field named', () => {
    assert.throws(() => codec('e4m3fn', { rounding: 'nearest' as never }), /unknown rounding "nearest"/);
    assert.throws(() => codec('e4m3fn', { overflow: 'clamp' as never }), /unknown overflow "clamp"/);
    assert.throws(() => codec('e4m3fn', { nanCode: 256 }), /nanCode 256/);
    assert.throws(() => codec('e8m0', { codeRange: [5, 2] }), /codeRange/);
    assert.throws(() => codec('e9m9'), /unknown format "e9m9"/);
    assert.throws(() => codec('e4m3fn').encodeArray(new Float32Array(4), new Uint8Array(2)), RangeError);
    assert.throws(() => codec('bf16').encodeArray(new Float32Array(4), new Uint8Array(4)), {
      name: 'ArgumentError',
      code: 'bad-type',
    });
  });
});

describe('the API edge: typed errors, own-property names, plain arrays', () => {
  const argErr = (code: string) => (e: unknown) =>
    e instanceof ArgumentError && e instanceof RangeError && e.code === code;
  test('encodeArray takes a plain array, encoding each value as encode does', () => {
    const c = codec('e4m3fn');
    assert.deepEqual([...c.encodeArray([1, 2, 448])], [0x38, 0x40, 0x7e]);
    // a plain array rounds once from float64, like encode (not through float32 first)
    assert.equal(c.encodeArray([1.0625 + 2 ** -40])[0], 0x39); // 1.125; through float32 it would tie to 1
    const xs = [1.0625 + 2 ** -40, -3.3, 0, -0, 1e9, Number.NaN, Number.POSITIVE_INFINITY];
    for (const name of FORMAT_NAMES) {
      const k = codec(name);
      assert.deepEqual(
        [...k.encodeArray(xs)],
        xs.map((x) => k.encode(x)),
        name,
      );
      assert.deepEqual(
        [...k.encodeArray(Float64Array.from(xs))],
        xs.map((x) => k.encode(x)),
        name,
      );
    }
  });
  test('encodeArray refuses what is not an array of numbers', () => {
    const c = codec('e4m3fn');
    for (const bad of [5, 'abc', null, undefined, {}, { length: -1 }, { length: 1.5 }]) {
      assert.throws(() => c.encodeArray(bad as never), argErr('bad-type'), String(bad));
    }
    assert.throws(() => c.encodeArray([1, '2' as never]), argErr('bad-type'));
    assert.throws(() => c.encodeArray([1, 2], new Uint8Array(1)), argErr('bad-length'));
    assert.throws(() => c.decodeArray([1, 2] as never), argErr('bad-type'));
  });
  test('names are own properties: __proto__, constructor, toString are unknown', () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      assert.throws(() => codec(name), argErr('unknown-name'), name);
      assert.throws(() => codec('e4m3fn', { preset: name }), argErr('unknown-name'), name);
      assert.throws(() => codec('e4m3fn', { rounding: name as never }), argErr('unknown-name'), name);
      assert.throws(() => presetOptions(name, 'e4m3fn'), argErr('unknown-name'), name);
      assert.throws(() => presetOptions('ggml', name as never), argErr('unknown-name'), name);
    }
  });
  test('seeds are unsigned 32-bit integers: none wraps onto another', () => {
    for (const seed of [-1, 1.5, 2 ** 32, Number.NaN, Number.POSITIVE_INFINITY, '1' as never]) {
      assert.throws(
        () => codec('e4m3fn', { rounding: 'stochastic', seed }),
        argErr('out-of-range'),
        String(seed),
      );
    }
    assert.equal(codec('e4m3fn', { rounding: 'stochastic', seed: 2 ** 32 - 1 }).options.seed, 2 ** 32 - 1);
  });
});
