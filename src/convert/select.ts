/**
 * @module convert/select
 * Which tensors a conversion quantizes. By default the weights of linear layers: 2-D `*.weight`
 * tensors of a float dtype, except embeddings, norms, `lm_head` and MoE router gates (and, for the
 * gpt-oss layout, the fused 3-D expert tensors transformers' gpt-oss keeps). `--include` globs add
 * tensors, `--exclude` globs remove them; exclude wins.
 */

/** Substrings that mark a `.weight` as not a linear layer to quantize. */
export const NOT_LINEAR = [
  'embed_tokens',
  'wte',
  'wpe',
  'lm_head',
  'norm', // layernorm, input_layernorm, q_norm, ...
  'mlp.gate.weight', // MoE router (DeepSeek, Qwen-MoE, Mixtral's block_sparse_moe.gate below)
  'block_sparse_moe.gate.weight',
  'ffn.gate.weight', // MoE router in DeepSeek's own naming (V3/V4 inference: layers.N.ffn.gate)
  'router',
] as const;

/** Whole names that are not linear layers to quantize: DeepSeek's own top-level embedding and LM head. */
export const NOT_LINEAR_NAMES: ReadonlySet<string> = new Set(['embed.weight', 'head.weight']);

/** transformers' gpt-oss fused experts: [E, in, out], quantized as [E, out, in/32, 16] blocks. */
const FUSED_EXPERTS = /(^|\.)experts\.(gate_up_proj|down_proj)$/;

/** Whether `name` is one of gpt-oss's fused expert tensors (stored transposed, [E, in, out]). */
export function isFusedExperts(name: string, rank: number): boolean {
  return rank === 3 && FUSED_EXPERTS.test(name);
}

/** The default rule: a 2-D float `.weight` of a linear layer (plus fused experts when `fused`). */
export function isLinearWeight(name: string, shape: readonly number[], fused = false): boolean {
  if (fused && isFusedExperts(name, shape.length)) return true;
  if (!name.endsWith('.weight') || shape.length !== 2) return false;
  return !NOT_LINEAR_NAMES.has(name) && !NOT_LINEAR.some((s) => name.includes(s));
}

/**
 * A glob over tensor names: `*` matches any run of characters (dots included), `?` one character,
 * `[abc]` one of a set; everything else is literal.
 */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      while (glob[i + 1] === '*') i++;
      re += '.*';
    } else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export interface SelectionOptions {
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  /** Count gpt-oss fused experts as linear weights (the mxfp4 layout). */
  readonly fused?: boolean;
}

/** A predicate over (name, shape): default rule or an include glob, and no exclude glob. */
export function selector(sel: SelectionOptions): (name: string, shape: readonly number[]) => boolean {
  const inc = (sel.include ?? []).map(globToRegExp);
  const exc = (sel.exclude ?? []).map(globToRegExp);
  return (name, shape) =>
    (isLinearWeight(name, shape, sel.fused) || inc.some((r) => r.test(name))) &&
    !exc.some((r) => r.test(name));
}
