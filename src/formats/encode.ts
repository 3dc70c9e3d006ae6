/**
 * @module formats/encode
 * The one scalar encoder for every format: round the magnitude on the format's binade plan
 * (exponent from the value, spacing 2^(e - mantissaBits(e))), then apply the overflow and
 * special-value rules. Works from float64, so a float64 input is rounded once, not twice.
 */
import type { FormatInfo } from './info.js';
import type { ResolvedOptions } from './options.js';

/** Rounding on the magnitude, after `up`/`down` are resolved against the sign. */
enum Mode {
  NearestEven,
  NearestAway,
  NearestZero,
  TowardZero,
  AwayFromZero,
  Stochastic,
}

function magnitudeMode(rounding: ResolvedOptions['rounding'], negative: boolean): Mode {
  switch (rounding) {
    case 'nearest-even':
      return Mode.NearestEven;
    case 'nearest-away':
      return Mode.NearestAway;
    case 'nearest-zero':
      return Mode.NearestZero;
    case 'toward-zero':
      return Mode.TowardZero;
    case 'up':
      return negative ? Mode.TowardZero : Mode.AwayFromZero;
    case 'down':
      return negative ? Mode.AwayFromZero : Mode.TowardZero;
    case 'stochastic':
      return Mode.Stochastic;
  }
}

/** floor(log2(a)) exactly, for a finite a > 0. */
export function exponentOf(a: number): number {
  let e = Math.floor(Math.log2(a));
  const p = 2 ** e;
  if (p > a) e--;
  else if (p * 2 <= a) e++;
  return e;
}

const MIN_NORMAL_F32 = 2 ** -126;

/**
 * Encode one value.
 * @param nanNegative the sign bit of a NaN input (only a float32 bit pattern can carry it).
 * @param rng the generator for stochastic rounding.
 */
export function encodeScalar(
  info: FormatInfo,
  o: ResolvedOptions,
  x: number,
  nanNegative = false,
  rng: () => number = Math.random,
): number {
  const code = encodeUnclamped(info, o, x, nanNegative, rng);
  const r = o.codeRange;
  if (r === null) return code;
  return Math.max(r[0], Math.min(code, r[1]));
}

function nanFor(info: FormatInfo, o: ResolvedOptions, negative: boolean): number {
  if (o.nanCode !== null) return o.nanCode;
  if (info.nanCode === null) return info.negZeroCode ?? info.zeroCode ?? 0;
  return negative && info.signedNan ? info.nanCode | info.signMask : info.nanCode;
}

function overflowFor(info: FormatInfo, o: ResolvedOptions, negative: boolean): number {
  const sign = negative ? info.signMask : 0;
  if (o.overflow === 'saturate') return info.maxCode | sign;
  if (info.posInfCode !== null) return negative ? info.negInfCode! : info.posInfCode;
  if (info.nanCode !== null) return negative && info.signedNan ? info.nanCode | sign : info.nanCode;
  return info.maxCode | sign;
}

function zeroFor(info: FormatInfo, o: ResolvedOptions, negative: boolean): number {
  if (negative && o.negativeZero === 'keep' && info.negZeroCode !== null) return info.negZeroCode;
  return info.zeroCode ?? info.minPositiveCode;
}

function encodeUnclamped(
  info: FormatInfo,
  o: ResolvedOptions,
  x: number,
  nanNegative: boolean,
  rng: () => number,
): number {
  if (Number.isNaN(x)) return nanFor(info, o, nanNegative);
  let negative = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  if (!info.spec.signed) {
    if (negative && a !== 0 && o.negative === 'nan') return nanFor(info, o, false);
    negative = false;
  }
  if (a === 0) {
    if (info.zeroCode === null) return o.zero === 'nan' ? nanFor(info, o, false) : info.minPositiveCode;
    return zeroFor(info, o, negative);
  }
  if (a === Number.POSITIVE_INFINITY) return overflowFor(info, o, negative);

  let mode = magnitudeMode(o.rounding, negative);
  if (o.subnormalInput === 'ceil' && a < MIN_NORMAL_F32) mode = Mode.AwayFromZero;

  let ulpExp: number;
  if (a < info.minBinade) {
    // Below the smallest binade: subnormal spacing, or (E8M0) nothing smaller than the minimum.
    if (info.subnormalUlpExp === null) return info.minPositiveCode;
    ulpExp = info.subnormalUlpExp;
  } else {
    const e = Math.min(exponentOf(a), info.maxExp);
    ulpExp = e - info.mantissaBits(e);
  }
  const q = a / 2 ** ulpExp;
  const ql = Math.floor(q);
  const frac = q - ql;
  let up: boolean;
  switch (mode) {
    case Mode.NearestEven:
      up = frac > 0.5 || (frac === 0.5 && ql % 2 === 1);
      break;
    case Mode.NearestAway:
      up = frac >= 0.5;
      break;
    case Mode.NearestZero:
      up = frac > 0.5;
      break;
    case Mode.TowardZero:
      up = false;
      break;
    case Mode.AwayFromZero:
      up = frac > 0;
      break;
    case Mode.Stochastic:
      up = frac > 0 && rng() < frac;
      break;
  }
  const v = (up ? ql + 1 : ql) * 2 ** ulpExp;
  if (v > info.maxFinite) {
    return mode === Mode.TowardZero
      ? info.maxCode | (negative ? info.signMask : 0)
      : overflowFor(info, o, negative);
  }
  if (v === 0) return zeroFor(info, o, negative);
  const code = info.codeOfMagnitude.get(v);
  if (code === undefined) throw new Error(`internal: ${v} is not a value of ${info.spec.name}`);
  return negative ? code | info.signMask : code;
}
