/**
 * @module web/boot
 * `boot.js`: a classic script (no imports at run time) that index.html loads with `async`, so it
 * runs as soon as it arrives. It starts the worker of the page in the URL (workers.ts), which then
 * fetches and compiles its file while app.js and the page's chunks load; client.ts takes it.
 */
import { BOOT_WORKER, createWorker } from './workers.js';

const hash = location.hash.replace(/^#\/?/, '');
const page = hash.split('?')[0] || 'formats';
const key = Object.hasOwn(BOOT_WORKER, page) ? BOOT_WORKER[page] : undefined;
if (key && !globalThis.chipstackBooted) {
  try {
    globalThis.chipstackBooted = { key, worker: createWorker(key) };
  } catch {
    // no worker now: client.ts creates it on the first task
  }
}
