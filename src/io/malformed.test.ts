/**
 * A corpus of malformed files, each built here byte by byte. Every one must be refused by both
 * the in-memory parser and the file reader, with its own code and a message naming the file and
 * the rule.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseSafetensorsBuffer } from './buffer.js';
import { SafetensorsError, type SafetensorsErrorCode } from './errors.js';
import { rawFile, withTempDir } from './fixtures.js';
import { openSafetensors } from './reader.js';

interface Case {
  readonly label: string;
  readonly bytes: Uint8Array;
  readonly code: SafetensorsErrorCode;
  /** What the message must say besides the file name. */
  readonly reason: RegExp;
}

const enc = new TextEncoder();
const W = '"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}';
/** A valid one-tensor header with `entry` in place of w's entry. */
const one = (entry: string, data = 8) => rawFile(`{"w":${entry}}`, data);
const cat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const valid = rawFile(`{${W}}`, 8);

const cases: Case[] = [
  { label: 'empty file', bytes: new Uint8Array(0), code: 'HeaderTooSmall', reason: /0 bytes/ },
  { label: 'seven bytes', bytes: new Uint8Array(7), code: 'HeaderTooSmall', reason: /at least 8/ },
  { label: 'length 2^63', bytes: rawFile(`{${W}}`, 8, 2n ** 63n), code: 'HeaderTooLarge', reason: /exceeds/ },
  {
    label: 'length just over the limit',
    bytes: rawFile('{}', 0, 100_000_001),
    code: 'HeaderTooLarge',
    reason: /100000000/,
  },
  {
    label: 'length past the end',
    bytes: rawFile(`{${W}}`, 8, 500),
    code: 'InvalidHeaderLength',
    reason: /past the end/,
  },
  {
    label: 'truncated header',
    bytes: valid.subarray(0, 30),
    code: 'InvalidHeaderLength',
    reason: /past the end/,
  },
  { label: 'zero-length header', bytes: rawFile('', 0), code: 'InvalidHeaderStart', reason: /empty/ },
  {
    label: 'header starts with a space',
    bytes: rawFile(` {${W}}`, 8),
    code: 'InvalidHeaderStart',
    reason: /0x20/,
  },
  { label: 'header is an array', bytes: rawFile('[1]'), code: 'InvalidHeaderStart', reason: /0x5b/ },
  {
    label: 'header starts with a BOM',
    bytes: rawFile(cat(new Uint8Array([0xef, 0xbb, 0xbf]), enc.encode('{}'))),
    code: 'InvalidHeaderStart',
    reason: /0xef/,
  },
  {
    label: 'invalid UTF-8 in a name',
    bytes: rawFile(cat(enc.encode('{"'), new Uint8Array([0xff, 0xfe]), enc.encode('":1}'))),
    code: 'InvalidUtf8',
    reason: /UTF-8/,
  },
  {
    label: 'UTF-8-encoded surrogate',
    bytes: rawFile(cat(enc.encode('{"a'), new Uint8Array([0xed, 0xa0, 0x80]), enc.encode('":1}'))),
    code: 'InvalidUtf8',
    reason: /UTF-8/,
  },
  { label: 'unterminated JSON', bytes: rawFile('{"w":'), code: 'InvalidJson', reason: /not valid JSON/ },
  {
    label: 'text after the object',
    bytes: rawFile(`{${W}} x`, 8),
    code: 'InvalidJson',
    reason: /not valid JSON/,
  },
  { label: 'NUL padding', bytes: rawFile(`{${W}}\0\0\0`, 8), code: 'InvalidJson', reason: /not valid JSON/ },
  { label: 'single-quoted JSON', bytes: rawFile("{'w':1}"), code: 'InvalidJson', reason: /not valid JSON/ },
  {
    label: 'duplicate tensor name',
    bytes: rawFile(`{${W},${W}}`, 8),
    code: 'DuplicateKey',
    reason: /tensor "w": name appears twice/,
  },
  {
    label: 'duplicate name spelled with an escape',
    bytes: rawFile(`{${W},${W.replace('"w"', '"\\u0077"')}}`, 8),
    code: 'DuplicateKey',
    reason: /tensor "w": name appears twice/,
  },
  {
    label: 'duplicate field in an entry',
    bytes: one('{"dtype":"F32","dtype":"F16","shape":[2],"data_offsets":[0,8]}'),
    code: 'DuplicateKey',
    reason: /tensor "w": key "dtype" appears twice/,
  },
  {
    label: 'duplicate metadata key',
    bytes: rawFile(`{"__metadata__":{"a":"1","a":"2"},${W}}`, 8),
    code: 'DuplicateKey',
    reason: /metadata key "a"/,
  },
  {
    label: 'unknown dtype',
    bytes: one('{"dtype":"F12","shape":[2],"data_offsets":[0,8]}'),
    code: 'UnknownDtype',
    reason: /"F12"/,
  },
  {
    label: 'lower-case dtype',
    bytes: one('{"dtype":"f32","shape":[2],"data_offsets":[0,8]}'),
    code: 'UnknownDtype',
    reason: /"f32"/,
  },
  {
    label: 'numeric dtype',
    bytes: one('{"dtype":32,"shape":[2],"data_offsets":[0,8]}'),
    code: 'UnknownDtype',
    reason: /number 32/,
  },
  {
    label: 'entry is an array',
    bytes: one('[1,2]'),
    code: 'InvalidTensorEntry',
    reason: /must be an object/,
  },
  {
    label: 'entry lacks data_offsets',
    bytes: one('{"dtype":"F32","shape":[2]}'),
    code: 'InvalidTensorEntry',
    reason: /data_offsets/,
  },
  {
    label: 'shape is a number',
    bytes: one('{"dtype":"F32","shape":2,"data_offsets":[0,8]}'),
    code: 'InvalidShape',
    reason: /number 2/,
  },
  {
    label: 'negative dimension',
    bytes: one('{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}'),
    code: 'InvalidShape',
    reason: /-2/,
  },
  {
    label: 'fractional dimension',
    bytes: one('{"dtype":"F32","shape":[1.5],"data_offsets":[0,6]}', 6),
    code: 'InvalidShape',
    reason: /1\.5/,
  },
  {
    label: 'dimension written 2.0',
    bytes: one('{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}'),
    code: 'InvalidShape',
    reason: /2\.0/,
  },
  {
    label: 'dimension as a string',
    bytes: one('{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}'),
    code: 'InvalidShape',
    reason: /"2"/,
  },
  {
    label: 'dimension past 2^53',
    bytes: one('{"dtype":"U8","shape":[9007199254740993],"data_offsets":[0,8]}'),
    code: 'InvalidShape',
    reason: /9007199254740992/,
  },
  {
    label: 'negative offset',
    bytes: one('{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}'),
    code: 'InvalidDataOffsets',
    reason: /-8/,
  },
  {
    label: 'fractional offset',
    bytes: one('{"dtype":"F32","shape":[2],"data_offsets":[0,7.5]}'),
    code: 'InvalidDataOffsets',
    reason: /7\.5/,
  },
  {
    label: 'offset written 8e0',
    bytes: one('{"dtype":"F32","shape":[2],"data_offsets":[0,8e0]}'),
    code: 'InvalidDataOffsets',
    reason: /8e0/,
  },
  {
    label: 'three offsets',
    bytes: one('{"dtype":"F32","shape":[2],"data_offsets":[0,4,8]}'),
    code: 'InvalidDataOffsets',
    reason: /3 values/,
  },
  {
    label: 'end before begin',
    bytes: one('{"dtype":"U8","shape":[0],"data_offsets":[8,0]}'),
    code: 'InvalidDataOffsets',
    reason: /end before/,
  },
  {
    label: 'gap between tensors',
    bytes: rawFile(`{${W},"v":{"dtype":"U8","shape":[4],"data_offsets":[12,16]}}`, 16),
    code: 'InvalidOffset',
    reason: /tensor "v".*gap/,
  },
  {
    label: 'overlapping tensors',
    bytes: rawFile(`{${W},"v":{"dtype":"U8","shape":[4],"data_offsets":[4,8]}}`, 8),
    code: 'InvalidOffset',
    reason: /overlapping/,
  },
  {
    label: 'first tensor not at 0',
    bytes: one('{"dtype":"F32","shape":[2],"data_offsets":[4,12]}', 12),
    code: 'InvalidOffset',
    reason: /begin at 0/,
  },
  {
    label: 'size not matching shape',
    bytes: one('{"dtype":"F32","shape":[3],"data_offsets":[0,8]}'),
    code: 'SizeMismatch',
    reason: /needs 12/,
  },
  {
    label: 'shape product far past 2^64',
    bytes: one('{"dtype":"F64","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]}'),
    code: 'SizeMismatch',
    reason: /needs 633825300114114700748351602688$/,
  },
  {
    label: 'odd count of F4',
    bytes: one('{"dtype":"F4","shape":[3],"data_offsets":[0,2]}', 2),
    code: 'MisalignedSlice',
    reason: /F4/,
  },
  {
    label: 'F6 not whole bytes',
    bytes: one('{"dtype":"F6_E2M3","shape":[3],"data_offsets":[0,3]}', 3),
    code: 'MisalignedSlice',
    reason: /F6_E2M3/,
  },
  {
    label: 'truncated data',
    bytes: valid.subarray(0, valid.length - 1),
    code: 'TruncatedData',
    reason: /holds only 7/,
  },
  {
    label: 'trailing bytes',
    bytes: cat(valid, new Uint8Array(3)),
    code: 'TrailingBytes',
    reason: /3 bytes follow/,
  },
  {
    label: 'numeric metadata value',
    bytes: rawFile(`{"__metadata__":{"step":1},${W}}`, 8),
    code: 'InvalidMetadata',
    reason: /"step" must be a string/,
  },
  {
    label: 'metadata is an array',
    bytes: rawFile('{"__metadata__":["a"]}'),
    code: 'InvalidMetadata',
    reason: /an array/,
  },
  {
    label: 'nested metadata',
    bytes: rawFile('{"__metadata__":{"a":{"b":"c"}}}'),
    code: 'InvalidMetadata',
    reason: /"a" must be a string, got an object/,
  },
];

