/**
 * @module io/fixtures
 * Helpers for the io tests: raw files built byte by byte (so malformed ones are easy), and
 * temporary folders.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A file made of the 8-byte length `n` (default: the header's byte length), the header text, then `data`. */
export function rawFile(
  header: string | Uint8Array,
  data: Uint8Array | number = 0,
  n?: bigint | number,
): Uint8Array {
  const json = typeof header === 'string' ? new TextEncoder().encode(header) : header;
  const body = typeof data === 'number' ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + json.length + body.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(n ?? json.length), true);
  out.set(json, 8);
  out.set(body, 8 + json.length);
  return out;
}

/** A header text from an object, via JSON.stringify. */
export function headerOf(entries: Record<string, unknown>): string {
  return JSON.stringify(entries);
}

/** Bytes 0, 1, 2, … (mod 251) of the given length: distinct enough to catch misplaced data. */
export function pattern(length: number, seed = 0): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 7 + seed) % 251;
  return out;
}

/** Run `fn` with a fresh temporary folder, removed afterwards. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'chipstack-io-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
