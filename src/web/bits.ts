/**
 * @module web/bits
 * A code split into its named bit fields (sign, HiF8 dot, exponent, mantissa), for colouring.
 * Browser-safe; the layout follows each format record, and HiF8's prefix-coded dot field is read
 * from the code itself (see formats/hif8.ts for the table).
 */
import { type FormatName, getFormat } from '../formats/index.js';

export type FieldKind = 'sign' | 'dot' | 'exp' | 'man';

export interface BitField {
  kind: FieldKind;
  /** The field's bits, most significant first, as '0'/'1' characters. */
  bits: string;
}

/** The fields of `code` in `format`, most significant first; their bits concatenate to the code. */
export function bitFields(format: FormatName | string, code: number): BitField[] {
  const spec = getFormat(format);
  const all = code.toString(2).padStart(spec.bits, '0');
  const cut = (widths: [FieldKind, number][]): BitField[] => {
    const out: BitField[] = [];
    let at = 0;
    for (const [kind, w] of widths) {
      if (w > 0) out.push({ kind, bits: all.slice(at, at + w) });
      at += w;
    }
    return out;
  };
  if (spec.specials === 'hif8') {
    const r = all.slice(1);
    // dot: 11 -> D=4 (E 4 bits, M 1), 10 -> D=3 (E 3, M 2), 01 -> D=2 (E 2, M 3),
    // 001 -> D=1 (E 1, M 3), 0001 -> D=0 (M 3), 0000 -> denormal (M 3)
    let dot: number;
    let exp: number;
    if (r.startsWith('11')) [dot, exp] = [2, 4];
    else if (r.startsWith('10')) [dot, exp] = [2, 3];
    else if (r.startsWith('01')) [dot, exp] = [2, 2];
    else if (r.startsWith('001')) [dot, exp] = [3, 1];
    else [dot, exp] = [4, 0];
    return cut([
      ['sign', 1],
      ['dot', dot],
      ['exp', exp],
      ['man', 7 - dot - exp],
    ]);
  }
  return cut([
    ['sign', spec.signed ? 1 : 0],
    ['exp', spec.expBits],
    ['man', spec.manBits],
  ]);
}

/** The decoding formula of a format, in words, for display beside the numbers. */
export function formulaOf(format: FormatName | string): string {
  const s = getFormat(format);
  if (s.specials === 'hif8') {
    return 'value = (-1)^S * 2^E * (1 + M/2^m), E sign-magnitude with |E| = 2^(D-1) + stored bits, D from the dot prefix; dot 0000: 2^(M-23)';
  }
  if (s.specials === 'e8m0') return `value = 2^(E - ${s.bias}); 0xFF = NaN`;
  const sign = s.signed ? '(-1)^S * ' : '';
  return `value = ${sign}2^(E - ${s.bias}) * (1 + M/${2 ** s.manBits}); E = 0: ${sign}2^(${1 - s.bias}) * M/${2 ** s.manBits}`;
}