test(`the corpus holds ${cases.length} cases, at least 30`, () => {
  assert.ok(cases.length >= 30);
  assert.ok(new Set(cases.map((c) => c.label)).size === cases.length);
  parseSafetensorsBuffer(valid, 'valid.safetensors');
});

const check = (c: Case, file: string) => (err: unknown) => {
  assert.ok(err instanceof SafetensorsError, `${c.label}: ${String(err)}`);
  assert.equal(err.code, c.code, `${c.label}: ${err.message}`);
  assert.ok(err.message.startsWith(`${file}: `), err.message);
  assert.match(err.message, c.reason, c.label);
  assert.doesNotMatch(err.message, /[\n\r]/);
  return true;
};

test('each malformed buffer is refused with its code and reason', () => {
  for (const [i, c] of cases.entries()) {
    const file = `bad-${i}.safetensors`;
    assert.throws(() => parseSafetensorsBuffer(c.bytes, file), check(c, file));
  }
});

test('each malformed file is refused by the reader the same way', async () => {
  await withTempDir(async (dir) => {
    for (const [i, c] of cases.entries()) {
      const path = join(dir, `bad-${i}.safetensors`);
      await writeFile(path, c.bytes);
      await assert.rejects(openSafetensors(path), check(c, path));
    }
  });
});
