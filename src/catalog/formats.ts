/**
 * @module catalog/formats
 * What a name in an accelerator's `formats.native` list means, read from the one registry of
 * element formats (`formats/spec.ts`) and block schemes (`quant/presets.ts`). The catalogue keeps
 * no list of formats of its own: a chip may list any registered format or scheme name or alias,
 * so adding a format is one registry record. The only names defined here are the few the registry
 * has no record for, each with its reason ({@link NATIVE_FORMAT_ALIASES}, {@link WIDE_FORMATS}).
 */
import { FORMAT_NAMES, FORMATS, hasOwnName } from '../formats/index.js';
import { findScheme } from '../quant/presets.js';
import { type BlockScheme, elementKindBits, integerElement } from '../quant/scheme.js';

/**
 * Catalogue spellings of registry formats, written as vendors' data sheets name them
 * (`fp8-e5m2`), mapped to the registry's name. Each target must be a registered format or scheme
 * (a test checks it), so this is a table of spellings, not of formats.
 */
export const NATIVE_FORMAT_ALIASES: Readonly<Record<string, string>> = {
  // Data sheets write FP8 variants as "FP8 E5M2"; the registry names the element e5m2 (E4M3 is the
  // registry's own `fp8-e4m3` short name, so it needs no entry here).
  'fp8-e5m2': 'e5m2',
  // AMD MI300-series FP8 is the FNUZ pair (bias 8/16, NaN = 0x80).
  'fp8-e4m3fnuz': 'e4m3fnuz',
  'fp8-e5m2fnuz': 'e5m2fnuz',
};

/**
 * Matrix-unit input formats wider than anything the registry encodes: no quantizer, codec or
 * storage layout exists for them, so they are not registry records. The simulator counts fp32 as
 * its unquantised baseline; tf32 has no peak figure of its own in the catalogue.
 */
export const WIDE_FORMATS: Readonly<Record<string, string>> = {
  fp32: 'IEEE 754 binary32 (the host float; the unquantised baseline)',
  tf32: 'NVIDIA TensorFloat-32: FP32 inputs rounded to 10 mantissa bits inside the tensor cores',
};

/** What a native-format name resolves to. */
export interface NativeFormatInfo {
  /** The name as written in accelerators.json. */
  name: string;
  /** `format`: a registry element format; `scheme`: a registry block scheme; `wide`: one of {@link WIDE_FORMATS}. */
  kind: 'format' | 'scheme' | 'wide';
  /** The registry name (format or scheme name), or the wide format's name. */
  id: string;
  /** The element the matrix unit multiplies: a registry element name (`e4m3fn`, `e2m1`, `int8`, ...) or `fp32`/`tf32`. */
  element: string;
  /** Bits of one element code (32 and 19 for the wide formats). */
  elementBits: number;
  /** Whether the element is an integer. */
  integer: boolean;
  /** The block scheme, when the name is one (its scale rule says MX, NVFP4 or per-tensor). */
  scheme?: BlockScheme;
  /** The catalogue alias that led to the registry name, if one did. */
  via?: string;
}

/** The registry element format a name or alias (`bfloat16`) names, or undefined. Own properties only. */
function findFormatName(name: string): string | undefined {
  if (hasOwnName(FORMATS, name)) return name;
  return FORMAT_NAMES.find((n) => FORMATS[n].aliases?.includes(name));
}

function fromRegistry(name: string, target: string, via?: string): NativeFormatInfo | undefined {
  const format = findFormatName(target);
  if (format !== undefined) {
    const bits = FORMATS[format as keyof typeof FORMATS].bits;
    return { name, kind: 'format', id: format, element: format, elementBits: bits, integer: false, via };
  }
  const scheme = findScheme(target);
  if (scheme) {
    return {
      name,
      kind: 'scheme',
      id: scheme.name,
      element: scheme.element,
      elementBits: elementKindBits(scheme.element),
      integer: integerElement(scheme.element) !== null,
      scheme,
      via,
    };
  }
  return undefined;
}

/**
 * Resolve a native-format name: a registry format (name or alias), else a registry scheme (name
 * or short name), else a catalogue spelling from {@link NATIVE_FORMAT_ALIASES}, else a wide format.
 * Returns undefined for a name that means nothing (the load-time check reports it).
 */
export function resolveNativeFormat(name: string): NativeFormatInfo | undefined {
  const direct = fromRegistry(name, name);
  if (direct) return direct;
  if (hasOwnName(NATIVE_FORMAT_ALIASES, name)) return fromRegistry(name, NATIVE_FORMAT_ALIASES[name]!, name);
  if (hasOwnName(WIDE_FORMATS, name)) {
    return {
      name,
      kind: 'wide',
      id: name,
      element: name,
      elementBits: name === 'tf32' ? 19 : 32,
      integer: false,
    };
  }
  return undefined;
}

/** Is the resolved format an 8-bit float (any FP8 variant or HiF8)? */
export function isFp8(info: NativeFormatInfo): boolean {
  return !info.integer && info.elementBits === 8 && info.element !== 'e8m0';
}

/**
 * The best 8-bit weight format a chip's matrix units run natively, read from its catalogue native
 * formats: `fp8` (any 8-bit float, MX-scaled or not), else `int8`, else `bf16`. The one definition
 * behind the default weights of `perf`, the named scenarios and the dashboard; whether the chip's
 * peak for that format is published is the simulator's question (it names the missing figure).
 */
export function nativeEightBit(native: readonly string[]): 'fp8' | 'int8' | 'bf16' {
  const infos = native.map(resolveNativeFormat).filter((i): i is NativeFormatInfo => i !== undefined);
  if (infos.some(isFp8)) return 'fp8';
  if (infos.some((i) => i.integer && i.elementBits === 8)) return 'int8';
  return 'bf16';
}

/** Does the resolved format carry OCP MX (E8M0) block scales? */
export function isMxScaled(info: NativeFormatInfo): boolean {
  return info.scheme?.scale.kind.startsWith('mx-') === true;
}
