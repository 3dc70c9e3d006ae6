/**
 * @module convert/config-files
 * The files beside the weights: `config.json` (with the `quantization_config` the reference
 * checkpoints carry), `generation_config.json` and the tokenizer files, copied atomically.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { coarseScale, HIF4_LEVEL2, HIF4_LEVEL3 } from '../quant/index.js';
import type { QuantTarget } from './layouts.js';

/** Files copied unchanged when present: generation config, tokenizer, chat template. */
export const COPIED_FILES =
  /^(generation_config\.json|tokenizer.*|special_tokens_map\.json|added_tokens\.json|vocab\.(json|txt)|merges\.txt|chat_template\.(jinja|json)|.*\.tiktoken|preprocessor_config\.json)$/;

/**
 * The `quantization_config` of a layout; `skipped` lists modules left unquantized.
 * - DeepSeek-V3 config.json, plus `scale_fmt: "ue8m0"` as V3.1's inference config names it
 *   (DeepSeek-V4 the same, with `expert_dtype: "fp4"` at the top level of config.json).
 * - gpt-oss: `{"quant_method": "mxfp4", "modules_to_not_convert": [...]}`; dual-level MXFP4 (ours,
 *   no published loader): `quant_method: "ascend_dual_level_mxfp4"` with its two block sizes.
 * - HiFloat4 (chipstack's layout, no published loader): `quant_method: "chipstack_hifloat4"` with
 *   its three group sizes (64, 8, 4).
 * - ModelOpt (as its exporter writes into config.json): `quant_method: "modelopt"`, `quant_algo`.
 */
export function quantizationConfig(t: QuantTarget, skipped: readonly string[]): Record<string, unknown> {
  switch (t.layout) {
    case 'deepseek-fp8':
      return {
        activation_scheme: 'dynamic',
        fmt: 'e4m3',
        quant_method: 'fp8',
        weight_block_size: [128, 128],
        ...(t.scheme.scaleStorage === 'e8m0' ? { scale_fmt: 'ue8m0' } : {}),
      };
    case 'mxfp4':
      // dual-level MXFP4 is not gpt-oss's MXFP4 (a loader that ignored the level-0 scales would
      // read wrong weights): its own method name, which no loader takes for plain mxfp4
      return coarseScale(t.scheme)
        ? {
            quant_method: 'ascend_dual_level_mxfp4',
            level0_block_size: coarseScale(t.scheme)!.elements,
            level1_block_size: t.blockCols,
            modules_to_not_convert: skipped,
          }
        : { quant_method: 'mxfp4', modules_to_not_convert: skipped };
    case 'hifloat4':
      // chipstack's own layout (README): no published loader reads HiFloat4 checkpoints, and the
      // method name is ours so that none takes these tensors for another format's
      return {
        quant_method: 'chipstack_hifloat4',
        group_size: t.blockCols,
        level2_group_size: HIF4_LEVEL2,
        level3_group_size: HIF4_LEVEL3,
        modules_to_not_convert: skipped,
      };
    case 'mxfp8':
    case 'nvfp4':
      return {
        quant_method: 'modelopt',
        quant_algo: t.layout === 'mxfp8' ? 'MXFP8' : 'NVFP4',
        group_size: t.blockCols,
        kv_cache_quant_algo: null,
        exclude_modules: skipped,
      };
  }
}

/** Told of each temporary file before it is created and of each file renamed into place. */
export interface WriteHooks {
  readonly onTemp?: (temp: string) => Promise<void> | void;
  readonly onPlaced?: (path: string) => Promise<void> | void;
}

async function writeAtomic(path: string, text: string | Uint8Array, hooks: WriteHooks): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  let created = false; // exclusive create: a file of that name that is not ours is never written or removed
  try {
    await hooks.onTemp?.(temp);
    await writeFile(temp, text, { flag: 'wx' });
    created = true;
    await rename(temp, path);
    await hooks.onPlaced?.(path);
  } catch (err) {
    if (created) await rm(temp, { force: true });
    throw err;
  }
}

/** Names `copyConfigFiles` may write into the output for the input folder `from`. */
export async function configFileNames(from: string, quant: QuantTarget | undefined): Promise<string[]> {
  const names = (await readdir(from, { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name);
  const out = names.filter((n) => n === 'config.json' || COPIED_FILES.test(n));
  if (quant && (quant.layout === 'mxfp8' || quant.layout === 'nvfp4')) out.push('hf_quant_config.json');
  return out;
}

/**
 * Copy config and tokenizer files from `from` to `to`. `quant` undefined means BF16 output: any
 * `quantization_config` is dropped. Returns the names written.
 */
export async function copyConfigFiles(
  from: string,
  to: string,
  quant: QuantTarget | undefined,
  skipped: readonly string[],
  hooks: WriteHooks = {},
): Promise<string[]> {
  const written: string[] = [];
  const names = (await readdir(from, { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name);
  for (const n of names.sort()) {
    if (n === 'config.json') {
      let config: Record<string, unknown>;
      try {
        config = JSON.parse(await readFile(join(from, n), 'utf8'));
      } catch {
        continue; // not ours to fix; the weights do not depend on it
      }
      if (config === null || typeof config !== 'object' || Array.isArray(config)) continue;
      delete config.quantization_config;
      if (quant) config.quantization_config = quantizationConfig(quant, skipped);
      // DeepSeek-V4 reads `expert_dtype` beside the quantization config: "fp4" for E2M1 routed
      // experts; without it (and for any other output) its loader expects unquantized experts
      if (quant?.format === 'deepseek-v4') config.expert_dtype = 'fp4';
      else delete config.expert_dtype;
      await writeAtomic(join(to, n), `${JSON.stringify(config, null, 2)}\n`, hooks);
      written.push(n);
    } else if (COPIED_FILES.test(n)) {
      await writeAtomic(join(to, n), await readFile(join(from, n)), hooks);
      written.push(n);
    }
  }
  if (quant && (quant.layout === 'mxfp8' || quant.layout === 'nvfp4')) {
    const q = quantizationConfig(quant, skipped);
    const hf = {
      producer: { name: 'chipstack' },
      quantization: {
        quant_algo: q.quant_algo,
        kv_cache_quant_algo: null,
        group_size: q.group_size,
        exclude_modules: skipped,
      },
    };
    await writeAtomic(join(to, 'hf_quant_config.json'), `${JSON.stringify(hf, null, 2)}\n`, hooks);
    written.push('hf_quant_config.json');
  }
  return written;
}
