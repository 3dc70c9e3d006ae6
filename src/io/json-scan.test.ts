import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scanJson } from './json-scan.js';

test('finds duplicate keys at any depth, with their path', () => {
  assert.deepEqual(scanJson('{"a":1,"b":2,"a":3}').duplicate, { path: [], key: 'a' });
  assert.deepEqual(scanJson('{"t":{"x":[{"k":1,"k":2}]}}').duplicate, { path: ['t', 'x', ''], key: 'k' });
  assert.deepEqual(scanJson('{"t":{"d":1,"s":[1],"d":2}}').duplicate, { path: ['t'], key: 'd' });
  assert.deepEqual(scanJson('{"\\u0061":1,"a":2}').duplicate, { path: [], key: 'a' });
  assert.deepEqual(scanJson('{"a\\"b":1,"a\\"b":2}').duplicate, { path: [], key: 'a"b' });
});

test('equal keys in different objects, and strings that look like keys, are not duplicates', () => {
  assert.equal(scanJson('{"a":{"k":1},"b":{"k":1}}').duplicate, undefined);
  assert.equal(scanJson('{"a":"a","b":["a","a"],"c":{"a":"a"}}').duplicate, undefined);
  assert.equal(scanJson('{"a":"x,\\"a\\":1"}').duplicate, undefined);
  assert.equal(scanJson('{"a":[{"x":1},{"x":1}]}').duplicate, undefined);
});

test('reports loose integer literals only in arrays two objects deep', () => {
  const text = '{"w":{"shape":[1.0,2,3e0,-0],"data_offsets":[0,8],"x":{"y":[1.5]}},"v":[2.5]}';
  assert.deepEqual(
    scanJson(text).looseIntegers.map((l) => [...l.path, l.literal]),
    [
      ['w', 'shape', '1.0'],
      ['w', 'shape', '3e0'],
      ['w', 'shape', '-0'],
    ],
  );
  assert.deepEqual(scanJson('{"w":{"shape":[0, 10 ,20, true, false, null]}}').looseIntegers, []);
});

test('nesting far deeper than the call stack is fine', () => {
  const deep = `{"a":${'['.repeat(500_000)}${']'.repeat(500_000)},"a":1}`;
  assert.deepEqual(scanJson(deep).duplicate, { path: [], key: 'a' });
});
