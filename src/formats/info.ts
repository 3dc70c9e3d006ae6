/**
 * @module formats/info
 * What follows from a format record: the value of every code, the limits, the special codes and
 * the binade plan the encoder rounds on. Computed once per format and cached.
 */
import { decodeHif8, HIF8_NAN, HIF8_NEG_INF, HIF8_POS_INF, hif8MantissaBits } from './hif8.js';
import { type FormatName, type FormatSpec, getFormat } from './spec.js';

export interface FormatInfo {
  readonly spec: FormatSpec;
  /** Number of codes, 2^bits. */
  readonly codeCount: number;
  /** Value of every code (NaN, ±Infinity included), indexed by code. */
  readonly values: Float64Array;
  /** Largest finite value. */
  readonly maxFinite: number;
  /** Smallest positive normal value (HiF8: 2^-15, below which its denormals 2^-22..2^-16 lie). */
  readonly minNormal: number;
  /** Bottom of the encoder's binade plan, 2^minExp: values below it use the subnormal spacing. */
  readonly minBinade: number;
  /** Smallest positive value. */
  readonly minPositive: number;
  /** Number of distinct finite values (+0 and -0 counted once). */
  readonly distinctFinite: number;
  /** Code of +NaN, or null when the format has no NaN. */
  readonly nanCode: number | null;
  /** Whether the NaN code carries the input's sign (E4M3FN and IEEE formats do). */
  readonly signedNan: boolean;
  /** Codes of +Inf and -Inf, or null. */
  readonly posInfCode: number | null;
  readonly negInfCode: number | null;
  /** Code of +0 (null for E8M0) and of -0 (null where there is none). */
  readonly zeroCode: number | null;
  readonly negZeroCode: number | null;
  /** The sign bit's mask (0 for unsigned formats). */
  readonly signMask: number;
  /** Code of the largest finite value and of the smallest positive value. */
  readonly maxCode: number;
  readonly minPositiveCode: number;
  /** Binade plan: normal binades [2^e, 2^(e+1)) for e in minExp..maxExp with mantissaBits(e) bits. */
  readonly minExp: number;
  readonly maxExp: number;
  readonly mantissaBits: (e: number) => number;
  /** Exponent of the spacing below 2^minExp (subnormals), or null when nothing lies below but zero-less min. */
  readonly subnormalUlpExp: number | null;
  /** Positive finite magnitude → its code. */
  readonly codeOfMagnitude: ReadonlyMap<number, number>;
}

function decodeMinifloat(spec: FormatSpec, code: number): number {
  const { bits, expBits: eb, manBits: mb, bias } = spec;
  const signBit = spec.signed ? (code >> (bits - 1)) & 1 : 0;
  const sign = signBit ? -1 : 1;
  const e = (code >> mb) & ((1 << eb) - 1);
  const m = code & ((1 << mb) - 1);
  const eMax = (1 << eb) - 1;
  switch (spec.specials) {
    case 'ieee':
      if (e === eMax) return m === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
      break;
    case 'fn':
      if (e === eMax && m === (1 << mb) - 1) return Number.NaN;
      break;
    case 'fnuz':
      if (code === 1 << (bits - 1)) return Number.NaN;
      break;
    case 'e8m0':
      if (code === 0xff) return Number.NaN;
      return 2 ** (code - bias);
    default:
      break;
  }
  if (e === 0 && spec.subnormals) return sign * m * 2 ** (1 - bias - mb);
  return sign * (1 + m / 2 ** mb) * 2 ** (e - bias);
}

/** Decode one code with the format's own rules (no table). Throws RangeError for codes out of range. */
export function decodeCode(spec: FormatSpec, code: number): number {
  if (!Number.isInteger(code) || code < 0 || code >= 2 ** spec.bits) {
    throw new RangeError(`code ${code} is out of range for ${spec.name} (0..${2 ** spec.bits - 1})`);
  }
  return spec.specials === 'hif8' ? decodeHif8(code) : decodeMinifloat(spec, code);
}

