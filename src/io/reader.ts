/**
 * @module io/reader
 * A safetensors file read through a file handle: the header once, then tensors by name with
 * positioned reads. The data buffer is never read as a whole, and offsets are plain Numbers,
 * exact up to 2^53 bytes, so files past 4 GB need nothing special.
 */
import { constants as bufferConstants } from 'node:buffer';
import { constants as fsConstants, type Stats } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { tensorLookup } from './buffer.js';
import { SafetensorsError } from './errors.js';
import { headerExtent, parseSafetensorsHeader, type SafetensorsHeader, type TensorInfo } from './header.js';
import { registerInput } from './inputs.js';

/** A tensor and its bytes, as yielded when streaming a file. */
export interface TensorData {
  readonly info: TensorInfo;
  readonly data: Uint8Array;
}

/** An open safetensors file. Reads may run concurrently; `close` ends them all. */
export interface SafetensorsFile {
  readonly path: string;
  /** The file size in bytes when it was opened. */
  readonly size: number;
  readonly header: SafetensorsHeader;
  tensorNames(): string[];
  info(name: string): TensorInfo;
  /** The tensor's raw bytes, in a fresh buffer of its own (byteOffset 0, so typed views align). */
  read(name: string): Promise<Uint8Array>;
  /** Bytes `[start, end)` of the tensor, counted from its first byte; `end` defaults to its length. */
  readRange(name: string, start: number, end?: number): Promise<Uint8Array>;
  /** The tensor in pieces of at most `chunkBytes`, for tensors larger than one buffer. */
  chunks(name: string, chunkBytes?: number): AsyncGenerator<Uint8Array>;
  /** Every tensor in file order, one at a time. */
  tensors(): AsyncGenerator<TensorData>;
  close(): Promise<void>;
}

const FIRST_READ_BYTES = 64 * 1024;
const MAX_READ_BYTES = 1 << 30; // one read(2) call stays below 2 GiB
const DEFAULT_CHUNK_BYTES = 64 * 1024 * 1024;

/** Open and validate the safetensors file at `path`. Throws `SafetensorsError` for a bad file. */
export async function openSafetensors(path: string): Promise<SafetensorsFile> {
  const fh = await openRegularFile(path);
  try {
    const stats = await fh.stat();
    const size = stats.size;
    let prefix = await readAt(fh, 0, Math.min(size, FIRST_READ_BYTES), path);
    const extent = headerExtent(prefix, size, path);
    if (extent > prefix.length) prefix = await readAt(fh, 0, extent, path);
    const header = parseSafetensorsHeader(prefix, size, path);
    return handleFile(fh, path, size, header, registerInput(path, stats));
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/** What a path that is not a regular file is, for messages. */
function fileKind(s: Stats): string {
  if (s.isDirectory()) return 'a folder';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isSocket()) return 'a socket';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  return 'not a plain file';
}

/**
 * Open `path` for reading, refusing anything but a regular file. The open does not block (a FIFO
 * with no writer would otherwise wait forever) and the check is made on the open handle, so a
 * path swapped between a check and the open cannot slip through.
 */
export async function openRegularFile(path: string): Promise<FileHandle> {
  const fh = await open(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  try {
    const s = await fh.stat();
    if (!s.isFile()) throw new SafetensorsError('NotAFile', path, `is ${fileKind(s)}, not a regular file`);
    return fh;
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/** The text of a regular file (see {@link openRegularFile}). */
export async function readRegularFile(path: string): Promise<string> {
  const fh = await openRegularFile(path);
  try {
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}

function handleFile(
  fh: FileHandle,
  path: string,
  size: number,
  header: SafetensorsHeader,
  unregister: () => void,
): SafetensorsFile {
  const lookup = tensorLookup(header, path);
  let closed = false;
  const live = (name: string): TensorInfo => {
    if (closed) throw new SafetensorsError('Closed', path, 'the file has been closed', name);
    return lookup(name);
  };
  const readRange = async (name: string, start: number, end?: number): Promise<Uint8Array> => {
    const t = live(name);
    const stop = end ?? t.byteLength;
    if (
      !Number.isSafeInteger(start) ||
      !Number.isSafeInteger(stop) ||
      start < 0 ||
      start > stop ||
      stop > t.byteLength
    ) {
      throw new SafetensorsError(
        'InvalidRange',
        path,
        `byte range [${start}, ${stop}) is not within the tensor's ${t.byteLength} bytes`,
        name,
      );
    }
    return readAt(fh, t.fileOffset + start, stop - start, path, name);
  };
  return {
    path,
    size,
    header,
    tensorNames: () => header.tensors.map((t) => t.name),
    info: live,
    read: (name) => readRange(name, 0),
    readRange,
    async *chunks(name, chunkBytes = DEFAULT_CHUNK_BYTES) {
      const t = live(name);
      for (let at = 0; at < t.byteLength; at += chunkBytes) {
        yield await readRange(name, at, Math.min(t.byteLength, at + chunkBytes));
      }
    },
    async *tensors() {
      for (const info of header.tensors) yield { info, data: await readRange(info.name, 0) };
    },
    async close() {
      if (closed) return;
      closed = true;
      unregister();
      await fh.close();
    },
  };
}

/** Exactly `length` bytes at `position`, or `TruncatedData` if the file has shrunk since it was opened. */
async function readAt(fh: FileHandle, position: number, length: number, file: string, tensor?: string) {
  if (length > bufferConstants.MAX_LENGTH) {
    throw new SafetensorsError(
      'TensorTooLarge',
      file,
      `${length} bytes do not fit in one buffer (at most ${bufferConstants.MAX_LENGTH}); read it with chunks()`,
      tensor,
    );
  }
  const out = new Uint8Array(Buffer.allocUnsafeSlow(length).buffer, 0, length);
  let done = 0;
  while (done < length) {
    const want = Math.min(length - done, MAX_READ_BYTES);
    const { bytesRead } = await fh.read(out, done, want, position + done);
    if (bytesRead === 0) {
      throw new SafetensorsError(
        'TruncatedData',
        file,
        `file ended at byte ${position + done}, before byte ${position + length}; was it changed while open?`,
        tensor,
      );
    }
    done += bytesRead;
  }
  return out;
}
