/**
 * @module chipstack/node
 * Node-only entry points: loaders that read the shipped data files, and the worker pool.
 */
export { defaultCatalog, loadCatalog } from './catalog/node.js';
export { defaultPerfData, loadPerfData } from './perf/node.js';
export { createQuantPool, type QuantPool } from './quant/parallel.js';
export { loadSupplyData } from './supply/load.js';