function build(spec: FormatSpec): FormatInfo {
  const codeCount = 2 ** spec.bits;
  const values = new Float64Array(codeCount);
  const codeOfMagnitude = new Map<number, number>();
  let maxFinite = 0;
  let maxCode = 0;
  let minPositive = Number.POSITIVE_INFINITY;
  let minPositiveCode = 0;
  let zeroCode: number | null = null;
  let negZeroCode: number | null = null;
  let posInfCode: number | null = null;
  let negInfCode: number | null = null;
  let nanCode: number | null = null;
  const finite = new Set<number>();
  for (let c = 0; c < codeCount; c++) {
    const v = decodeCode(spec, c);
    values[c] = v;
    if (Number.isNaN(v)) {
      if (nanCode === null) nanCode = c;
      continue;
    }
    if (v === Number.POSITIVE_INFINITY) posInfCode = c;
    else if (v === Number.NEGATIVE_INFINITY) negInfCode = c;
    else {
      finite.add(v === 0 ? 0 : v);
      if (v === 0) {
        if (Object.is(v, -0)) negZeroCode = c;
        else zeroCode = c;
      }
      if (v >= 0 && !Object.is(v, -0)) {
        codeOfMagnitude.set(v, c);
        if (v > maxFinite) {
          maxFinite = v;
          maxCode = c;
        }
        if (v > 0 && v < minPositive) {
          minPositive = v;
          minPositiveCode = c;
        }
      }
    }
  }
  // The canonical quiet NaN: IEEE formats use the first mantissa bit (0x7E for E5M2, 0x7FC0 for bf16).
  if (spec.specials === 'ieee') nanCode = ((1 << (spec.expBits + 1)) - 1) << (spec.manBits - 1);
  // the positive all-ones code (S.1111.111 with S = 0; all ones for an unsigned format)
  if (spec.specials === 'fn') nanCode = (1 << (spec.signed ? spec.bits - 1 : spec.bits)) - 1;
  if (spec.specials === 'hif8') {
    nanCode = HIF8_NAN;
    posInfCode = HIF8_POS_INF;
    negInfCode = HIF8_NEG_INF;
  }
  let minExp: number;
  let maxExp: number;
  let mantissaBits: (e: number) => number;
  let subnormalUlpExp: number | null;
  if (spec.specials === 'hif8') {
    minExp = -22;
    maxExp = 15;
    mantissaBits = hif8MantissaBits;
    subnormalUlpExp = -22;
  } else {
    const mb = spec.manBits;
    mantissaBits = () => mb;
    minExp = (spec.subnormals ? 1 : 0) - spec.bias;
    maxExp = Math.floor(Math.log2(maxFinite));
    subnormalUlpExp = spec.subnormals ? minExp - mb : null;
  }
  return {
    spec,
    codeCount,
    values,
    maxFinite,
    minNormal: spec.specials === 'hif8' ? 2 ** -15 : 2 ** minExp,
    minBinade: 2 ** minExp,
    minPositive,
    distinctFinite: finite.size,
    nanCode,
    signedNan: spec.signed && (spec.specials === 'ieee' || spec.specials === 'fn'),
    posInfCode,
    negInfCode,
    zeroCode,
    negZeroCode,
    signMask: spec.signed ? 1 << (spec.bits - 1) : 0,
    maxCode,
    minPositiveCode,
    minExp,
    maxExp,
    mantissaBits,
    subnormalUlpExp,
    codeOfMagnitude,
  };
}

const cache = new Map<FormatName, FormatInfo>();

/** The derived facts of a format (cached). Accepts a name or a record. */
export function formatInfo(format: FormatName | FormatSpec | string): FormatInfo {
  const spec = typeof format === 'string' ? getFormat(format) : format;
  let info = cache.get(spec.name);
  if (!info) {
    info = build(spec);
    cache.set(spec.name, info);
  }
  return info;
}
