/**
 * @module formats/describe
 * One row of facts per format, for `chipstack formats` and the docs.
 */
import { formatInfo } from './info.js';
import type { FormatName } from './spec.js';

export interface FormatRow {
  name: FormatName;
  title: string;
  bits: number;
  layout: string;
  bias: number | null;
  maxFinite: number;
  minNormal: number;
  minSubnormal: number | null;
  infCodes: string;
  nanCodes: string;
  distinctFinite: number;
}

const hex = (c: number, bits: number) =>
  '0x' +
  c
    .toString(16)
    .toUpperCase()
    .padStart(bits > 8 ? 4 : 2, '0');

export function describeFormat(name: FormatName): FormatRow {
  const info = formatInfo(name);
  const s = info.spec;
  const nan: number[] = [];
  for (let c = 0; c < info.codeCount; c++) if (Number.isNaN(info.values[c]!)) nan.push(c);
  const nanCodes =
    nan.length === 0
      ? 'none'
      : nan.length <= 2
        ? nan.map((c) => hex(c, s.bits)).join(', ')
        : `${nan.length} codes (canonical ${hex(info.nanCode!, s.bits)})`;
  const layout =
    s.specials === 'hif8'
      ? 'S1 dot(2-4) E(0-4) M(1-3)'
      : `${s.signed ? 'S1 ' : 'U '}E${s.expBits} M${s.manBits}`;
  return {
    name,
    title: s.title,
    bits: s.bits,
    layout,
    bias: s.specials === 'hif8' ? null : s.bias,
    maxFinite: info.maxFinite,
    minNormal: info.minNormal,
    minSubnormal: info.minPositive < info.minNormal ? info.minPositive : null,
    infCodes:
      info.posInfCode === null ? 'none' : `${hex(info.posInfCode, s.bits)}, ${hex(info.negInfCode!, s.bits)}`,
    nanCodes,
    distinctFinite: info.distinctFinite,
  };
}
