/**
 * @module io/entry
 * One header entry at a time: the `__metadata__` map, and each tensor's dtype, shape and
 * data_offsets. Whether the entries fit together is `header.ts`'s business.
 */
import { byteSize, type Dtype, isDtype } from './dtypes.js';
import { quote, SafetensorsError } from './errors.js';

/** The key under which a header keeps its string → string metadata. */
export const METADATA_KEY = '__metadata__';

/** A tensor entry that is valid on its own. */
export interface Entry {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

/** Loose integer literals keyed by `field:tensor`. */
export type LooseLiterals = ReadonlyMap<string, string>;

export function readMetadata(value: unknown, file: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new SafetensorsError(
      'InvalidMetadata',
      file,
      `${METADATA_KEY} must be an object of strings, got ${kind(value)}`,
    );
  }
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      throw new SafetensorsError(
        'InvalidMetadata',
        file,
        `${METADATA_KEY} value for ${quote(key)} must be a string, got ${kind(v)}`,
      );
    }
  }
  return Object.fromEntries(Object.entries(value)) as Record<string, string>;
}

export function readEntry(name: string, value: unknown, loose: LooseLiterals, file: string): Entry {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SafetensorsError(
      'InvalidTensorEntry',
      file,
      `entry must be an object, got ${kind(value)}`,
      name,
    );
  }
  const v = value as Record<string, unknown>;
  for (const field of ['dtype', 'shape', 'data_offsets']) {
    if (!Object.hasOwn(v, field)) {
      throw new SafetensorsError('InvalidTensorEntry', file, `entry has no "${field}" field`, name);
    }
  }
  const { dtype, shape, data_offsets: offsets } = v;
  if (!isDtype(dtype)) {
    const got = typeof dtype === 'string' ? quote(dtype) : kind(dtype);
    throw new SafetensorsError('UnknownDtype', file, `dtype ${got} is not a safetensors dtype`, name);
  }
  const badDim = integerFault(shape, 'shape', name, loose);
  if (badDim !== undefined) {
    throw new SafetensorsError(
      'InvalidShape',
      file,
      `shape must be an array of non-negative integers; ${badDim}`,
      name,
    );
  }
  const badOffset = integerFault(offsets, 'data_offsets', name, loose, 2);
  if (badOffset !== undefined) {
    throw new SafetensorsError(
      'InvalidDataOffsets',
      file,
      `data_offsets must be two non-negative integers [begin, end]; ${badOffset}`,
      name,
    );
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) {
    throw new SafetensorsError(
      'InvalidDataOffsets',
      file,
      `data_offsets [${begin}, ${end}] end before they begin`,
      name,
    );
  }
  const dims = shape as number[];
  const bytes = byteSize(dtype, dims);
  if (bytes === undefined) {
    throw new SafetensorsError(
      'MisalignedSlice',
      file,
      `shape [${dims.join(', ')}] of ${dtype} is not a whole number of bytes`,
      name,
    );
  }
  if (bytes !== BigInt(end - begin)) {
    throw new SafetensorsError(
      'SizeMismatch',
      file,
      `data_offsets [${begin}, ${end}] hold ${end - begin} bytes, but shape [${dims.join(', ')}] of ${dtype} needs ${bytes}`,
      name,
    );
  }
  return { name, dtype, shape: dims.slice(), begin, end };
}

/** Why `value` is not an array of safe non-negative integer literals (of length `count`), or undefined. */
function integerFault(
  value: unknown,
  field: string,
  tensor: string,
  loose: LooseLiterals,
  count?: number,
): string | undefined {
  if (!Array.isArray(value)) return `got ${kind(value)}`;
  if (count !== undefined && value.length !== count) return `got ${value.length} values`;
  const literal = loose.get(`${field}:${tensor}`);
  if (literal !== undefined) return `got ${literal.slice(0, 40)}`;
  for (const x of value) {
    if (typeof x !== 'number') return `got ${kind(x)}`;
    if (!Number.isSafeInteger(x) || x < 0) return `got ${x}`;
  }
  return undefined;
}

/** A short description of a JSON value for messages. */
function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${quote(value)}`;
  return `${typeof value} ${String(value).slice(0, 40)}`;
}
