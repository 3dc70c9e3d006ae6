/**
 * @module perf
 * The LLM performance, energy and cost simulator (browser-safe surface). Node callers that want
 * the shipped `data/perf/` files read for them import `perf/node.js` (`defaultPerfData`).
 */
export {
  ASSUMABLE_FIELDS,
  type AssumableField,
  type Assumed,
  assumedLines,
  attentionPath,
  type ChipSpec,
  type ComputePath,
  chipClassOf,
  chipSpec,
  type Fp8Fallback,
  gemmPath,
  missingFigure,
  parseAssume,
  resolveSystem,
  type SystemSpec,
  systemSpec,
} from './chip.js';
export {
  type ChipClass,
  createPerfData,
  type EfficiencyCurve,
  type EnergyData,
  num,
  OVERLAP_KINDS,
  type OverlapKind,
  overheadPoints,
  type PerfData,
  PerfDataError,
  type PerfFiles,
  type ValidationPoint,
} from './data.js';
export { curveEfficiency } from './efficiency.js';
export {
  checkEnergyOptions,
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
  candidates,
  chipsOf,
  closestFit,
  type FitInput,
  fitInput,
  fitMessage,
  MAX_SEARCH_CHIPS,
  type MemoryFit,
  memoryPerChip,
  type Parallelism,
  smallestFit,
} from './fit.js';
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
  domesticTraining,
  measuredDecodeEnergy,
  NAMED_WORKLOADS,
  type Scenario,
  type SystemComparison,
  type TrainingScenario,
  type TrainingScenarioRow,
  workloadFor,
} from './scenarios.js';
export { paretoFront, SEARCH_BATCHES, type ServePoint, type ServeSearch, serveSearch } from './search.js';
export { attentionFlopsPerToken, type ModelShape, modelShape } from './shape.js';
export {
  hiddenComm,
  type LayerOverhead,
  MAX_BATCH,
  MAX_SEQ,
  type OpSummary,
  PerfFitError,
  PerfInputError,
  type PerfResult,
  plan,
  simulate,
  type Workload,
} from './simulate.js';
export {
  aggregatedRate,
  calibrateAll,
  fitLayerOverhead,
  fitTwoPointOverhead,
  looLayerOverhead,
  median,
  overheadLine,
  predictPoint,
  runValidation,
  type SignBalance,
  type ValidationReport,
  type ValidationRow,
} from './validate.js';
