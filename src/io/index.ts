/**
 * @module io
 * Safetensors files and sharded checkpoints: strict validation, streaming reads by name,
 * atomic streaming writes. `buffer.ts`, `header.ts`, `layout.ts` and `dtypes.ts` use no Node API
 * and suit a browser bundle; the rest needs `node:fs`.
 */
export { parseSafetensorsBuffer, type SafetensorsBuffer } from './buffer.js';
export {
  type Checkpoint,
  type CheckpointOptions,
  type CheckpointTensor,
  openCheckpoint,
} from './checkpoint.js';
export { byteSize, DTYPES, type Dtype, type DtypeSpec, dtypeBits, dtypeRank, isDtype } from './dtypes.js';
export { SafetensorsError, type SafetensorsErrorCode } from './errors.js';
export {
  headerExtent,
  MAX_HEADER_BYTES,
  METADATA_KEY,
  parseSafetensorsHeader,
  type SafetensorsHeader,
  type TensorInfo,
} from './header.js';
export {
  type CheckpointIndex,
  formatCheckpointIndex,
  INDEX_FILE,
  parseCheckpointIndex,
} from './index-file.js';
export { type Layout, layoutSafetensors, serializeSafetensors, type TensorSpec } from './layout.js';
export { openSafetensors, type SafetensorsFile, type TensorData } from './reader.js';
export {
  isShardComplete,
  type PlannedShard,
  planShards,
  type ShardedWriteOptions,
  type ShardOptions,
  type ShardPlan,
  writeShardedCheckpoint,
} from './shards.js';
export {
  createSafetensorsWriter,
  type SafetensorsWriter,
  type TensorChunk,
  type WriterOptions,
  writeSafetensors,
} from './writer.js';
