/**
 * @module supply
 * China's AI-accelerator supply, fab to datacentre, against demand, with uncertainty.
 * Pure functions only (no fs): the Node loader lives in `./load.js`.
 */
export {
  chipFacts,
  dataFromFiles,
  labelOf,
  mergeEntry,
  type ResolvedScenario,
  resolveScenario,
  scenarioNames,
} from './dataset.js';
export {
  fillQuantiles,
  lognormalQuantile,
  quantile,
  type Triplet,
  triangularQuantile,
} from './distributions.js';
export {
  allocateSamples,
  HBM,
  LOGIC,
  METRICS,
  type Metric,
  PACKAGING,
  type Samples,
  simulateBlock,
} from './engine.js';
export { type Explanation, explainHuawei2025 } from './explain.js';
export {
  dieYield,
  grossDiesPerWafer,
  impliedDefectDensity,
  murphyYield,
  negativeBinomialYield,
  poissonYield,
  type YieldOptions,
} from './geometry.js';
export { compileInputs, type ModelInputs, type Peaks, peaksOf, type Slot } from './inputs.js';
export {
  annual,
  annualRatio,
  annualSum,
  at,
  BLOCK,
  centralRun,
  evaluateRuns,
  type MetricSelection,
  prepareInputs,
  RATIO_METRICS,
  type RunOptions,
  replayUniforms,
  sampleRuns,
} from './montecarlo.js';
export {
  type BoxCondition,
  CLAIMS,
  type Claim,
  type MustBeTrueOptions,
  type MustBeTrueResult,
  mustBeTrue,
} from './mustbetrue.js';
export { type OpenQuestion, openQuestions } from './open.js';
export {
  METRIC_DEFINITIONS,
  targetQuantity,
  UNITS_OF,
  VALUE_OF,
  VENDOR_ROWS,
  vendorLabel,
} from './quantities.js';
export { QUARTER_COUNT, QUARTERS, YEARS } from './quarters.js';
export { probit, Rng } from './random.js';
export {
  GROUPS,
  HUAWEI_CHIPS,
  IMPORTS,
  OTHER_VENDORS,
  REFERENCE_CHIP,
  SCALAR_PARAMS,
  SERIES_PARAMS,
  VENDORS,
  type Vendor,
} from './registry.js';
export { interval, percentiles } from './stats.js';
export {
  type QuarterSummary,
  runSupply,
  type SupplyResult,
  type SupplySamples,
  sampleSupply,
  summarise,
  supplyResult,
  type YearSummary,
} from './summary.js';
export {
  type Driver,
  type TargetCheck,
  TOLERANCE,
  targetSamples,
  type ValidationOptions,
  type ValidationResult,
  validateTargets,
} from './targets.js';
export { type TornadoOptions, type TornadoResult, type TornadoRow, tornado } from './tornado.js';
export * from './types.js';
export { checkParam, SupplyDataError, validateData } from './validate.js';
