/**
 * @module formats/options
 * Encoding options: rounding, overflow and the few special-value rules in which the reference
 * implementations differ. `normalizeOptions` turns what a caller passes into the canonical form.
 */
import { ArgumentError } from './errors.js';

export const ROUNDING_MODES = [
  'nearest-even',
  'nearest-away',
  'nearest-zero',
  'toward-zero',
  'up',
  'down',
  'stochastic',
] as const;
/**
 * - `nearest-even`: to nearest, ties to the even significand (IEEE default). In a binade with no
 *   mantissa bits (E8M0, HiF8's smallest values) the significand is 1, odd, so ties go up.
 * - `nearest-away`: to nearest, ties away from zero.
 * - `nearest-zero`: to nearest, ties toward zero.
 * - `toward-zero`: truncate the magnitude.
 * - `up` / `down`: toward +Infinity / -Infinity.
 * - `stochastic`: up with probability equal to the remainder's fraction of one step (seeded).
 */
export type Rounding = (typeof ROUNDING_MODES)[number];

export const OVERFLOW_MODES = ['nonfinite', 'saturate'] as const;
/**
 * - `nonfinite`: a value that rounds past the largest finite value becomes Inf where the format has
 *   one, else NaN where it has one, else the largest finite value (IEEE: rounding toward zero, or
 *   down for positive values, still gives the largest finite value). Inf inputs likewise.
 * - `saturate`: overflow and Inf inputs become the largest finite value of the same sign.
 */
export type Overflow = (typeof OVERFLOW_MODES)[number];

export interface EncodeOptions {
  rounding?: Rounding;
  overflow?: Overflow;
  /** Seed for `stochastic` rounding (default 0). */
  seed?: number;
  /** Code for NaN inputs. Default: the format's NaN (with the input's sign where NaN is signed), or -0 where the format has no NaN (ml_dtypes). */
  nanCode?: number;
  /** `positive`: results that are -0 encode as +0 (ggml, DeepGEMM FP4). Default `keep`. */
  negativeZero?: 'keep' | 'positive';
  /** Unsigned formats (E8M0): negative inputs become NaN (ml_dtypes) or use their magnitude (torch, DeepGEMM). */
  negative?: 'nan' | 'magnitude';
  /** Formats without zero (E8M0): a zero input becomes NaN (ml_dtypes) or the smallest code (torch, DeepGEMM). */
  zero?: 'nan' | 'min';
  /** Float32 subnormal inputs round up instead of by `rounding` (ml_dtypes and torch E8M0 read the exponent bits). */
  subnormalInput?: 'round' | 'ceil';
  /** Clamp every result code into [lo, hi] (DeepGEMM's UE8M0: [1, 254]). */
  codeRange?: readonly [number, number];
}

/** Canonical options: every field present. */
export interface ResolvedOptions {
  readonly rounding: Rounding;
  readonly overflow: Overflow;
  readonly seed: number;
  readonly nanCode: number | null;
  readonly negativeZero: 'keep' | 'positive';
  readonly negative: 'nan' | 'magnitude';
  readonly zero: 'nan' | 'min';
  readonly subnormalInput: 'round' | 'ceil';
  readonly codeRange: readonly [number, number] | null;
}

function oneOf<T extends string>(what: string, value: unknown, allowed: readonly T[], dflt: T): T {
  if (value === undefined) return dflt;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ArgumentError(
      'unknown-name',
      what,
      `unknown ${what} "${String(value)}" (expected one of: ${allowed.join(', ')})`,
    );
  }
  return value as T;
}

/** The largest stochastic-rounding seed: seeds are unsigned 32-bit integers, so none wraps onto another. */
export const MAX_SEED = 0xffffffff;

/** Validate options and fill in defaults. Throws an ArgumentError (a RangeError) naming the bad field. */
export function normalizeOptions(o: EncodeOptions = {}, codeCount = 256): ResolvedOptions {
  if (o === null || typeof o !== 'object') {
    throw new ArgumentError(
      'bad-type',
      'options',
      `options must be an object, got ${o === null ? 'null' : typeof o}`,
    );
  }
  const seed = o.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new ArgumentError(
      'out-of-range',
      'seed',
      `seed must be an integer from 0 to ${MAX_SEED}, got ${String(seed)}`,
    );
  }
  const checkCode = (c: unknown, what: string) => {
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= codeCount) {
      throw new ArgumentError(
        'out-of-range',
        what,
        `${what} ${String(c)} is not a code of this format (0..${codeCount - 1})`,
      );
    }
  };
  if (o.nanCode !== undefined) checkCode(o.nanCode, 'nanCode');
  if (o.codeRange) {
    if (!Array.isArray(o.codeRange) || o.codeRange.length !== 2) {
      throw new ArgumentError('bad-type', 'codeRange', 'codeRange must be a pair [low, high]');
    }
    checkCode(o.codeRange[0], 'codeRange low');
    checkCode(o.codeRange[1], 'codeRange high');
    if (o.codeRange[0] > o.codeRange[1]) {
      throw new ArgumentError('out-of-range', 'codeRange', 'codeRange low is above high');
    }
  }
  return {
    rounding: oneOf('rounding', o.rounding, ROUNDING_MODES, 'nearest-even'),
    overflow: oneOf('overflow', o.overflow, OVERFLOW_MODES, 'nonfinite'),
    seed,
    nanCode: o.nanCode ?? null,
    negativeZero: oneOf('negativeZero', o.negativeZero, ['keep', 'positive'] as const, 'keep'),
    negative: oneOf('negative', o.negative, ['nan', 'magnitude'] as const, 'nan'),
    zero: oneOf('zero', o.zero, ['nan', 'min'] as const, 'nan'),
    subnormalInput: oneOf('subnormalInput', o.subnormalInput, ['round', 'ceil'] as const, 'round'),
    codeRange: o.codeRange ? [o.codeRange[0], o.codeRange[1]] : null,
  };
}

/** A small, fast, seedable generator (mulberry32): uniform numbers in [0, 1). */
export function makeRng(seed: number): () => number {
  let s = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
