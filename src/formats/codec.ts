/**
 * @module formats/codec
 * The public face of the element formats: scalar and whole-array encode/decode with explicit
 * options or a named preset.
 */
import { decodeInto, encodeInto } from './bulk.js';
import { encodeScalar } from './encode.js';
import { ArgumentError } from './errors.js';
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
  /**
   * Encode an array; 16-bit formats give a Uint16Array, the others a Uint8Array (one code per
   * byte). A Float32Array takes the fast table path; any other array of numbers (a plain array, a
   * Float64Array) is encoded value by value as `encode` does, rounded once from float64. Anything
   * else, or an element that is not a number, is an ArgumentError.
   */
  encodeArray(
    src: Float32Array | ArrayLike<number>,
    out?: Uint8Array | Uint16Array,
  ): Uint8Array | Uint16Array;
  /** Decode codes to float32. Codes past the format's range decode to NaN. */
  decodeArray(codes: Uint8Array | Uint16Array, out?: Float32Array): Float32Array;
}

/** The length of an array-like argument; an ArgumentError for anything else (a number, a string, null). */
function arrayLength(src: unknown, what: string): number {
  if (ArrayBuffer.isView(src) && !(src instanceof DataView))
    return (src as unknown as ArrayLike<number>).length;
  if (Array.isArray(src)) return src.length;
  const len = src !== null && typeof src === 'object' ? (src as { length?: unknown }).length : undefined;
  if (typeof len !== 'number' || !Number.isSafeInteger(len) || len < 0) {
    throw new ArgumentError('bad-type', what, `${what} must be an array of numbers or a Float32Array`);
  }
  return len;
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
      const n = arrayLength(src, 'src');
      if (out !== undefined && !(out instanceof Uint8Array || out instanceof Uint16Array)) {
        throw new ArgumentError('bad-type', 'out', 'out must be a Uint8Array or a Uint16Array');
      }
      const dst = out ?? (wide ? new Uint16Array(n) : new Uint8Array(n));
      if (dst.length < n) {
        throw new ArgumentError('bad-length', 'out', `output holds ${dst.length} codes, input has ${n}`);
      }
      if (wide !== dst instanceof Uint16Array) {
        throw new ArgumentError(
          'bad-type',
          'out',
          `${info.spec.name} codes need a ${wide ? 'Uint16Array' : 'Uint8Array'}`,
        );
      }
      if (src instanceof Float32Array) {
        encodeInto(info, options, src, dst);
        return dst;
      }
      const values = src as ArrayLike<unknown>;
      for (let i = 0; i < n; i++) {
        const x = values[i];
        if (typeof x !== 'number') {
          throw new ArgumentError('bad-type', 'src', `src[${i}] is ${typeof x}, not a number`);
        }
        dst[i] = encodeScalar(info, options, x, false, rng);
      }
      return dst;
    },
    decodeArray(codes, out) {
      if (!(codes instanceof Uint8Array || codes instanceof Uint16Array)) {
        throw new ArgumentError('bad-type', 'codes', 'codes must be a Uint8Array or a Uint16Array');
      }
      if (out !== undefined && !(out instanceof Float32Array)) {
        throw new ArgumentError('bad-type', 'out', 'out must be a Float32Array');
      }
      const dst = out ?? new Float32Array(codes.length);
      if (dst.length < codes.length) {
        throw new ArgumentError(
          'bad-length',
          'out',
          `output holds ${dst.length} values, input has ${codes.length}`,
        );
      }
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

/** Encode an array of numbers (see `Codec.encodeArray`). */
export function encodeArray(
  format: FormatName | string,
  src: Float32Array | ArrayLike<number>,
  opts?: CodecOptions,
): Uint8Array | Uint16Array {
  return codec(format, opts).encodeArray(src);
}

/** Decode an array of codes to float32. */
export function decodeArray(format: FormatName | string, codes: Uint8Array | Uint16Array): Float32Array {
  return codec(format).decodeArray(codes);
}
