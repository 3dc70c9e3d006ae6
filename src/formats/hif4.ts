/**
 * @module formats/hif4
 * Huawei HiFloat4's float32 → code conversion exactly as CANN's opbase does it
 * (hicann/opbase, `HiFloat4::FloatToHiFloat4` beside include/nnopbase/opdev/hifloat4.h). The
 * element record itself is `hif4` in spec.ts (S1E1M2, bias 1, 0 to 1.75, no NaN/Inf).
 *
 * opbase rounds the input's mantissa to 2 bits, nearest-even, at the input's own binade, then
 * shifts results below 1.0 into the denormal grid by truncation, so below 1.0 it is not a
 * round-to-nearest of the value (0.875 gives 0.75, 0.9 gives 0.75, anything in [0.25, 0.49]
 * gives 0.25). Values past 1.75 and ±Inf give ±1.75; NaN gives +1.75; the sign of zero is kept.
 */
import { bitsFromF32 } from './bulk.js';

/** The opbase HiFloat4 code (0..15) of a float32 value. */
export function hif4FromFloatOpbase(x: number): number {
  if (Number.isNaN(x)) return 0x07;
  const u = bitsFromF32(x);
  const sign = u >>> 31;
  let exp = (u >>> 23) & 0xff;
  let man = u & 0x7fffff;
  if (exp === 0 && man === 0) return sign << 3;
  if (exp === 0xff) return (sign << 3) | 0x07; // infinity (NaN handled above)
  let e: number;
  if (exp === 0) {
    e = 1 - 127 + 1;
    while ((man & 0x800000) === 0) {
      man <<= 1;
      e--;
    }
    man &= 0x7fffff;
  } else {
    e = exp - 127 + 1;
  }
  exp = 0;
  const shift = 23 - 2;
  const round = (man >>> (shift - 1)) & 1;
  const sticky = (man & ((1 << (shift - 1)) - 1)) !== 0;
  const lsb = (man >>> shift) & 1;
  let m = man >>> shift;
  if (round && (sticky || lsb)) {
    m++;
    if (m > 3) {
      m = 0;
      e++;
    }
  }
  if (e <= 0) {
    if (e < -2) return sign << 3;
    m = (m | 4) >>> (1 - e);
    e = 0;
  } else if (e >= 2) {
    return (sign << 3) | 0x07;
  }
  return (sign << 3) | (e << 2) | (m & 3);
}
