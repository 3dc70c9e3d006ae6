/**
 * @module chipstack
 * The public API. Element formats are exported at the top level; the other layers as namespaces,
 * each also reachable as a subpath (`chipstack/quant`, `chipstack/io`, ...). Everything here is
 * browser-safe except `io`'s file functions; Node-only loaders live in `chipstack/node`.
 */

export * as catalog from './catalog/index.js';
export * from './formats/index.js';
export * as io from './io/index.js';
export * as kernels from './kernels/index.js';
export * as perf from './perf/index.js';
export * as quant from './quant/index.js';
export * as supply from './supply/index.js';
