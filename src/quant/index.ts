/**
 * @module quant
 * Block-scaled quantization: DeepSeek FP8 tiles (fp32 or UE8M0 scales), OCP MX, NVFP4 and the
 * baselines, as declarative schemes run by one quantizer; packing; error analysis.
 */

export { analyze, type SchemeError, SYNTHETIC_KINDS, type SyntheticKind, synthetic } from './analyze.js';
export { FP4_ORDERS, type Fp4Order, packFp4, packUe8m0, repackFp4, unpackFp4, unpackUe8m0 } from './pack.js';
export { findScheme, getScheme, mxScheme, registerScheme, SCHEME_ALIASES, SCHEMES } from './presets.js';
export {
  AmbiguousShapeError,
  dequantize,
  elementTable,
  finiteAmax,
  type Geometry,
  geometry,
  type KernelOptions,
  nvfp4GlobalScale,
  type QuantizedTensor,
  QuantizeOptionError,
  type QuantizeOptions,
  quantize,
  tensorAmax,
} from './quantize.js';
export {
  type BlockScale,
  blockScale,
  ceilToUe8m0Code,
  e8m0Value,
  elementEmax,
  elementMax,
  NVFP4_NAN_SCALE,
} from './scale.js';
export {
  type BlockScheme,
  bitsPerElement,
  coarseScale,
  type ElementKind,
  elementBits,
  elementKindBits,
  globalScaleBits,
  INTEGER_ELEMENTS,
  type IntegerElement,
  integerElement,
  type ScaleRule,
  type ScaleStorage,
  type SchemeStorage,
  scaleStorageBits,
  schemeStorage,
  validateScheme,
} from './scheme.js';
export { DUAL_MX_LEVEL0, DUAL_MX_LEVEL1 } from './scheme-dual-mx.js';
export { HIF4_GROUP, HIF4_LEVEL2, HIF4_LEVEL3 } from './scheme-hif4.js';
export { wasmPlan } from './wasm.js';
