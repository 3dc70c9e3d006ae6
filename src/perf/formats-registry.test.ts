/**
 * One registry: a test-only minifloat and a block scheme on it, registered here and nowhere
 * else, appear in the formats listing, the schemes listing, `compare` (analyze) and `perf`.
 * (node --test runs each file in its own process, so the registration does not leak.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultCatalog } from '../catalog/node.js';
import { formatRows } from '../cli/commands/formats.js';
import { codec, FORMAT_NAMES, formatInfo, registerFormat } from '../formats/index.js';
import {
  analyze,
  type BlockScheme,
  getScheme,
  registerScheme,
  SCHEMES,
  bitsPerElement as schemeBits,
  synthetic,
} from '../quant/index.js';
import { bitsPerElement, findFormat, formatTable, getFormat, STORAGE_FORMATS } from './formats.js';
import { defaultPerfData } from './node.js';
import { simulate } from './simulate.js';

// S1 E3 M3, bias 3, finite only: a 7-bit minifloat no one ships (max 1.875 * 2^4 = 30)
const spec = registerFormat({
  name: 'test-e3m3',
  title: 'test-only S1E3M3 minifloat',
  bits: 7,
  signed: true,
  expBits: 3,
  manBits: 3,
  specials: 'finite',
  reference: 'this test',
});
const scheme: BlockScheme = {
  name: 'test-mx-e3m3',
  source: 'this test',
  element: spec.name,
  elementOptions: { rounding: 'nearest-even', overflow: 'saturate' },
  block: [1, 32],
  scale: { kind: 'mx-floor' },
  scaleStorage: 'e8m0',
  apply: 'mul-reciprocal',
};
registerScheme(scheme, ['test-mxfp7']);

test('a registered minifloat is a format: listed, described, encoded by the oracle rule', () => {
  assert.ok(FORMAT_NAMES.includes(spec.name));
  const row = formatRows().find((r) => r.name === spec.name);
  assert.ok(row, 'formats listing');
  assert.equal(row.bits, 7);
  // every code of the record, brute force: (1 + m/8) * 2^(e - 3), subnormals m/8 * 2^-2
  const info = formatInfo(spec.name);
  for (let c = 0; c < 128; c++) {
    const s = c >> 6 ? -1 : 1;
    const e = (c >> 3) & 7;
    const m = c & 7;
    const want = s * (e === 0 ? (m / 8) * 2 ** -2 : (1 + m / 8) * 2 ** (e - 3));
    assert.ok(Object.is(info.values[c], want), `code ${c}: ${info.values[c]} vs ${want}`);
  }
  assert.equal(info.maxFinite, 30);
  assert.equal(codec(spec.name).decode(codec(spec.name).encode(29)), 28); // tie 28|30 to even mantissa
});

test('a registered scheme is listed, quantizes (compare) and is priced by perf', () => {
  assert.equal(getScheme('test-mxfp7'), SCHEMES['test-mx-e3m3']);
  assert.ok(
    Object.values(SCHEMES).some((s) => s.name === 'test-mx-e3m3'),
    'schemes listing',
  );
  const x = synthetic('gaussian', 64, 256, 3);
  const r = analyze(x, [64, 256], scheme);
  assert.equal(r.bitsPerElement, 7 + 8 / 32);
  assert.ok(r.sqnrDb > 20 && r.sqnrDb < 40, `SQNR ${r.sqnrDb}`);

  const f = findFormat('test-mxfp7');
  assert.ok(f, 'perf storage format');
  assert.equal(f.scheme, 'test-mx-e3m3');
  assert.equal(f.element, 'fp8', 'a 7-bit float runs on the 8-bit matrix unit');
  assert.equal(f.scaleStyle, 'mx');
  assert.equal(bitsPerElement(f), schemeBits(scheme));
  assert.ok(STORAGE_FORMATS.includes(f));
  assert.ok(formatTable().some((row) => row.id === 'test-mxfp7' && row.bits === 7.25));
  assert.equal(getFormat('test-mx-e3m3'), f);

  const w = {
    model: 'deepseek-v3',
    system: 'gb200-nvl72',
    phase: 'decode',
    batch: 64,
    seqLen: 4096,
    // one deployment for both: \`auto\` picks the smallest that fits, which differs by weight size
    tp: 1,
    ep: 8,
    pp: 1,
  } as const;
  const cat = defaultCatalog();
  const data = defaultPerfData();
  const priced = simulate(data, cat, { ...w, weights: 'test-mxfp7', activations: 'test-mxfp7' });
  const mx8 = simulate(data, cat, { ...w, weights: 'mxfp8', activations: 'mxfp8' });
  assert.equal(priced.workload.weights, 'test-mxfp7');
  assert.match(priced.paths.gemm, /test-mxfp7 weights/);
  // 7.25 bits against MXFP8's 8.25: less weight traffic, so decode is no slower
  assert.ok(priced.tokensPerSecPerChip >= mx8.tokensPerSecPerChip);
  assert.ok(priced.memory.weightsGB < mx8.memory.weightsGB);
});
