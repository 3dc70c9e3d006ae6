/**
 * @module chipstack
 * The public API. Element formats are exported at the top level; the other layers as
 * namespaces (`io`, `catalog`), each also reachable as a subpath (`chipstack/io`, ...).
 */

export * as catalog from './catalog/index.js';
export * from './formats/index.js';
export * as io from './io/index.js';
