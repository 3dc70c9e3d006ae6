/**
 * @module formats/hif8
 * Huawei HiFloat8 (arXiv 2409.16626): S | dot | exponent | mantissa, where the dot field is a
 * prefix code that says how wide the exponent is, so precision tapers away from 1.0.
 *
 * | dot (after S) | D | exponent field          | mantissa bits | |E|       |
 * |---------------|---|-------------------------|---------------|-----------|
 * | 11            | 4 | sign + 3 bits           | 1             | 8..15     |
 * | 10            | 3 | sign + 2 bits           | 2             | 4..7      |
 * | 01            | 2 | sign + 1 bit            | 3             | 2..3      |
 * | 001           | 1 | sign only               | 3             | 1         |
 * | 0001          | 0 | none                    | 3             | 0         |
 * | 0000          | - | denormal: 3-bit m       | 0             | 2^(m-23)  |
 *
 * The exponent is sign-magnitude with an implicit leading 1: |E| = 2^(D-1) + stored bits.
 * Specials: 0x00 = 0 (the only zero), 0x80 = NaN, 0x6F = +Inf and 0xEF = -Inf (the codes that
 * would be 1.5 * 2^15). Largest finite 0x6E = 32768; smallest 0x01 = 2^-22.
 */

export const HIF8_NAN = 0x80;
export const HIF8_POS_INF = 0x6f;
export const HIF8_NEG_INF = 0xef;

/** Decode one HiF8 code (0..255) to its value. */
export function decodeHif8(code: number): number {
  if (code === HIF8_NAN) return Number.NaN;
  if (code === HIF8_POS_INF) return Number.POSITIVE_INFINITY;
  if (code === HIF8_NEG_INF) return Number.NEGATIVE_INFINITY;
  const sign = code & 0x80 ? -1 : 1;
  const r = code & 0x7f;
  let e: number;
  let m: number;
  let mb: number;
  if ((r & 0x60) === 0x60) {
    // dot 11: D=4, es at bit 4, three exponent bits 3..1, one mantissa bit
    const mag = 8 + ((r >> 1) & 0x7);
    e = r & 0x10 ? -mag : mag;
    m = r & 0x1;
    mb = 1;
  } else if ((r & 0x60) === 0x40) {
    const mag = 4 + ((r >> 2) & 0x3);
    e = r & 0x10 ? -mag : mag;
    m = r & 0x3;
    mb = 2;
  } else if ((r & 0x60) === 0x20) {
    const mag = 2 + ((r >> 3) & 0x1);
    e = r & 0x10 ? -mag : mag;
    m = r & 0x7;
    mb = 3;
  } else if (r & 0x10) {
    e = r & 0x08 ? -1 : 1;
    m = r & 0x7;
    mb = 3;
  } else if (r & 0x08) {
    e = 0;
    m = r & 0x7;
    mb = 3;
  } else {
    // denormal range: value 2^(m-23), m = 1..7; m = 0 is zero
    const dm = r & 0x7;
    return dm === 0 ? 0 : sign * 2 ** (dm - 23);
  }
  return sign * (1 + m / 2 ** mb) * 2 ** e;
}

/** Mantissa bits of the HiF8 binade [2^e, 2^(e+1)), for e in -22..15. */
export function hif8MantissaBits(e: number): number {
  const a = Math.abs(e);
  if (e <= -16) return 0;
  if (a >= 8) return 1;
  if (a >= 4) return 2;
  return 3;
}
