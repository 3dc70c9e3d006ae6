/**
 * @module web/plot
 * The Plot functions drawn with by the pages that load Plot on first use (Performance, Formats:
 * `loadPlot` in chart.ts), so that their numbers do not wait for it. A dynamic import of
 * '@observablehq/plot' itself would bundle all of Plot; this keeps to what is used (the pages that
 * import Plot statically share the same chunk).
 */
export { barX, dot, line, lineY, plot, ruleX, ruleY, tickX } from '@observablehq/plot';
