/**
 * @module perf/node
 * Node.js loader for `data/perf/*.json`, validated once and cached.
 */
import { readFileSync } from 'node:fs';
import { readCommonSchema } from '../catalog/node.js';
import { createPerfData, type PerfData, PerfDataError } from './data.js';

/** The shipped `data/perf/` folder (dist/perf/node.js -> ../../data/perf/). */
export const DEFAULT_PERF_DIR = new URL('../../data/perf/', import.meta.url);

function readJson(dir: URL, name: string): unknown {
  try {
    return JSON.parse(readFileSync(new URL(name, dir), 'utf8'));
  } catch (err) {
    throw new PerfDataError([`${name}: ${(err as Error).message}`]);
  }
}

/** Read and validate the perf data from a folder (default: the shipped one). */
export function loadPerfData(dir: URL = DEFAULT_PERF_DIR): PerfData {
  return createPerfData({
    efficiency: readJson(dir, 'efficiency.json'),
    energy: readJson(dir, 'energy.json'),
    validation: readJson(dir, 'validation.json'),
    schema: readJson(dir, 'schema.json') as object,
    common: readCommonSchema(),
  });
}

let shipped: PerfData | undefined;

/** The shipped perf data, loaded once. */
export function defaultPerfData(): PerfData {
  shipped ??= loadPerfData();
  return shipped;
}
