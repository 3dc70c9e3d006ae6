/**
 * @module io/buffer
 * Safetensors bytes already in memory (a fetched file in a browser, a test fixture). No Node
 * imports here, so a browser bundle can take this module alone.
 */
import { SafetensorsError } from './errors.js';
import { parseSafetensorsHeader, type SafetensorsHeader, type TensorInfo } from './header.js';

/** A validated in-memory safetensors file. */
export interface SafetensorsBuffer {
  readonly header: SafetensorsHeader;
  tensorNames(): string[];
  info(name: string): TensorInfo;
  /** The tensor's raw little-endian bytes: a view into the input, not a copy. */
  read(name: string): Uint8Array;
}

/** Validate `bytes` as a whole safetensors file; `file` labels error messages. */
export function parseSafetensorsBuffer(bytes: Uint8Array, file = '<buffer>'): SafetensorsBuffer {
  const header = parseSafetensorsHeader(bytes, bytes.length, file);
  const info = tensorLookup(header, file);
  return {
    header,
    tensorNames: () => header.tensors.map((t) => t.name),
    info,
    read(name) {
      const t = info(name);
      return bytes.subarray(t.fileOffset, t.fileOffset + t.byteLength);
    },
  };
}

/** A by-name lookup over `header` that throws `TensorNotFound` for a name it lacks. */
export function tensorLookup(header: SafetensorsHeader, file: string): (name: string) => TensorInfo {
  const byName = new Map(header.tensors.map((t) => [t.name, t]));
  return (name) => {
    const t = byName.get(name);
    if (!t) throw new SafetensorsError('TensorNotFound', file, 'no tensor of this name in the file', name);
    return t;
  };
}
