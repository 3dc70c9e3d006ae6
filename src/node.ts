/**
 * @module chipstack/node
 * Node-only entry points: loaders that read the shipped data files, the worker pool, safetensors
 * files and checkpoints on disk (`io`), and checkpoint conversion (`convert`).
 */
export { defaultCatalog, loadCatalog } from './catalog/node.js';
export { convertCheckpoint, inspectCheckpoint } from './convert/index.js';
export * as io from './io/index.js';
export { defaultPerfData, loadPerfData } from './perf/node.js';
export { createQuantPool, type QuantPool } from './quant/parallel.js';
export { loadSupplyData } from './supply/load.js';
