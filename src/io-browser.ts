/**
 * @module chipstack/io-browser
 * The browser-safe part of `io` (no Node API): parse a safetensors file already in memory, lay
 * out and serialize one, dtypes, and checkpoint index files. The package root exports this as
 * `io`; the file functions (open, stream, write) are in `chipstack/io` and `chipstack/node`.
 */
export { parseSafetensorsBuffer, type SafetensorsBuffer } from './io/buffer.js';
export { byteSize, DTYPES, type Dtype, type DtypeSpec, dtypeBits, dtypeRank, isDtype } from './io/dtypes.js';
export { SafetensorsError, type SafetensorsErrorCode } from './io/errors.js';
export {
  headerExtent,
  MAX_HEADER_BYTES,
  METADATA_KEY,
  parseSafetensorsHeader,
  type SafetensorsHeader,
  type TensorInfo,
} from './io/header.js';
export {
  type CheckpointIndex,
  formatCheckpointIndex,
  INDEX_FILE,
  parseCheckpointIndex,
} from './io/index-file.js';
export { type Layout, layoutSafetensors, serializeSafetensors, type TensorSpec } from './io/layout.js';
