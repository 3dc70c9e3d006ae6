import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSafetensorsBuffer } from './buffer.js';
import { rawFile } from './fixtures.js';
import { headerExtent, parseSafetensorsHeader } from './header.js';

test('the header alone is enough, given the file size (as from an HTTP range read)', () => {
  const file = rawFile('{"w":{"dtype":"BF16","shape":[1024,1024],"data_offsets":[0,2097152]}}   ', 0);
  const size = file.length + 2097152;
  assert.equal(headerExtent(file.subarray(0, 8), size, 'remote'), file.length);
  const header = parseSafetensorsHeader(file, size, 'remote');
  assert.equal(header.dataStart, file.length);
  assert.equal(header.tensors[0].fileOffset, file.length);
  assert.throws(() => parseSafetensorsHeader(file.subarray(0, 20), size, 'remote'), {
    code: 'TruncatedData',
  });
});

test('what the reference accepts: empty headers, null metadata, extra fields, any listing order', () => {
  assert.deepEqual(parseSafetensorsBuffer(rawFile('{}')).header.tensors, []);
  assert.deepEqual(parseSafetensorsBuffer(rawFile('{"__metadata__":null}')).header.metadata, {});
  const text =
    '{"b":{"dtype":"U8","shape":[2],"data_offsets":[4,6],"note":[1.5]},' +
    '"z":{"dtype":"F16","shape":[0,3],"data_offsets":[4,4]},' +
    '"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},' +
    '"__metadata__":{"__proto__":"x","format":"pt"}}\n\t ';
  const { header } = parseSafetensorsBuffer(rawFile(text, 6));
  assert.deepEqual(
    header.tensors.map((t) => [t.name, t.dataOffsets]),
    [
      ['a', [0, 4]],
      ['z', [4, 4]],
      ['b', [4, 6]],
    ],
  );
  assert.equal(Object.getPrototypeOf(header.metadata), Object.prototype);
  assert.equal(Object.hasOwn(header.metadata, '__proto__'), true);
  assert.equal(header.metadata.format, 'pt');
});

test('messages quote odd names safely and keep them short', () => {
  const name = `evil\n${'x'.repeat(500)}`;
  const text = JSON.stringify({ [name]: { dtype: 'X', shape: [], data_offsets: [0, 0] } });
  assert.throws(
    () => parseSafetensorsBuffer(rawFile(text), 'f'),
    (err: Error) =>
      err.message.length < 300 && !err.message.includes('\n') && err.message.includes('"evil\\nxxx'),
  );
});
