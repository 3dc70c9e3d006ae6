/**
 * @module io/writer
 * A streaming safetensors writer. The header is planned from the tensor specs up front, so each
 * tensor's bytes go straight to their final place with positioned writes, in any order and in as
 * many pieces as the caller likes. Everything goes to a temporary file in the target folder, which
 * is renamed over the final name only once every byte is written and synced: a crash or an error
 * leaves no file under the final name.
 */
import { randomBytes } from 'node:crypto';
import { type FileHandle, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SafetensorsError } from './errors.js';
import type { TensorInfo } from './header.js';
import { openInputAt } from './inputs.js';
import { layoutSafetensors, type TensorSpec } from './layout.js';

export interface WriterOptions {
  /** Replace an existing file at the path (never one this process has open for reading). Default false. */
  readonly overwrite?: boolean;
  /** fsync the file before renaming it into place. Default true. */
  readonly sync?: boolean;
  /**
   * Told each temporary file's path before it is created, so that a caller can record it (and
   * remove it after a crash: the writer removes it itself on `abort`).
   */
  readonly onTemp?: (temp: string) => Promise<void> | void;
  /** Told each final path once its file has been renamed into place. */
  readonly onPlaced?: (path: string) => Promise<void> | void;
}

/**
 * A named chunk of tensor bytes, as `writeAll` consumes them. Without `offset` it follows the
 * tensor's previous chunk; with one it lands at that byte of the tensor (pieces must not overlap).
 */
export interface TensorChunk {
  readonly name: string;
  readonly data: Uint8Array;
  readonly offset?: number;
}

/** A file being written. Call `finish` to put it in place, or `abort` to drop it. */
export interface SafetensorsWriter {
  /** The final path. */
  readonly path: string;
  /** Tensors in file order: writing in this order makes the file sequential. */
  readonly tensors: readonly TensorInfo[];
  /** Whether every tensor has all its bytes. */
  readonly complete: boolean;
  /**
   * Write `bytes` into tensor `name`: after its previous piece, or at byte `offset` of the tensor.
   * A tensor may arrive in several pieces, which must not overlap.
   */
  write(name: string, bytes: Uint8Array, offset?: number): Promise<void>;
  /** Write every chunk of `source`, in order. */
  writeAll(source: AsyncIterable<TensorChunk> | Iterable<TensorChunk>): Promise<void>;
  /** Check that every tensor is complete, sync, and rename into place. */
  finish(): Promise<void>;
  /** Close and delete the temporary file. Safe to call more than once, or after a failure. */
  abort(): Promise<void>;
}

