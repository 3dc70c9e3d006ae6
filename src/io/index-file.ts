/**
 * @module io/index-file
 * `model.safetensors.index.json`, the map from tensor name to shard file that sharded checkpoints
 * carry: `{"metadata": {"total_size": N}, "weight_map": {"name": "model-00001-of-00002.safetensors"}}`.
 * `total_size` is the sum of the tensors' byte lengths (headers not counted).
 */
import { quote, SafetensorsError } from './errors.js';
import { scanJson } from './json-scan.js';

/** The usual file name of a checkpoint index. */
export const INDEX_FILE = 'model.safetensors.index.json';

/** A parsed checkpoint index. */
export interface CheckpointIndex {
  /** The whole `metadata` object, `total_size` included; other keys are kept as they are. */
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly totalSize: number | undefined;
  /** Tensor name → shard file, relative to the index's folder. */
  readonly weightMap: ReadonlyMap<string, string>;
}

/** Parse and check the text of an index file; `file` labels errors. */
export function parseCheckpointIndex(text: string, file: string): CheckpointIndex {
  const fail = (rule: string, tensor?: string): never => {
    throw new SafetensorsError('InvalidIndex', file, rule, tensor);
  };
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return fail('index is not valid JSON');
  }
  if (!isObject(root)) return fail('index must be a JSON object');
  const scan = scanJson(text);
  if (scan.duplicate) {
    const { path, key } = scan.duplicate;
    if (path[0] === 'weight_map' && path.length === 1) {
      throw new SafetensorsError('DuplicateKey', file, 'tensor appears twice in weight_map', key);
    }
    throw new SafetensorsError('DuplicateKey', file, `key ${quote(key)} appears twice`);
  }
  const metadata = root.metadata ?? {};
  if (!isObject(metadata)) return fail('"metadata" must be an object');
  const total = metadata.total_size;
  if (total !== undefined && !(Number.isSafeInteger(total) && (total as number) >= 0)) {
    fail('"metadata.total_size" must be a non-negative integer');
  }
  if (!isObject(root.weight_map)) return fail('"weight_map" must be an object of tensor name → file');
  const weightMap = new Map<string, string>();
  for (const [name, shard] of Object.entries(root.weight_map)) {
    if (typeof shard !== 'string') return fail('weight_map value must be a file name', name);
    if (!isPlainRelative(shard))
      return fail(`shard ${quote(shard)} must be a relative path inside the folder`, name);
    weightMap.set(name, shard);
  }
  return { metadata, totalSize: total as number | undefined, weightMap };
}

/** The text of an index file: metadata first, `total_size` leading it, then the weight map by name. */
export function formatCheckpointIndex(
  weightMap: ReadonlyMap<string, string>,
  totalSize: number,
  metadata: Readonly<Record<string, unknown>> = {},
): string {
  const names = [...weightMap.keys()].sort();
  const lines = names.map((n) => `    ${JSON.stringify(n)}: ${JSON.stringify(weightMap.get(n))}`);
  const { total_size: _, ...rest } = metadata;
  const meta = JSON.stringify({ total_size: totalSize, ...rest }, null, 2);
  return `{\n  "metadata": ${meta.replace(/\n/g, '\n  ')},\n  "weight_map": {\n${lines.join(',\n')}\n  }\n}\n`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A relative path that cannot leave its folder: no root, drive, backslash or `..` segment. */
function isPlainRelative(path: string): boolean {
  if (path === '' || path.startsWith('/') || path.includes('\\') || /^[A-Za-z]:/.test(path)) return false;
  return path.split('/').every((seg) => seg !== '..' && seg !== '.' && seg !== '');
}
