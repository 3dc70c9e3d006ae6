/**
 * @module onnx
 * ONNX models in and out (Node only: files and onnxruntime-node): read and validate, list the
 * quantizable weights with their reduction axis, quantize them with any block scheme (fake or
 * qdq), and compare a quantized model with its reference on the model's own outputs.
 */
export {
  fourOverSix,
  gptq,
  hadamard,
  rotateBlocks,
  rotateHessian,
  rotationSize,
  upperCholeskyOfInverse,
} from './methods.js';
export {
  findWeights,
  fromView,
  type LoadedModel,
  loadModel,
  OnnxError,
  parseModel,
  tensorFloat32,
  toView,
  viewOf,
  type WeightInfo,
  type WeightKind,
} from './model.js';
export {
  dqOpset,
  type OnnxQuantizeOptions,
  type OnnxQuantizeResult,
  planQuantization,
  type QdqEncoding,
  quantizeModel,
  quantizeModelBytes,
  type WeightResult,
} from './quantize.js';
export {
  calibrate,
  type EvalResult,
  evaluate,
  type Feed,
  inputSpecs,
  loadOrt,
  modelFromBytes,
  type OutputAgreement,
  type ProbeResult,
  probeRuntime,
  randomFeeds,
  readInputsDir,
  readNpy,
  weightErrors,
} from './runtime.js';
export {
  buildModelBytes,
  encodeEdited,
  joinParts,
  type ModelEdit,
  type NewNode,
  type NewTensor,
} from './write.js';
