import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FORMAT_NAMES, formatInfo } from '../formats/index.js';
import { bitFields, formulaOf } from './bits.js';

describe('bitFields', () => {
  it('splits every code of every format into fields that concatenate back to the code', () => {
    for (const f of FORMAT_NAMES) {
      const { bits, signed } = formatInfo(f).spec;
      const step = bits > 8 ? 251 : 1;
      for (let c = 0; c < 2 ** bits; c += step) {
        const fields = bitFields(f, c);
        assert.equal(fields.map((x) => x.bits).join(''), c.toString(2).padStart(bits, '0'), `${f} ${c}`);
        assert.equal(fields[0]!.kind === 'sign', signed, `${f} sign field`);
      }
    }
  });

  it('names the E4M3 fields: 0x7E = 0 1111 110 (448)', () => {
    assert.deepEqual(bitFields('e4m3fn', 0b0_1111_110), [
      { kind: 'sign', bits: '0' },
      { kind: 'exp', bits: '1111' },
      { kind: 'man', bits: '110' },
    ]);
    assert.deepEqual(
      bitFields('e8m0', 0x7f).map((f) => f.kind),
      ['exp'],
    );
  });

  it('reads the HiF8 dot prefix from the code', () => {
    const kinds = (c: number) => bitFields('hif8', c).map((f) => `${f.kind}:${f.bits}`);
    // 0x6E = 0 11 0111 0: D=4, |E| = 8 + 7 = 15, the largest finite value 32768
    assert.deepEqual(kinds(0x6e), ['sign:0', 'dot:11', 'exp:0111', 'man:0']);
    assert.deepEqual(kinds(0b0_10_011_01), ['sign:0', 'dot:10', 'exp:011', 'man:01']);
    assert.deepEqual(kinds(0b0_01_01_101), ['sign:0', 'dot:01', 'exp:01', 'man:101']);
    assert.deepEqual(kinds(0b1_001_1_010), ['sign:1', 'dot:001', 'exp:1', 'man:010']);
    // 1.0 = 0 0001 000 (D=0) and the denormal 2^-22 = 0 0000 001
    assert.deepEqual(kinds(0x08), ['sign:0', 'dot:0001', 'man:000']);
    assert.deepEqual(kinds(0x01), ['sign:0', 'dot:0000', 'man:001']);
  });

  it('gives each format a decoding formula with its bias', () => {
    assert.match(formulaOf('e4m3fn'), /2\^\(E - 7\)/);
    assert.match(formulaOf('e8m0'), /2\^\(E - 127\)/);
    assert.match(formulaOf('hif8'), /dot/);
  });
});
