/**
 * @module web/workers
 * The dashboard's Web Workers and which page starts which at load. Creating one is the slow part of
 * a page's first computation (its file is fetched and compiled on the worker's thread), so
 * `boot.js` (boot.ts: a small classic script that runs as soon as it arrives, before app.js and its
 * chunks are in) starts the worker of the page being opened, and `client.ts` adopts it.
 */

export type WorkerKey = 'supply' | 'perf' | 'main';

const FILES: Readonly<Record<WorkerKey, [file: string, name: string]>> = {
  supply: ['supply-worker.js', 'chipstack-supply'],
  perf: ['perf-worker.js', 'chipstack-perf'],
  main: ['worker.js', 'chipstack'],
};

/**
 * Create a worker. Its file sits beside index.html and the chunks, so it is named relative to the
 * page (boot.js is a classic script: it has no `import.meta.url`).
 */
export function createWorker(key: WorkerKey): Worker {
  const [file, name] = FILES[key];
  return new Worker(new URL(file, document.baseURI), { type: 'module', name });
}

/** The worker a page asks first, started by boot.js while app.js loads. */
export const BOOT_WORKER: Readonly<Record<string, WorkerKey>> = {
  performance: 'perf',
  compare: 'perf',
  supply: 'supply',
};

/** Where boot.js leaves the worker it started, for client.ts to take. */
export interface Booted {
  key: WorkerKey;
  worker: Worker;
}
declare global {
  var chipstackBooted: Booted | undefined;
}
