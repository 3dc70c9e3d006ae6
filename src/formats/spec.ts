/**
 * @module formats/spec
 * One record per element format. Everything else (limits, value tables, encoders) is derived
 * from these records; a format that differs from the IEEE pattern says so in one field.
 */
import { ArgumentError, hasOwnName } from './errors.js';

/** The names of the built-in element formats (the compiler checks tables keyed by them). */
export const BUILTIN_FORMAT_NAMES = [
  'e4m3fn',
  'e5m2',
  'e4m3fnuz',
  'e5m2fnuz',
  'e8m0',
  'e2m3',
  'e3m2',
  'e2m1',
  'bf16',
  'fp16',
  'hif8',
  'hif4',
  'e6m2',
] as const;
export type FormatName = (typeof BUILTIN_FORMAT_NAMES)[number];

/**
 * The names of every registered element format, in display order: the built-ins, then any added
 * with {@link registerFormat}. Listings (`chipstack formats`, the dashboard) iterate this array.
 */
export const FORMAT_NAMES: readonly FormatName[] = [...BUILTIN_FORMAT_NAMES];

/**
 * How a format spends its special codes.
 * - `ieee`: exponent all ones is Inf (mantissa 0) or NaN (mantissa not 0); signed zeros.
 * - `fn`: finite + NaN only: the all-ones code S.1111.111 is NaN, no Inf (OCP E4M3).
 * - `fnuz`: finite + NaN only, no negative zero: the code 0x80 (sign bit alone) is the one NaN.
 * - `finite`: no Inf, no NaN at all (OCP FP6 and FP4).
 * - `e8m0`: unsigned powers of two 2^(b-127), no zero, 0xFF is NaN (OCP MX scale).
 * - `hif8`: Huawei HiFloat8, tapered precision with a prefix-coded dot field (see hif8.ts).
 */
export type SpecialsPolicy = 'ieee' | 'fn' | 'fnuz' | 'finite' | 'e8m0' | 'hif8';

export interface FormatSpec {
  readonly name: FormatName;
  /** One line: what the format is and where it is defined. */
  readonly title: string;
  /** Bits per code (4- and 6-bit formats are stored one code per byte, high bits zero). */
  readonly bits: number;
  /** Whether the top bit is a sign bit. */
  readonly signed: boolean;
  /** Exponent field width (for HiF8: the widest exponent field). */
  readonly expBits: number;
  /** Mantissa field width (for HiF8: the widest mantissa field). */
  readonly manBits: number;
  /** Exponent bias; defaults to 2^(expBits-1) - 1 when left out. */
  readonly bias: number;
  readonly specials: SpecialsPolicy;
  /** Whether exponent field 0 holds subnormals (false for E8M0, where 0x00 is 2^-127). */
  readonly subnormals: boolean;
  /** Where the format is defined. */
  readonly reference: string;
  /** Other spellings accepted where a storage format is named (perf's `--weights bfloat16`). */
  readonly aliases?: readonly string[];
}

/** A format record as written: bias and subnormals default to the IEEE pattern. */
export type FormatSpecInput = Omit<FormatSpec, 'bias' | 'subnormals' | 'name'> & {
  name: string;
  bias?: number;
  subnormals?: boolean;
};

/** The public HiFloat4 reference library of arXiv 2602.11287 (Global Computing Consortium). */
export const HIF4_REF = 'global-computing-consortium/HiFloat4 hif4_gpu/HiF4_NVFP4_v14f16.py';

function define(input: FormatSpecInput): FormatSpec {
  return {
    ...input,
    name: input.name as FormatName,
    bias: input.bias ?? 2 ** (input.expBits - 1) - 1,
    subnormals: input.subnormals ?? true,
  };
}

const OCP_MX = 'OCP Microscaling Formats (MX) v1.0 specification';
const OCP_FP8 = 'OCP 8-bit Floating Point Specification (OFP8) rev 1.0';

