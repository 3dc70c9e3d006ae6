/**
 * @module perf/formats
 * Storage formats as the simulator counts them, **derived** from the one registry of element
 * formats (`formats/spec.ts`) and block schemes (`quant/presets.ts`): bits per element including
 * block-scale overhead, and the element kind the matrix unit must run. Nothing here is typed in
 * per format: a scheme registered anywhere is a storage format here (its first short name, or its
 * own name, is the id). The only row that is not a registry record is float32, the unquantised
 * baseline the host computes in.
 */
import { FORMAT_NAMES, type FormatSpec, getFormat as getElementFormat } from '../formats/index.js';
import {
  type BlockScheme,
  coarseScale,
  integerElement,
  SCHEME_ALIASES,
  SCHEMES,
  type ScaleStorage,
  schemeStorage,
} from '../quant/index.js';

/** The kind of number a matrix unit multiplies; decides which peak applies. */
export type ElementKind = 'fp32' | 'bf16' | 'fp16' | 'fp8' | 'int8' | 'fp6' | 'fp4' | 'int4';

/** How a format's block scales are applied: not at all, MX-style (E8M0, hardware-capable), NVFP4-style, or by software. */
export type ScaleStyle = 'none' | 'mx' | 'nvfp4' | 'software';

export interface BlockScale {
  /** Elements sharing one scale (a 128x128 tile is 16384). */
  elements: number;
  /** Width of one scale in bits (E8M0/UE8M0 8, UE4M3 8, fp32 32, fp16 16, HiFloat4's E6M2 + 24 one-bit exponents 32). */
  scaleBits: number;
  scaleType: 'ue8m0' | 'ue4m3' | 'fp32' | 'fp16' | 'e6m2+e1';
  /** Block shape for the description, e.g. "1x32", "128x128". */
  shape: string;
}

export interface StorageFormat {
  id: string;
  aliases: readonly string[];
  element: ElementKind;
  elementBits: number;
  block: BlockScale | null;
  /** Bits of one per-tensor scale (NVFP4's fp32 second-level scale); negligible per element, kept for the record. */
  tensorScaleBits: number;
  scaleStyle: ScaleStyle;
  note: string;
  /** The registry scheme this format stores (null for unscaled element formats and float32). */
  scheme: string | null;
}

/** The matrix-unit kind of a registry element: integers by width, floats by width (16-bit by exponent). */
export function elementKindOf(element: BlockScheme['element']): ElementKind {
  const int = integerElement(element);
  if (int) return int.bits <= 4 ? 'int4' : 'int8';
  return floatKind(getElementFormat(element));
}

function floatKind(f: FormatSpec): ElementKind {
  if (f.bits <= 4) return 'fp4';
  if (f.bits <= 6) return 'fp6';
  if (f.bits <= 8) return 'fp8';
  if (f.bits <= 16) return f.expBits >= 8 ? 'bf16' : 'fp16';
  return 'fp32';
}

const SCALE_TYPE: Record<ScaleStorage, BlockScale['scaleType']> = {
  e8m0: 'ue8m0',
  e4m3fn: 'ue4m3',
  f32: 'fp32',
  f16: 'fp16',
  hif4: 'e6m2+e1',
};

/** How block scales are applied: E8M0 (power-of-two) scales on MX-capable hardware, NVFP4's E4M3 on NVFP4 hardware, else software. */
function scaleStyleOf(s: BlockScheme, block: BlockScale | null): ScaleStyle {
  if (!block) return 'none';
  if (s.scale.kind === 'nvfp4') return 'nvfp4';
  if (s.scaleStorage === 'e8m0') return 'mx';
  return 'software';
}

function fromScheme(s: BlockScheme, id: string, aliases: string[]): StorageFormat {
  const st = schemeStorage(s);
  const block: BlockScale | null =
    st.blockElements === null
      ? null
      : {
          elements: st.blockElements,
          scaleBits: st.scaleBits,
          scaleType: SCALE_TYPE[s.scaleStorage],
          shape: st.blockShape,
        };
  const element = elementKindOf(s.element);
  const what = integerElement(s.element)?.title ?? getElementFormat(s.element).title;
  const scales = block
    ? `one ${block.scaleType.toUpperCase()} scale per ${block.shape}`
    : `${st.blockShape} ${SCALE_TYPE[s.scaleStorage]} scale`;
  const global = st.globalScaleBits ? `, plus one fp${st.globalScaleBits} scale per tensor` : '';
  // dual-level MXFP4: its float32 level per 512 of a row (already priced in st.scaleBits)
  const c = coarseScale(s);
  const coarse = c ? `, plus one fp${c.bits} scale per 1x${c.elements}` : '';
  return {
    id,
    aliases,
    element,
    elementBits: st.elementBits,
    block,
    tensorScaleBits: st.globalScaleBits || (block ? 0 : st.scaleBits),
    scaleStyle: scaleStyleOf(s, block),
    note: `${what}; ${scales}${coarse}${global} (scheme ${s.name})`,
    scheme: s.name,
  };
}

