/**
 * @module io/header
 * The one place where a safetensors header is validated. The file reader, the in-memory parser and
 * the writer's self-check all call `parseSafetensorsHeader`; it needs only the first 8 + N bytes
 * and the total size, so a caller holding a file handle or an HTTP range reads no more than that.
 *
 * Rules are those of huggingface/safetensors (tensor.rs): N ≤ 100,000,000; the header starts with
 * `{`, is UTF-8 JSON with no duplicate keys; every entry has a known dtype, a shape of non-negative
 * integers and two data_offsets; sorted by offset the tensors tile the data buffer from 0 with no
 * gap or overlap; each byte length is shape × dtype bits / 8; the file ends where the data ends.
 */
import type { Dtype } from './dtypes.js';
import { type Entry, type LooseLiterals, METADATA_KEY, readEntry, readMetadata } from './entry.js';
import { printable, quote, SafetensorsError } from './errors.js';
import { scanJson } from './json-scan.js';

/** Largest header the reference accepts, in bytes (`MAX_HEADER_SIZE`). */
export const MAX_HEADER_BYTES = 100_000_000;

export { METADATA_KEY };

/** One tensor as the header describes it, with its position resolved against the file. */
export interface TensorInfo {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  /** `[begin, end)` in bytes, relative to the start of the data buffer. */
  readonly dataOffsets: readonly [number, number];
  /** Where the tensor's first byte sits in the file: 8 + header length + begin. */
  readonly fileOffset: number;
  readonly byteLength: number;
}

/** A validated header. */
export interface SafetensorsHeader {
  /** Every tensor, in the order its bytes appear in the file. */
  readonly tensors: readonly TensorInfo[];
  /** The `__metadata__` map; empty when the header has none. */
  readonly metadata: Readonly<Record<string, string>>;
  /** N, the length of the JSON text including any padding. */
  readonly headerLength: number;
  /** 8 + N: the file offset of the data buffer. */
  readonly dataStart: number;
  /** Bytes in the data buffer. */
  readonly dataLength: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Read N from the 8-byte little-endian prefix and check it against the file size. Returns how many
 * bytes from the start of the file `parseSafetensorsHeader` will need (8 + N).
 */
export function headerExtent(prefix: Uint8Array, fileSize: number, file: string): number {
  if (fileSize < 8 || prefix.length < 8) {
    throw new SafetensorsError(
      'HeaderTooSmall',
      file,
      `file is ${fileSize} bytes; it needs at least 8 for the header length`,
    );
  }
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError(
      'HeaderTooLarge',
      file,
      `header length ${n} exceeds the limit of ${MAX_HEADER_BYTES} bytes`,
    );
  }
  if (8 + Number(n) > fileSize) {
    throw new SafetensorsError(
      'InvalidHeaderLength',
      file,
      `header length ${n} runs past the end of the file (${fileSize} bytes)`,
    );
  }
  return 8 + Number(n);
}

/**
 * Validate a safetensors header. `prefix` holds at least the first 8 + N bytes of the file (more
 * is fine), `fileSize` is the length of the whole file. Throws `SafetensorsError` on any breach.
 */
export function parseSafetensorsHeader(
  prefix: Uint8Array,
  fileSize: number,
  file = '<buffer>',
): SafetensorsHeader {
  const dataStart = headerExtent(prefix, fileSize, file);
  if (prefix.length < dataStart) {
    throw new SafetensorsError(
      'TruncatedData',
      file,
      `only ${prefix.length} of the ${dataStart} header bytes given`,
    );
  }
  const { root, loose } = decodeJson(prefix.subarray(8, dataStart), file);
  const metadata = readMetadata(root[METADATA_KEY], file);
  const entries: Entry[] = [];
  for (const name of Object.keys(root)) {
    if (name !== METADATA_KEY) entries.push(readEntry(name, root[name], loose, file));
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  const dataLength = fileSize - dataStart;
  let end = 0;
  for (const e of entries) {
    if (e.begin !== end) {
      const rule =
        end === 0
          ? `data_offsets begin at ${e.begin}; the first tensor must begin at 0`
          : e.begin > end
            ? `data_offsets begin at ${e.begin}, leaving a gap after the previous tensor, which ends at ${end}`
            : `data_offsets begin at ${e.begin}, overlapping the previous tensor, which ends at ${end}`;
      throw new SafetensorsError('InvalidOffset', file, rule, e.name);
    }
    if (e.end > dataLength) {
      throw new SafetensorsError(
        'TruncatedData',
        file,
        `data ends at byte ${e.end} of the data buffer, but the file holds only ${dataLength} data bytes`,
        e.name,
      );
    }
    end = e.end;
  }
  if (end < dataLength) {
    throw new SafetensorsError(
      'TrailingBytes',
      file,
      `${dataLength - end} bytes follow the last tensor; the file must end where the data ends`,
    );
  }
  const tensors = entries.map(
    (e): TensorInfo => ({
      name: e.name,
      dtype: e.dtype,
      shape: e.shape,
      dataOffsets: [e.begin, e.end],
      fileOffset: dataStart + e.begin,
      byteLength: e.end - e.begin,
    }),
  );
  return { tensors, metadata, headerLength: dataStart - 8, dataStart, dataLength };
}

/** UTF-8 → JSON object, refusing what serde would refuse and JSON.parse lets through. */
function decodeJson(
  bytes: Uint8Array,
  file: string,
): { root: Record<string, unknown>; loose: LooseLiterals } {
  if (bytes.length === 0 || bytes[0] !== 0x7b) {
    const got =
      bytes.length === 0 ? 'is empty' : `starts with byte 0x${bytes[0].toString(16).padStart(2, '0')}`;
    throw new SafetensorsError('InvalidHeaderStart', file, `header ${got}; it must start with '{'`);
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new SafetensorsError('InvalidUtf8', file, 'header is not valid UTF-8');
  }
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    const why = printable((err as Error).message.slice(0, 200));
    throw new SafetensorsError('InvalidJson', file, `header is not valid JSON (${why})`);
  }
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    throw new SafetensorsError('InvalidJson', file, 'header is not a JSON object');
  }
  const scan = scanJson(text);
  if (scan.duplicate) {
    const { path, key } = scan.duplicate;
    if (path.length === 0 && key === METADATA_KEY) {
      throw new SafetensorsError('DuplicateKey', file, `${METADATA_KEY} appears twice`);
    }
    if (path.length === 0) {
      throw new SafetensorsError('DuplicateKey', file, 'name appears twice in the header', key);
    }
    if (path[0] === METADATA_KEY) {
      throw new SafetensorsError('DuplicateKey', file, `metadata key ${quote(key)} appears twice`);
    }
    const where = path.length === 1 ? 'its entry' : path.slice(1).map(quote).join(' → ');
    throw new SafetensorsError('DuplicateKey', file, `key ${quote(key)} appears twice in ${where}`, path[0]);
  }
  const loose = new Map<string, string>();
  for (const { path, literal } of scan.looseIntegers) loose.set(`${path[1]}:${path[0]}`, literal);
  return { root: root as Record<string, unknown>, loose };
}
