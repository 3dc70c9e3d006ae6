/**
 * @module kernels
 * Block-scaled GEMV/GEMM on the CPU: weight containers built from the quantizer's output,
 * WebAssembly SIMD kernels (fp32, bf16, DeepSeek FP8 128x128, MXFP8, MXFP4 in both nibble
 * orders, NVFP4, int8 blocks) with TypeScript references, a worker pool over shared memory, and
 * DeepSeek-V3's FP8 accumulation-precision study.
 */
export {
  type AccumulateStudyOptions,
  type AccumulateStudyRow,
  type Accumulator,
  accumulateStudy,
  type Fp8GemmResult,
  fp8Gemm,
  roundMantissa,
  truncateMantissa,
} from './accumulate.js';
export {
  benchGemv,
  type GemvBenchOptions,
  type GemvBenchRow,
  LIVE_MAX_ELEMENTS,
  LIVE_MAX_SIDE,
  type LiveGemvOptions,
  type LiveGemvResult,
  type LiveGemvRow,
  liveGemvBenchmark,
  randomNormal,
  timeMedian,
} from './bench.js';
export {
  createKernels,
  createKernelsSync,
  type DeviceWeight,
  Kernels,
  type KernelsOptions,
} from './engine.js';
export {
  decodeRow,
  gemmRef,
  gemvRef,
  type Int8Activations,
  matvecF64,
  quantizeActivations,
  relFrobenius,
} from './reference.js';
export { defaultVariant, type KernelVariant } from './wasm.js';
export {
  type FormatLayout,
  LAYOUTS,
  layoutOf,
  type PackedWeight,
  packFloat,
  packQuantized,
  paddedK,
  WEIGHT_FORMATS,
  type WeightFormat,
  weightBytes,
} from './weights.js';
