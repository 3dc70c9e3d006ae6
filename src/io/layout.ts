/**
 * @module io/layout
 * Where a writer puts each tensor. The reference writer orders tensors by descending dtype
 * alignment, then by name, and pads the JSON header with spaces to a multiple of 8 bytes so the
 * data buffer starts 8-aligned. The layout is checked by parsing it back with the reader's own
 * validator, so a writer cannot produce a file the reader would refuse.
 */
import { byteSize, type Dtype, dtypeRank, isDtype } from './dtypes.js';
import { SafetensorsError } from './errors.js';
import { METADATA_KEY, parseSafetensorsHeader, type TensorInfo } from './header.js';

/** A tensor to be written: its name, dtype and shape. */
export interface TensorSpec {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
}

/** A planned file: the header bytes (length prefix included) and each tensor's place. */
export interface Layout {
  /** The first 8 + N bytes of the file. */
  readonly header: Uint8Array;
  /** Tensors in the order the writer lays them out. */
  readonly tensors: readonly TensorInfo[];
  /** The size of the finished file. */
  readonly fileSize: number;
}

/** Plan a file holding `specs` and `metadata`; `file` labels errors. */
export function layoutSafetensors(
  specs: readonly TensorSpec[],
  metadata: Readonly<Record<string, string>> = {},
  file = '<output>',
): Layout {
  checkSpecs(specs, metadata, file);
  const ordered = [...specs].sort(
    (a, b) => dtypeRank(b.dtype) - dtypeRank(a.dtype) || compareCodePoints(a.name, b.name),
  );
  const parts: string[] = [];
  if (Object.keys(metadata).length > 0)
    parts.push(`${JSON.stringify(METADATA_KEY)}:${JSON.stringify(metadata)}`);
  let offset = 0;
  for (const t of ordered) {
    const end = offset + Number(byteSize(t.dtype, t.shape));
    const entry = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, end] };
    parts.push(`${JSON.stringify(t.name)}:${JSON.stringify(entry)}`);
    offset = end;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const n = json.length + ((8 - (json.length % 8)) % 8);
  const header = new Uint8Array(8 + n).fill(0x20);
  new DataView(header.buffer).setBigUint64(0, BigInt(n), true);
  header.set(json, 8);
  const fileSize = 8 + n + offset;
  const byName = new Map(parseSafetensorsHeader(header, fileSize, file).tensors.map((t) => [t.name, t]));
  return { header, tensors: ordered.map((t) => byName.get(t.name)!), fileSize };
}

/** A whole safetensors file in memory, for small files and browsers. */
export function serializeSafetensors(
  tensors: readonly (TensorSpec & { readonly data: Uint8Array })[],
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const layout = layoutSafetensors(tensors, metadata);
  const out = new Uint8Array(layout.fileSize);
  out.set(layout.header);
  const data = new Map(tensors.map((t) => [t.name, t.data]));
  for (const t of layout.tensors) {
    const bytes = data.get(t.name)!;
    if (bytes.length !== t.byteLength) {
      throw new SafetensorsError(
        'SizeMismatch',
        '<output>',
        `given ${bytes.length} bytes, but shape [${t.shape.join(', ')}] of ${t.dtype} needs ${t.byteLength}`,
        t.name,
      );
    }
    out.set(bytes, t.fileOffset);
  }
  return out;
}

/** Refuse specs the reader would refuse, with the same codes, before anything is written. */
function checkSpecs(specs: readonly TensorSpec[], metadata: Readonly<Record<string, string>>, file: string) {
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') {
      throw new SafetensorsError(
        'InvalidMetadata',
        file,
        `metadata value for ${JSON.stringify(key)} must be a string`,
      );
    }
  }
  const seen = new Set<string>();
  for (const { name, dtype, shape } of specs) {
    if (name === METADATA_KEY)
      throw new SafetensorsError('ReservedName', file, `${METADATA_KEY} names the metadata`, name);
    if (seen.has(name)) throw new SafetensorsError('DuplicateKey', file, 'tensor name given twice', name);
    seen.add(name);
    if (!isDtype(dtype))
      throw new SafetensorsError('UnknownDtype', file, `dtype ${String(dtype)} is unknown`, name);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new SafetensorsError(
        'InvalidShape',
        file,
        'shape must be an array of non-negative integers',
        name,
      );
    }
    const bytes = byteSize(dtype, shape);
    if (bytes === undefined) {
      throw new SafetensorsError(
        'MisalignedSlice',
        file,
        `shape [${shape.join(', ')}] of ${dtype} is not whole bytes`,
        name,
      );
    }
    if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new SafetensorsError(
        'InvalidShape',
        file,
        `shape [${shape.join(', ')}] is too large to address`,
        name,
      );
    }
  }
}

/** Order strings by Unicode code point (UTF-8 byte order), as Rust orders `String`s. */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}
