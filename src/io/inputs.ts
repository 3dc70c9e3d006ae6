/**
 * @module io/inputs
 * Files this process has open for reading. Writers consult it so that no output replaces a file
 * that is still being read, whatever path (link, relative, `..`) names it.
 */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';

interface Input {
  readonly path: string;
  readonly dev: number;
  readonly ino: number;
}

const inputs = new Set<Input>();

/** Record `path` (with the stats of its open handle) as an input; call the result when closed. */
export function registerInput(path: string, stats: Stats): () => void {
  const input: Input = { path: resolve(path), dev: stats.dev, ino: stats.ino };
  inputs.add(input);
  return () => inputs.delete(input);
}

/** The open input that `path` names, if any: same resolved path, or same device and inode. */
export async function openInputAt(path: string): Promise<string | undefined> {
  const full = resolve(path);
  let stats: Stats | undefined;
  try {
    stats = await stat(full);
  } catch {
    stats = undefined;
  }
  for (const input of inputs) {
    if (input.path === full) return input.path;
    if (stats && input.dev === stats.dev && input.ino === stats.ino) return input.path;
  }
  return undefined;
}
