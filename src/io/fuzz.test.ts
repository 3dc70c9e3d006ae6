/**
 * Property tests: whatever bytes come in, `parseSafetensorsBuffer` either returns a header that
 * satisfies every rule, or throws a SafetensorsError naming the file. Never a TypeError or
 * RangeError.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseSafetensorsBuffer } from './buffer.js';
import { byteSize, DTYPES, type Dtype } from './dtypes.js';
import { SafetensorsError } from './errors.js';
import { rawFile } from './fixtures.js';
import { serializeSafetensors } from './layout.js';

const FILE = 'fuzz.safetensors';
const RUNS = 400;

/** The property: a valid header, or our own error. */
function parsesOrRefuses(bytes: Uint8Array): void {
  let header: ReturnType<typeof parseSafetensorsBuffer>['header'];
  try {
    header = parseSafetensorsBuffer(bytes, FILE).header;
  } catch (err) {
    if (!(err instanceof SafetensorsError)) throw err;
    assert.ok(err.message.startsWith(`${FILE}: `));
    return;
  }
  assert.equal(header.dataStart + header.dataLength, bytes.length);
  assert.ok(header.headerLength <= 100_000_000);
  assert.equal(bytes[8], 0x7b);
  let end = 0;
  for (const t of header.tensors) {
    assert.equal(t.dataOffsets[0], end);
    assert.equal(BigInt(t.byteLength), byteSize(t.dtype, t.shape));
    assert.ok(t.shape.every((d) => Number.isSafeInteger(d) && d >= 0));
    end = t.dataOffsets[1];
  }
  assert.equal(end, header.dataLength);
  assert.equal(new Set(header.tensors.map((t) => t.name)).size, header.tensors.length);
  for (const v of Object.values(header.metadata)) assert.equal(typeof v, 'string');
}

const dtypeName = fc.constantFrom(...DTYPES.map((d) => d.name));
const name = fc.oneof(
  fc.constantFrom('w', 'b', '__metadata__', ''),
  fc.string({ unit: 'binary', maxLength: 6 }),
);
const dim = fc.oneof(fc.nat(6), fc.integer({ min: -3, max: 3 }), fc.double(), fc.constant(2 ** 53));
const loose = fc.oneof(fc.jsonValue({ maxDepth: 2 }), dim);

/** Mostly the plausible choice, sometimes the wild one. */
const mostly = <T, U>(plausible: fc.Arbitrary<T>, wild: fc.Arbitrary<U>) =>
  fc.oneof({ arbitrary: plausible, weight: 5 }, { arbitrary: wild, weight: 1 });

/**
 * A tensor entry with every field either plausible or wild, any of them missing. Offsets marked
 * 'auto' are filled in so the entries tile the buffer, give or take `skew` bytes.
 */
const entry = fc.record(
  {
    dtype: mostly(dtypeName, fc.oneof(fc.string({ maxLength: 4 }), loose)),
    shape: mostly(fc.array(fc.nat(5), { maxLength: 3 }), fc.oneof(fc.array(dim, { maxLength: 3 }), loose)),
    data_offsets: mostly(
      fc.constant('auto' as const),
      fc.oneof(fc.tuple(fc.nat(64), fc.nat(64)), fc.array(dim, { maxLength: 3 }), loose),
    ),
    skew: mostly(fc.constant(0), fc.integer({ min: -2, max: 2 })),
    extra: loose,
  },
  { requiredKeys: ['dtype', 'shape', 'data_offsets', 'skew'] },
);

