/**
 * @module formats/codec
 * The public face of the element formats: scalar and whole-array encode/decode with explicit
 * options or a named preset.
 */
import { decodeInto, encodeInto } from './bulk.js';
import { encodeScalar } from './encode.js';
import { decodeCode, type FormatInfo, formatInfo } from './info.js';
import { type EncodeOptions, makeRng, normalizeOptions, type ResolvedOptions } from './options.js';
import { type PresetName, presetOptions } from './presets.js';
import type { FormatName, FormatSpec } from './spec.js';

/** Options plus an optional preset underneath them (explicit fields win over the preset's). */
export interface CodecOptions extends EncodeOptions {
  preset?: PresetName | string;
}

export interface Codec {
  readonly info: FormatInfo;
  readonly options: ResolvedOptions;
  /** Encode one number (rounded once, from float64). */
  encode(x: number): number;
  /** Decode one code; RangeError for a code out of range. */
  decode(code: number): number;
  /** Encode a Float32Array; 16-bit formats give a Uint16Array, the others a Uint8Array (one code per byte). */
  encodeArray(src: Float32Array, out?: Uint8Array | Uint16Array): Uint8Array | Uint16Array;
  /** Decode codes to float32. Codes past the format's range decode to NaN. */
  decodeArray(codes: Uint8Array | Uint16Array, out?: Float32Array): Float32Array;
}

/** Resolve a preset and explicit options for a format into canonical options. */
export function resolveOptions(
  format: FormatName | FormatSpec | string,
  opts: CodecOptions = {},
): ResolvedOptions {
  const info = formatInfo(format);
  const { preset, ...explicit } = opts;
  const base = preset === undefined ? {} : presetOptions(preset, info.spec.name);
  const merged: EncodeOptions = { ...base };
  for (const [k, v] of Object.entries(explicit))
    if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
  return normalizeOptions(merged, info.codeCount);
}

/** Make a codec for a format; the options are validated once here. */
export function codec(format: FormatName | FormatSpec | string, opts: CodecOptions = {}): Codec {
  const info = formatInfo(format);
  const options = resolveOptions(info.spec, opts);
  const rng = makeRng(options.seed);
  const wide = info.spec.bits > 8;
  return {
    info,
    options,
    encode: (x) => encodeScalar(info, options, x, false, rng),
    decode: (code) => decodeCode(info.spec, code),
    encodeArray(src, out) {
      const dst = out ?? (wide ? new Uint16Array(src.length) : new Uint8Array(src.length));
      if (dst.length < src.length)
        throw new RangeError(`output holds ${dst.length} codes, input has ${src.length}`);
      if (wide !== dst instanceof Uint16Array) {
        throw new TypeError(`${info.spec.name} codes need a ${wide ? 'Uint16Array' : 'Uint8Array'}`);
      }
      encodeInto(info, options, src, dst);
      return dst;
    },
    decodeArray(codes, out) {
      const dst = out ?? new Float32Array(codes.length);
      if (dst.length < codes.length)
        throw new RangeError(`output holds ${dst.length} values, input has ${codes.length}`);
      decodeInto(info, codes, dst);
      return dst;
    },
  };
}

/** Encode one value. */
export function encode(format: FormatName | string, x: number, opts?: CodecOptions): number {
  return codec(format, opts).encode(x);
}

/** Decode one code. */
export function decode(format: FormatName | string, code: number): number {
  return decodeCode(formatInfo(format).spec, code);
}

/** Encode a Float32Array. */
export function encodeArray(
  format: FormatName | string,
  src: Float32Array,
  opts?: CodecOptions,
): Uint8Array | Uint16Array {
  return codec(format, opts).encodeArray(src);
}

/** Decode an array of codes to float32. */
export function decodeArray(format: FormatName | string, codes: Uint8Array | Uint16Array): Float32Array {
  return codec(format).decodeArray(codes);
}
