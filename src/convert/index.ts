/**
 * @module convert
 * Checkpoint conversion between BF16/F16/F32 and the DeepSeek FP8, gpt-oss MXFP4 and ModelOpt
 * MXFP8/NVFP4 layouts, streaming a slab at a time; inspection with streaming statistics.
 */
export { COPIED_FILES, copyConfigFiles, quantizationConfig } from './config-files.js';
export {
  type ConvertedTensor,
  type ConvertOptions,
  type ConvertResult,
  convertCheckpoint,
} from './convert.js';
export { ConvertError } from './errors.js';
export {
  type InspectOptions,
  type InspectReport,
  inspectCheckpoint,
  type TensorRow,
  type TensorStats,
  tensorStats,
} from './inspect.js';
export {
  baseName,
  type CheckpointFormat,
  DEFAULT_SCHEMES,
  outputSpecs,
  type QuantLayout,
  type QuantTarget,
  quantTarget,
  refusal,
  rowCodeBytes,
  TARGETS,
  type TargetName,
  tensorTarget,
} from './layouts.js';
export { defaultThreads, parseThreads } from './pool.js';
export { formatProgress, type Progress, progressBar } from './progress.js';
export {
  globToRegExp,
  isFusedExperts,
  isLinearWeight,
  NOT_LINEAR,
  type SelectionOptions,
  selector,
} from './select.js';
export { NON_FINITE_POLICIES, type NonFinitePolicy } from './slab.js';
export { type LogicalTensor, logicalTensors, matrices, type SourceLayout } from './source.js';
export { isFloatDtype, toBf16Bytes, toFloat32 } from './tensor.js';