/** The format table, in display order. */
export const FORMATS: Readonly<Record<FormatName, FormatSpec>> = {
  e4m3fn: define({
    name: 'e4m3fn',
    title: 'FP8 E4M3 (OCP, "fn": finite + NaN, max 448)',
    bits: 8,
    signed: true,
    expBits: 4,
    manBits: 3,
    specials: 'fn',
    reference: OCP_FP8,
  }),
  e5m2: define({
    name: 'e5m2',
    title: 'FP8 E5M2 (OCP, IEEE-style Inf and NaN, max 57344)',
    bits: 8,
    signed: true,
    expBits: 5,
    manBits: 2,
    specials: 'ieee',
    reference: OCP_FP8,
  }),
  e4m3fnuz: define({
    name: 'e4m3fnuz',
    title: 'FP8 E4M3 FNUZ (Graphcore/AMD: bias 8, NaN = 0x80, no -0, max 240)',
    bits: 8,
    signed: true,
    expBits: 4,
    manBits: 3,
    bias: 8,
    specials: 'fnuz',
    reference: 'Graphcore/AMD/Qualcomm 8-bit float proposal (arXiv 2206.02915); ml_dtypes float8_e4m3fnuz',
  }),
  e5m2fnuz: define({
    name: 'e5m2fnuz',
    title: 'FP8 E5M2 FNUZ (bias 16, NaN = 0x80, no -0, max 57344)',
    bits: 8,
    signed: true,
    expBits: 5,
    manBits: 2,
    bias: 16,
    specials: 'fnuz',
    reference: 'Graphcore/AMD/Qualcomm 8-bit float proposal (arXiv 2206.02915); ml_dtypes float8_e5m2fnuz',
  }),
  e8m0: define({
    name: 'e8m0',
    title: 'E8M0 / UE8M0 scale (unsigned power of two 2^(b-127), 0xFF = NaN, no zero)',
    bits: 8,
    signed: false,
    expBits: 8,
    manBits: 0,
    specials: 'e8m0',
    subnormals: false,
    reference: OCP_MX,
  }),
  e2m3: define({
    name: 'e2m3',
    title: 'FP6 E2M3 (OCP MX, finite only, max 7.5)',
    bits: 6,
    signed: true,
    expBits: 2,
    manBits: 3,
    specials: 'finite',
    reference: OCP_MX,
  }),
  e3m2: define({
    name: 'e3m2',
    title: 'FP6 E3M2 (OCP MX, finite only, max 28)',
    bits: 6,
    signed: true,
    expBits: 3,
    manBits: 2,
    specials: 'finite',
    reference: OCP_MX,
  }),
  e2m1: define({
    name: 'e2m1',
    title: 'FP4 E2M1 (OCP MX / NVFP4 element, finite only, max 6)',
    bits: 4,
    signed: true,
    expBits: 2,
    manBits: 1,
    specials: 'finite',
    reference: OCP_MX,
  }),
  bf16: define({
    name: 'bf16',
    title: 'bfloat16 (float32 with 7 mantissa bits)',
    bits: 16,
    signed: true,
    expBits: 8,
    manBits: 7,
    specials: 'ieee',
    reference: 'Google Brain bfloat16; IEEE-754 semantics on 16 bits',
    aliases: ['bfloat16'],
  }),
  fp16: define({
    name: 'fp16',
    title: 'IEEE 754 binary16',
    bits: 16,
    signed: true,
    expBits: 5,
    manBits: 10,
    specials: 'ieee',
    reference: 'IEEE 754-2019 binary16',
    aliases: ['float16', 'half'],
  }),
  hif8: define({
    name: 'hif8',
    title: 'Huawei HiFloat8 (tapered: dot-coded exponent width, 1-3 mantissa bits, max 32768)',
    bits: 8,
    signed: true,
    expBits: 4,
    manBits: 3,
    bias: 0,
    specials: 'hif8',
    reference: 'Luo et al., "Ascend HiFloat8 Format for Deep Learning", arXiv 2409.16626',
  }),
  hif4: define({
    name: 'hif4',
    title: 'Huawei HiFloat4 element (S1E1M2, bias 1, finite only: 0 to 1.75, signed zeros)',
    bits: 4,
    signed: true,
    expBits: 1,
    manBits: 2,
    bias: 1,
    specials: 'finite',
    reference:
      'hicann/opbase include/nnopbase/opdev/hifloat4.h (HiFloat4: 1 sign, 1 exponent bias 1, 2 mantissa, max 1.75, no NaN/Inf)',
  }),
  e6m2: define({
    name: 'e6m2',
    title:
      'E6M2 scale (HiFloat4 block scale: unsigned 2^[-48, 15] x 1.M2, no zero, no subnormals, 0xFF = NaN)',
    bits: 8,
    signed: false,
    expBits: 6,
    manBits: 2,
    bias: 48,
    specials: 'fn',
    subnormals: false,
    reference: `${HIF4_REF} BF16_to_E6MX (E6M2: 2^[-48, 15] * 1.M2, E6_offset = 48, 2^15 * 1.75 is NaN, max 49152)`,
  }),
};

/**
 * Add an element format to the registry (a test-only minifloat, or a format a user defines).
 * Every derived fact (values, limits, codecs, listings, schemes on it, perf's storage formats)
 * follows from the record. Throws RangeError for a taken name or an inconsistent record.
 */
export function registerFormat(input: FormatSpecInput): FormatSpec {
  if (Object.hasOwn(FORMATS, input.name))
    throw new RangeError(`format "${input.name}" is already registered`);
  if (!/^[a-z][a-z0-9_-]*$/.test(input.name)) {
    throw new RangeError(`format name "${input.name}" must be lower-case letters, digits, "-" or "_"`);
  }
  if (input.specials === 'hif8' || input.specials === 'e8m0') {
    throw new RangeError(`format ${input.name}: specials "${input.specials}" belong to one built-in format`);
  }
  if (!Number.isInteger(input.bits) || input.bits < 2 || input.bits > 8) {
    throw new RangeError(`format ${input.name}: a registered minifloat has 2 to 8 bits, got ${input.bits}`);
  }
  if (input.expBits + input.manBits + (input.signed ? 1 : 0) !== input.bits) {
    throw new RangeError(`format ${input.name}: sign + exponent + mantissa bits must equal ${input.bits}`);
  }
  const spec = define(input);
  (FORMATS as Record<string, FormatSpec>)[spec.name] = spec;
  (FORMAT_NAMES as FormatName[]).push(spec.name);
  return spec;
}

/** Look up a format by name; throws a RangeError naming the known formats. */
export function getFormat(name: string): FormatSpec {
  if (!hasOwnName(FORMATS, name)) {
    throw new ArgumentError(
      'unknown-name',
      'format',
      `unknown format "${String(name)}" (known: ${FORMAT_NAMES.join(', ')})`,
    );
  }
  return (FORMATS as Record<string, FormatSpec>)[name]!;
}
