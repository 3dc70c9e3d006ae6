/**
 * @module web/plot
 * The Plot functions the Performance page draws with, for its lazy `import('./plot.js')`: a dynamic
 * import of '@observablehq/plot' itself would bundle all of Plot, this keeps to what is used (the
 * pages that import Plot statically share the same chunk).
 */
export { barX, dot, line, plot, ruleX } from '@observablehq/plot';