/** Start writing a safetensors file of `specs` at `path`. */
export async function createSafetensorsWriter(
  path: string,
  specs: readonly TensorSpec[],
  metadata: Readonly<Record<string, string>> = {},
  options: WriterOptions = {},
): Promise<SafetensorsWriter> {
  const layout = layoutSafetensors(specs, metadata, path);
  await checkTarget(path, options.overwrite ?? false);
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  await options.onTemp?.(temp);
  const fh = await open(temp, 'wx');
  let state: 'open' | 'done' | 'aborted' = 'open';
  const abort = async () => {
    if (state !== 'open') return;
    state = 'aborted';
    await fh.close().catch(() => {});
    await rm(temp, { force: true });
  };
  try {
    await writeAt(fh, layout.header, 0, temp);
  } catch (err) {
    await abort();
    throw err;
  }
  const byName = new Map(layout.tensors.map((t) => [t.name, t]));
  const written = new Map<string, number>(); // bytes received
  const next = new Map<string, number>(); // where a piece without offset goes
  const inFlight = new Set<Promise<void>>(); // writes not yet settled; finish waits for them
  let missing = layout.tensors.filter((t) => t.byteLength > 0).length;
  const usable = (name?: string) => {
    if (state !== 'open')
      throw new SafetensorsError(
        'Closed',
        path,
        `the writer has been ${state === 'done' ? 'finished' : 'aborted'}`,
        name,
      );
  };
  const write = async (name: string, bytes: Uint8Array, offset?: number) => {
    usable(name);
    const t = byName.get(name);
    if (!t)
      throw new SafetensorsError(
        'TensorNotFound',
        path,
        'not among the tensors this file was planned with',
        name,
      );
    const at = offset ?? next.get(name) ?? 0;
    const total = (written.get(name) ?? 0) + bytes.length;
    if (!Number.isSafeInteger(at) || at < 0 || at + bytes.length > t.byteLength || total > t.byteLength) {
      throw new SafetensorsError(
        'TensorOverrun',
        path,
        `bytes [${at}, ${at + bytes.length}) written (${total} in all), beyond the ${t.byteLength} its shape [${t.shape.join(', ')}] of ${t.dtype} holds`,
        name,
      );
    }
    written.set(name, total);
    next.set(name, at + bytes.length);
    if (bytes.length > 0 && total === t.byteLength) missing--;
    const done = writeAt(fh, bytes, t.fileOffset + at, temp);
    inFlight.add(done);
    try {
      await done;
    } finally {
      inFlight.delete(done);
    }
  };
  return {
    path,
    tensors: layout.tensors,
    get complete() {
      return missing === 0;
    },
    write,
    async writeAll(source) {
      for await (const { name, data, offset } of source) await write(name, data, offset);
    },
    async finish() {
      usable();
      try {
        await Promise.all(inFlight);
        for (const t of layout.tensors) {
          const got = written.get(t.name) ?? 0;
          if (got !== t.byteLength) {
            throw new SafetensorsError(
              'IncompleteWrite',
              path,
              `only ${got} of its ${t.byteLength} bytes were written`,
              t.name,
            );
          }
        }
        if (options.sync ?? true) await fh.sync().catch((e) => Promise.reject(withPath(e, temp)));
        await fh.close().catch((e) => Promise.reject(withPath(e, temp)));
        await checkTarget(path, options.overwrite ?? false);
        await rename(temp, path);
        state = 'done';
        await options.onPlaced?.(path);
      } catch (err) {
        await abort();
        throw err;
      }
    },
    abort,
  };
}

/** Write a whole file from tensors already in memory. */
export async function writeSafetensors(
  path: string,
  tensors: readonly (TensorSpec & { readonly data: Uint8Array })[],
  metadata: Readonly<Record<string, string>> = {},
  options: WriterOptions = {},
): Promise<void> {
  const writer = await createSafetensorsWriter(path, tensors, metadata, options);
  const data = new Map(tensors.map((t) => [t.name, t.data]));
  try {
    for (const t of writer.tensors) await writer.write(t.name, data.get(t.name)!);
    await writer.finish();
  } catch (err) {
    await writer.abort();
    throw err;
  }
}

/** Refuse to replace a file open for reading, or any existing file unless `overwrite`. */
async function checkTarget(path: string, overwrite: boolean): Promise<void> {
  const input = await openInputAt(path);
  if (input !== undefined) {
    throw new SafetensorsError(
      'OverwriteInput',
      path,
      `refusing to replace ${input}, which is open for reading`,
    );
  }
  if (
    !overwrite &&
    (await stat(path).then(
      () => true,
      () => false,
    ))
  ) {
    throw new SafetensorsError('OutputExists', path, 'file already exists; pass overwrite to replace it');
  }
}

async function writeAt(fh: FileHandle, bytes: Uint8Array, position: number, path: string): Promise<void> {
  let done = 0;
  try {
    while (done < bytes.length) {
      const { bytesWritten } = await fh.write(
        bytes,
        done,
        Math.min(bytes.length - done, 1 << 30),
        position + done,
      );
      done += bytesWritten;
    }
  } catch (err) {
    throw withPath(err, path);
  }
}

/**
 * A system error (ENOSPC, EIO, EDQUOT...) from a call on a file handle names no file: give it the
 * file's path, in `path` and at the start of its message.
 */
export function withPath(err: unknown, path: string): unknown {
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string' && e.path === undefined) {
    e.path = path;
    e.message = `${path}: ${e.message}`;
  }
  return err;
}
