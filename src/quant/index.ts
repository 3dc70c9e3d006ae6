/**
 * @module quant
 * Block-scaled quantization: DeepSeek FP8 tiles (fp32 or UE8M0 scales), OCP MX, NVFP4 and the
 * baselines, as declarative schemes run by one quantizer; packing; error analysis.
 */
export {
  type BlockScheme,
  type ElementKind,
  type ScaleRule,
  type ScaleStorage,
  bitsPerElement,
  elementBits,
  validateScheme,
} from './scheme.js';
export { SCHEMES, SCHEME_ALIASES, getScheme, mxScheme } from './presets.js';
export { blockScale, ceilToUe8m0Code, e8m0Value, elementEmax, elementMax, type BlockScale } from './scale.js';
export { quantize, dequantize, geometry, tensorAmax, elementTable, type QuantizedTensor, type Geometry } from './quantize.js';
export { packFp4, unpackFp4, repackFp4, packUe8m0, unpackUe8m0, type Fp4Order } from './pack.js';
export { analyze, synthetic, SYNTHETIC_KINDS, type SchemeError, type SyntheticKind } from './analyze.js';