function fromElement(f: FormatSpec): StorageFormat {
  return {
    id: f.name,
    aliases: [...(f.aliases ?? [])],
    element: floatKind(f),
    elementBits: f.bits,
    block: null,
    tensorScaleBits: 0,
    scaleStyle: 'none',
    note: f.title,
    scheme: null,
  };
}

/** float32: the unquantised baseline (not a stored low-precision format, so not a registry record). */
const FP32: StorageFormat = {
  id: 'fp32',
  aliases: ['float32'],
  element: 'fp32',
  elementBits: 32,
  block: null,
  tensorScaleBits: 0,
  scaleStyle: 'none',
  note: 'IEEE binary32 (unquantised)',
  scheme: null,
};

/**
 * The storage formats, derived from the registry: float32, the unscaled 16-bit element formats,
 * then one per registered scheme. Kept up to date as formats and schemes are registered.
 */
export const STORAGE_FORMATS: readonly StorageFormat[] = [];

const byName = new Map<string, StorageFormat>();
let builtFor = '';

const norm = (name: string) =>
  name
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');

function refresh(): void {
  const key = `${FORMAT_NAMES.length}/${Object.keys(SCHEMES).length}/${Object.keys(SCHEME_ALIASES).length}`;
  if (key === builtFor) return;
  builtFor = key;
  const shortNames = new Map<string, string[]>();
  for (const [alias, target] of Object.entries(SCHEME_ALIASES)) {
    const list = shortNames.get(target) ?? [];
    list.push(alias);
    shortNames.set(target, list);
  }
  const rows: StorageFormat[] = [FP32];
  for (const name of FORMAT_NAMES) {
    const f = getElementFormat(name);
    if (f.bits >= 16) rows.push(fromElement(f));
  }
  for (const s of Object.values(SCHEMES)) {
    const names = shortNames.get(s.name) ?? [];
    const id = names[0] ?? s.name;
    rows.push(fromScheme(s, id, [...names.slice(1), ...(id === s.name ? [] : [s.name])]));
  }
  const list = STORAGE_FORMATS as StorageFormat[];
  list.length = 0;
  list.push(...rows);
  byName.clear();
  // ids first, so an alias never shadows another format's id
  for (const f of rows) byName.set(norm(f.id), f);
  for (const f of rows) for (const a of f.aliases) if (!byName.has(norm(a))) byName.set(norm(a), f);
}
refresh();

/** The current storage formats (the live {@link STORAGE_FORMATS} array, brought up to date). */
export function storageFormats(): readonly StorageFormat[] {
  refresh();
  return STORAGE_FORMATS;
}

/** Bits per element including the block scale, excluding the negligible per-tensor scale. */
export function bitsPerElement(format: StorageFormat): number {
  return format.elementBits + (format.block ? format.block.scaleBits / format.block.elements : 0);
}

/** Bytes per element including the block scale. */
export function bytesPerElement(format: StorageFormat): number {
  return bitsPerElement(format) / 8;
}

/** Look a format up by id, alias or scheme name (case-insensitive); undefined when unknown. */
export function findFormat(name: string): StorageFormat | undefined {
  refresh();
  return byName.get(norm(name));
}

/** Like {@link findFormat} but throws a RangeError naming the known ids. */
export function getFormat(name: string): StorageFormat {
  const f = findFormat(name);
  if (!f)
    throw new RangeError(`unknown format "${name}"; known: ${STORAGE_FORMATS.map((x) => x.id).join(', ')}`);
  return f;
}

/** One row per format: id, bits per element with scales, and the block description. */
export function formatTable(): { id: string; bits: number; block: string; note: string }[] {
  return storageFormats().map((f) => ({
    id: f.id,
    bits: bitsPerElement(f),
    block: f.block ? `${f.block.shape} ${f.block.scaleType}` : 'none',
    note: f.note,
  }));
}
