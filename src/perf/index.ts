/**
 * @module perf
 * The LLM performance, energy and cost simulator (browser-safe surface). Node callers that want
 * the shipped `data/perf/` files read for them import `perf/node.js` (`defaultPerfData`).
 */
export {
  attentionPath,
  type ChipSpec,
  type ComputePath,
  chipClassOf,
  chipSpec,
  type Fp8Fallback,
  gemmPath,
  type SystemSpec,
  systemSpec,
} from './chip.js';
export {
  type ChipClass,
  createPerfData,
  type EfficiencyCurve,
  type EnergyData,
  num,
  type PerfData,
  PerfDataError,
  type PerfFigure,
  type PerfFiles,
  type ValidationPoint,
} from './data.js';
export { curveEfficiency } from './efficiency.js';
export {
  chipPower,
  type EnergyOptions,
  type EnergyResult,
  electricityPrice,
  inferenceEnergy,
  type TrainingResult,
  type TrainingWorkload,
  trainingEstimate,
} from './energy.js';
export {
  bitsPerElement,
  bytesPerElement,
  type ElementKind,
  findFormat,
  formatTable,
  getFormat,
  STORAGE_FORMATS,
  type StorageFormat,
} from './formats.js';
export type { Bottleneck, OpCost } from './ops.js';
export {
  articleScenarios,
  ascend950VsAscend910c,
  cloudMatrixVsNvl72,
  compareSystems,
  NAMED_WORKLOADS,
  type Scenario,
  type SystemComparison,
  workloadFor,
} from './scenarios.js';
export { attentionFlopsPerToken, type ModelShape, modelShape } from './shape.js';
export { type OpSummary, PerfInputError, type PerfResult, simulate, type Workload } from './simulate.js';
export {
  median,
  predictPoint,
  runValidation,
  type ValidationReport,
  type ValidationRow,
} from './validate.js';
