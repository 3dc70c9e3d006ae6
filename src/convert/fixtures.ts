/**
 * @module convert/fixtures
 * Test helpers: a small Llama-shaped BF16 checkpoint in several shards (dimensions that are not
 * multiples of 128 or 32 included), seeded, with config and tokenizer files beside it.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TensorSpec, writeShardedCheckpoint } from '../io/index.js';
import { toBf16Bytes } from './tensor.js';

/** A seeded stream of roughly normal values with a few outliers. */
export function values(n: number, seed: number, scale = 0.02): Float32Array {
  let s = seed >>> 0 || 1;
  const u = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const g = (u() + u() + u() + u() - 2) * 1.7;
    out[i] = g * scale * (u() < 0.002 ? 40 : 1);
  }
  return out;
}

export interface Fixture {
  readonly dir: string;
  /** Float32 values of each float tensor (after rounding to BF16). */
  readonly tensors: ReadonlyMap<string, { spec: TensorSpec; data: Uint8Array }>;
}

export interface FixtureOptions {
  readonly layers?: number;
  readonly hidden?: number;
  readonly intermediate?: number;
  readonly vocab?: number;
  /** Add gpt-oss fused experts `mlp.experts.gate_up_proj` [E, hidden, 2 * 32] to layer 0. */
  readonly experts?: boolean;
  readonly maxShardBytes?: number;
}

/** Write a Llama-shaped BF16 checkpoint into `dir`. */
export async function writeLlama(dir: string, o: FixtureOptions = {}): Promise<Fixture> {
  const { layers = 2, hidden = 160, intermediate = 200, vocab = 100, maxShardBytes = 120_000 } = o;
  const specs: TensorSpec[] = [];
  const bf16 = (name: string, shape: number[]) => specs.push({ name, dtype: 'BF16', shape });
  bf16('model.embed_tokens.weight', [vocab, hidden]);
  for (let l = 0; l < layers; l++) {
    const p = `model.layers.${l}`;
    bf16(`${p}.input_layernorm.weight`, [hidden]);
    bf16(`${p}.self_attn.q_proj.weight`, [hidden, hidden]);
    bf16(`${p}.self_attn.k_proj.weight`, [64, hidden]);
    bf16(`${p}.self_attn.v_proj.weight`, [64, hidden]);
    bf16(`${p}.self_attn.o_proj.weight`, [hidden, hidden]);
    bf16(`${p}.post_attention_layernorm.weight`, [hidden]);
    bf16(`${p}.mlp.gate_proj.weight`, [intermediate, hidden]);
    bf16(`${p}.mlp.up_proj.weight`, [intermediate, hidden]);
    bf16(`${p}.mlp.down_proj.weight`, [hidden, intermediate]);
    if (o.experts && l === 0) bf16(`${p}.mlp.experts.gate_up_proj`, [2, hidden, 64]);
  }
  bf16('model.norm.weight', [hidden]);
  bf16('lm_head.weight', [vocab, hidden]);
  specs.push({ name: 'model.position_ids', dtype: 'I64', shape: [1, 8] });
  const tensors = new Map<string, { spec: TensorSpec; data: Uint8Array }>();
  for (const [i, spec] of specs.entries()) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    let data: Uint8Array;
    if (spec.dtype === 'I64') {
      data = new Uint8Array(BigInt64Array.from({ length: n }, (_, k) => BigInt(k)).buffer);
    } else if (spec.name.includes('norm')) {
      data = toBf16Bytes(Float32Array.from(values(n, i + 1), (v) => 1 + v));
    } else {
      data = toBf16Bytes(values(n, i + 1));
    }
    tensors.set(spec.name, { spec, data });
  }
  await mkdir(dir, { recursive: true });
  await writeShardedCheckpoint(
    dir,
    specs,
    specs.map((s) => ({ name: s.name, data: tensors.get(s.name)!.data })),
    { maxShardBytes, sync: false },
  );
  const config = {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: hidden,
    torch_dtype: 'bfloat16',
  };
  await writeFile(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  await writeFile(join(dir, 'tokenizer.json'), '{"version": "1.0"}');
  await writeFile(join(dir, 'tokenizer_config.json'), '{}');
  await writeFile(join(dir, 'notes.txt'), 'not copied');
  return { dir, tensors };
}

/** Run `fn` with a fresh temporary folder, removed afterwards. */
export async function withTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'chipstack-convert-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