/** Entries with 'auto' offsets laid end to end; returns the data length they cover. */
function tile(entries: Record<string, Record<string, unknown>>): number {
  let at = 0;
  for (const e of Object.values(entries)) {
    const { skew, ...rest } = e;
    if (rest.data_offsets === 'auto') {
      const ok =
        DTYPES.some((d) => d.name === rest.dtype) &&
        Array.isArray(rest.shape) &&
        rest.shape.every((d) => Number.isInteger(d) && d >= 0 && d < 100);
      const size = ok ? Number(byteSize(rest.dtype as Dtype, rest.shape as number[]) ?? 1n) : 4;
      rest.data_offsets = [at, Math.max(at, at + size + (skew as number))];
      at = (rest.data_offsets as number[])[1];
    }
    delete e.skew;
    Object.assign(e, rest);
  }
  return at;
}

/** A header object, its JSON text, a declared length near the true one, and data near the right size. */
const wildFile = fc
  .record({
    tensors: fc.dictionary(name, entry, { maxKeys: 4 }),
    metadata: fc.option(
      mostly(fc.dictionary(fc.string(), fc.string()), fc.oneof(fc.dictionary(fc.string(), loose), loose)),
    ),
    pad: fc.nat(9),
    lengthSkew: mostly(
      fc.constant(0),
      fc.oneof(fc.integer({ min: -4, max: 4 }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })),
    ),
    dataSkew: mostly(fc.constant(0), fc.integer({ min: -3, max: 3 })),
  })
  .map(({ tensors, metadata, pad, lengthSkew, dataSkew }) => {
    const obj: Record<string, unknown> = structuredClone(tensors);
    const data = tile(obj as Record<string, Record<string, unknown>>);
    if (metadata !== null) obj.__metadata__ = metadata;
    const text = JSON.stringify(obj) + ' '.repeat(pad);
    const n = BigInt(Buffer.byteLength(text));
    const declared = typeof lengthSkew === 'bigint' ? lengthSkew : n + BigInt(lengthSkew);
    return rawFile(text, Math.max(0, data + dataSkew), declared < 0n ? 0n : declared);
  });

/** A valid file, then a few bytes flipped, cut or added. */
const shape = fc.array(fc.nat(4), { maxLength: 3 }).map((s) => [...s, 2]);
const validFile = fc
  .array(fc.record({ name: fc.string({ maxLength: 5 }), dtype: dtypeName, shape }), { maxLength: 4 })
  .map((specs) => {
    const unique = [...new Map(specs.map((s) => [s.name, s])).values()].filter(
      (s) => s.name !== '__metadata__',
    );
    const tensors = unique
      .filter((s) => byteSize(s.dtype, s.shape) !== undefined)
      .map((s) => ({ ...s, data: new Uint8Array(Number(byteSize(s.dtype, s.shape))) }));
    return serializeSafetensors(tensors, { format: 'pt' });
  });
const mutated = fc
  .tuple(
    validFile,
    fc.array(fc.tuple(fc.nat(), fc.nat(255), fc.constantFrom('set', 'cut', 'insert')), { maxLength: 4 }),
  )
  .map(([file, edits]) => {
    let bytes = Array.from(file);
    for (const [at, value, op] of edits) {
      const i = bytes.length === 0 ? 0 : at % bytes.length;
      if (op === 'set') bytes[i] = value;
      else if (op === 'cut') bytes = bytes.slice(0, i);
      else bytes.splice(i, 0, value);
    }
    return new Uint8Array(bytes);
  });

test('random bytes: a header or a SafetensorsError', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), parsesOrRefuses), { numRuns: RUNS });
});

test('wild headers: a header or a SafetensorsError', () => {
  fc.assert(fc.property(wildFile, parsesOrRefuses), { numRuns: RUNS });
});

test('valid files parse; mutated ones parse or are refused', () => {
  fc.assert(
    fc.property(validFile, (bytes) => {
      parseSafetensorsBuffer(bytes, FILE);
    }),
    { numRuns: RUNS / 4 },
  );
  fc.assert(fc.property(mutated, parsesOrRefuses), { numRuns: RUNS });
});

test('deeply nested JSON does not overflow the stack', () => {
  const deep = `{"w":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
  assert.throws(() => parseSafetensorsBuffer(rawFile(deep), FILE), SafetensorsError);
});
