/**
 * @module perf/shape
 * Parameter counts and FLOPs of one transformer layer, from a catalogue model's config: attention
 * (MHA, GQA, MLA with its compressed KV), dense and MoE FFN (routed, active and shared experts),
 * embeddings and logits. Counts are elements; bytes come later from the storage formats.
 */
import type { Model } from '../catalog/types.js';

export interface ModelShape {
  id: string;
  attention: 'mha' | 'gqa' | 'mla';
  layers: number;
  denseLayers: number;
  moeLayers: number;
  hidden: number;
  heads: number;
  vocab: number;
  /** Attention projection weights per layer (q, k, v / MLA down- and up-projections, o). */
  attnParams: number;
  /** KV-cache elements per token per layer (MLA: the compressed latent plus the RoPE key). */
  kvElemsPerToken: number;
  /** Attention-core FLOPs per query token per context token, prefill (MLA unabsorbed) and decode (MLA absorbed). */
  attnFlopsPerCtxPrefill: number;
  attnFlopsPerCtxDecode: number;
  /** Fraction of layers using a sliding window, and the window. */
  slidingFraction: number;
  slidingWindow: number | null;
  denseFfnParams: number;
  expertParams: number;
  routedExperts: number;
  activeExperts: number;
  sharedExperts: number;
  /** Parameters touched per token (attention, dense FFN, active+shared experts, logits), for 6ND. */
  activeParams: number;
}

/** Derive a {@link ModelShape} from a catalogue model. */
export function modelShape(model: Model): ModelShape {
  const c = model.config;
  const H = c.hiddenSize;
  const heads = c.attentionHeads;
  let attnParams: number;
  let kvElemsPerToken: number;
  let prefillCoef: number;
  let decodeCoef: number;
  if (model.attention === 'mla') {
    const nope = c.qkNopeHeadDim!;
    const rope = c.qkRopeHeadDim!;
    const v = c.vHeadDim!;
    const kvr = c.kvLoraRank!;
    const qProj = c.qLoraRank
      ? H * c.qLoraRank + c.qLoraRank * heads * (nope + rope)
      : H * heads * (nope + rope);
    attnParams = qProj + H * (kvr + rope) + kvr * heads * (nope + v) + heads * v * H;
    kvElemsPerToken = kvr + rope;
    // Prefill: per-head QK over nope+rope, PV over v. Decode (weights absorbed): QK over kvr+rope, PV over kvr.
    prefillCoef = 2 * heads * (nope + rope) + 2 * heads * v;
    decodeCoef = 2 * heads * (kvr + rope) + 2 * heads * kvr;
  } else {
    const hd = c.headDim ?? H / heads;
    attnParams = H * heads * hd + 2 * H * c.kvHeads * hd + heads * hd * H;
    kvElemsPerToken = 2 * c.kvHeads * hd;
    prefillCoef = 4 * heads * hd;
    decodeCoef = prefillCoef;
  }
  const moe = model.ffn === 'moe';
  const denseLayers = moe ? (c.denseLayers ?? 0) : c.layers;
  const moeLayers = c.layers - denseLayers;
  const denseFfnParams = c.intermediateSize ? 3 * H * c.intermediateSize : 0;
  const expertParams = moe ? 3 * H * c.moeIntermediateSize! : 0;
  const routedExperts = moe ? c.routedExperts! : 0;
  const activeExperts = moe ? c.activeExperts! : 0;
  const sharedExperts = moe ? (c.sharedExperts ?? 0) : 0;
  const logits = H * c.vocabSize;
  const activeParams =
    c.layers * attnParams +
    denseLayers * denseFfnParams +
    moeLayers * (activeExperts + sharedExperts) * expertParams +
    logits;
  return {
    id: model.id,
    attention: model.attention,
    layers: c.layers,
    denseLayers,
    moeLayers,
    hidden: H,
    heads,
    vocab: c.vocabSize,
    attnParams,
    kvElemsPerToken,
    attnFlopsPerCtxPrefill: prefillCoef,
    attnFlopsPerCtxDecode: decodeCoef,
    slidingFraction: c.slidingWindow ? 0.5 : 0,
    slidingWindow: c.slidingWindow,
    denseFfnParams,
    expertParams,
    routedExperts,
    activeExperts,
    sharedExperts,
    activeParams,
  };
}

/** Mean attended context per layer for a context of `ctx` tokens, with sliding-window layers capped. */
export function effectiveContext(s: ModelShape, ctx: number): number {
  if (!s.slidingWindow) return ctx;
  return (1 - s.slidingFraction) * ctx + s.slidingFraction * Math.min(ctx, s.slidingWindow);
}

/** Attention-core FLOPs per token, forward, for a causal prompt of `seqLen` (mean context seqLen/2), all layers. */
export function attentionFlopsPerToken(s: ModelShape, seqLen: number): number {
  return s.layers * s.attnFlopsPerCtxPrefill * effectiveContext(s, seqLen / 2);
}
