/**
 * @module chipstack
 * The public API, browser-safe (a test bundles it for the browser): element formats at the top
 * level; the other layers as namespaces, each also reachable as a subpath (`chipstack/quant`,
 * `chipstack/perf`, ...). `io` here is its in-memory part; reading and writing files, converting
 * checkpoints, the data loaders and the worker pools are Node-only: `chipstack/node`
 * (and `chipstack/io`, `chipstack/convert`).
 */

export * as catalog from './catalog/index.js';
export * from './formats/index.js';
export * as io from './io-browser.js';
export * as kernels from './kernels/index.js';
export * as perf from './perf/index.js';
export * as quant from './quant/index.js';
export * as supply from './supply/index.js';
