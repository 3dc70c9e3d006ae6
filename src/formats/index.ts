/**
 * @module formats
 * Element formats: records, derived facts, presets and codecs.
 */

export { bitsFromF32, f32FromBits } from './bulk.js';
export {
  type Codec,
  type CodecOptions,
  codec,
  decode,
  decodeArray,
  encode,
  encodeArray,
  resolveOptions,
} from './codec.js';
export { describeFormat, type FormatRow } from './describe.js';
export { ArgumentError, type ArgumentErrorCode, checkCounts, hasOwnName } from './errors.js';
export { hif4FromFloatOpbase } from './hif4.js';
export { decodeCode, type FormatInfo, formatInfo } from './info.js';
export {
  type EncodeOptions,
  MAX_SEED,
  makeRng,
  normalizeOptions,
  OVERFLOW_MODES,
  type Overflow,
  type ResolvedOptions,
  ROUNDING_MODES,
  type Rounding,
} from './options.js';
export { PRESET_NAMES, PRESETS, type Preset, type PresetName, presetOptions } from './presets.js';
export {
  BUILTIN_FORMAT_NAMES,
  FORMAT_NAMES,
  FORMATS,
  type FormatName,
  type FormatSpec,
  type FormatSpecInput,
  getFormat,
  registerFormat,
  type SpecialsPolicy,
} from './spec.js';
