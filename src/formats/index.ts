/**
 * @module formats
 * Element formats: records, derived facts, presets and codecs.
 */
export { FORMAT_NAMES, FORMATS, getFormat, type FormatName, type FormatSpec, type SpecialsPolicy } from './spec.js';
export { formatInfo, decodeCode, type FormatInfo } from './info.js';
export {
  ROUNDING_MODES,
  OVERFLOW_MODES,
  normalizeOptions,
  makeRng,
  type Rounding,
  type Overflow,
  type EncodeOptions,
  type ResolvedOptions,
} from './options.js';
export { PRESETS, PRESET_NAMES, presetOptions, type Preset, type PresetName } from './presets.js';
export {
  codec,
  resolveOptions,
  encode,
  decode,
  encodeArray,
  decodeArray,
  type Codec,
  type CodecOptions,
} from './codec.js';
export { f32FromBits, bitsFromF32 } from './bulk.js';
export { describeFormat, type FormatRow } from './describe.js';
