/**
 * @module perf/fit
 * Memory fit before speed: weights + KV cache + activations + workspace per chip, and the smallest
 * TP/EP/PP deployment that fits, by one rule on every system (fewest chips, then fewest pipeline
 * stages, then the smallest TP). `simulate` refuses a setup that does not fit.
 */
import { gemmPath, type SystemSpec } from './chip.js';
import { num, type PerfData } from './data.js';
import { bytesPerElement, getFormat, type StorageFormat } from './formats.js';
import type { ModelShape } from './shape.js';

export interface Parallelism {
  tp: number;
  ep: number;
  pp: number;
}

/** What one chip must hold, GB (1e9 bytes). */
export interface MemoryFit {
  weightsGB: number;
  kvGB: number;
  activationsGB: number;
  workspaceGB: number;
  totalGB: number;
  capacityGB: number;
  fits: boolean;
  /** totalGB - capacityGB when it does not fit, else 0. */
  shortfallGB: number;
}

/** The workload facts the memory depends on. */
export interface FitInput {
  phase: 'prefill' | 'decode';
  batch: number;
  seqLen: number;
  weights: StorageFormat;
  /** Attention-projection weights when they differ from the rest (e.g. BF16 attention in an NVFP4 checkpoint). */
  attentionWeights: StorageFormat;
  activations: StorageFormat;
  kv: StorageFormat;
  draftTokens: number;
  cacheHitRate: number;
  expertImbalance: number;
  fp8Fallback: 'bf16' | 'int8';
}

/** Chips a deployment occupies: attention data-parallel beside EP, so max(tp, ep) per stage. */
export const chipsOf = (p: Parallelism): number => p.pp * Math.max(p.tp, p.ep);

/**
 * Per-chip memory. Weights: attention and dense FFN split over TP, routed experts over EP, shared
 * experts over TP, layers over PP, embedding + logits split over TP; one extra MoE layer when MTP
 * drafts. KV: batch x (context + new tokens) x KV elements x layers / PP (GQA heads split over TP).
 * Activations (peak transient of one layer): hidden states (4 live copies, BF16), the MoE receive
 * buffer (k copies per token in the dispatch format plus BF16 combine), the FFN intermediate (gate and
 * up, BF16) and the FP32 logits.
 */
export function memoryPerChip(
  data: PerfData,
  sys: SystemSpec,
  sh: ModelShape,
  w: FitInput,
  p: Parallelism,
): MemoryFit {
  const wb = bytesPerElement(gemmPath(sys.chip, w.weights, w.activations, w.fp8Fallback).weightStorage);
  const ab0 = bytesPerElement(
    gemmPath(sys.chip, w.attentionWeights, w.activations, w.fp8Fallback).weightStorage,
  );
  const moe = sh.moeLayers > 0;
  const mtpLayer = moe && w.draftTokens > 0 ? 1 : 0;
  const attnParams = ((sh.layers * sh.attnParams) / p.tp / p.pp + (mtpLayer * sh.attnParams) / p.tp) * ab0;
  const params =
    ((sh.denseLayers * sh.denseFfnParams) / p.tp +
      sh.moeLayers * sh.expertParams * (sh.sharedExperts / p.tp + sh.routedExperts / p.ep)) /
      p.pp +
    mtpLayer * sh.expertParams * (sh.sharedExperts / p.tp + sh.routedExperts / p.ep);
  const weightsB = attnParams + params * wb + (2 * sh.hidden * sh.vocab * 2) / p.tp;
  const kvShare = sh.attention === 'mla' ? 1 : Math.min(p.tp, sh.kvElemsPerToken);
  const newTokens = w.phase === 'decode' ? 1 + w.draftTokens : w.seqLen * (1 - w.cacheHitRate);
  const ctx = w.phase === 'decode' ? w.seqLen + newTokens : w.seqLen;
  const kvB = (w.batch * ctx * sh.kvElemsPerToken * bytesPerElement(w.kv) * sh.layers) / p.pp / kvShare;
  const T = w.batch * newTokens;
  const ab = Math.min(2, bytesPerElement(w.activations));
  const hiddenB = T * sh.hidden * 2 * 4;
  let ffnB: number;
  if (moe) {
    // Each chip of a TP group dispatches its 1/tp share of the group's tokens (as ops.ts allToAll).
    const copies = (T / p.tp) * sh.activeExperts * w.expertImbalance;
    const inter = sh.expertParams / (3 * sh.hidden);
    ffnB = copies * sh.hidden * (ab + 2) + copies * inter * 2 * 2;
  } else {
    ffnB = ((T * sh.denseFfnParams) / (3 * sh.hidden) / p.tp) * 2 * 2;
  }
  const logitsB = ((w.phase === 'decode' ? T : w.batch) * sh.vocab * 4) / p.tp;
  const activationsB = hiddenB + ffnB + logitsB;
  const workspaceGB = num(data.workspaceGB);
  const weightsGB = weightsB / 1e9;
  const kvGB = kvB / 1e9;
  const activationsGB = activationsB / 1e9;
  const totalGB = weightsGB + kvGB + activationsGB + workspaceGB;
  const capacityGB = sys.chip.hbmGB;
  return {
    weightsGB,
    kvGB,
    activationsGB,
    workspaceGB,
    totalGB,
    capacityGB,
    fits: totalGB <= capacityGB,
    shortfallGB: Math.max(0, totalGB - capacityGB),
  };
}

const pow2Upto = (n: number) => {
  const out: number[] = [];
  for (let x = 1; x <= n; x *= 2) out.push(x);
  return out;
};

/** Largest deployment the search considers, in chips (a cap, stated in the message when hit). */
export const MAX_SEARCH_CHIPS = 4096;

/**
 * Candidate deployments in the rule's order: fewest chips, then fewest PP stages, then smallest TP.
 * TP: powers of two up to the attention heads and the scale-up domain; EP (MoE only): TP x powers of
 * two up to the routed experts; PP: powers of two up to the layers. Given fields are held fixed.
 */
export function candidates(
  sys: SystemSpec,
  sh: ModelShape,
  fixed: Partial<Parallelism>,
  maxChips: number,
): Parallelism[] {
  const moe = sh.moeLayers > 0;
  const tps = fixed.tp !== undefined ? [fixed.tp] : pow2Upto(Math.min(sh.heads, sys.scaleUpDomain));
  const pps = fixed.pp !== undefined ? [fixed.pp] : pow2Upto(sh.layers);
  const out: Parallelism[] = [];
  for (const tp of tps) {
    const eps =
      fixed.ep !== undefined
        ? [fixed.ep]
        : moe
          ? pow2Upto(Math.max(1, Math.floor(sh.routedExperts / tp))).map((x) => x * tp)
          : [1];
    for (const ep of eps)
      for (const pp of pps) {
        const p = { tp, ep, pp };
        if (chipsOf(p) <= maxChips) out.push(p);
      }
  }
  return out.sort((a, b) => chipsOf(a) - chipsOf(b) || a.pp - b.pp || a.tp - b.tp || a.ep - b.ep);
}

/** The smallest deployment that fits (by the rule of {@link candidates}), or null when none within `maxChips`. */
export function smallestFit(
  data: PerfData,
  sys: SystemSpec,
  sh: ModelShape,
  w: FitInput,
  fixed: Partial<Parallelism> = {},
  maxChips = MAX_SEARCH_CHIPS,
): (Parallelism & { chips: number; memory: MemoryFit }) | null {
  for (const p of candidates(sys, sh, fixed, maxChips)) {
    const memory = memoryPerChip(data, sys, sh, w, p);
    if (memory.fits) return { ...p, chips: chipsOf(p), memory };
  }
  return null;
}

/** The fit input of a workload's formats. */
export function fitInput(w: {
  phase: 'prefill' | 'decode';
  batch: number;
  seqLen: number;
  weights: string;
  attentionWeights?: string;
  activations: string;
  kv: string;
  mtp: { draftTokens: number };
  cacheHitRate: number;
  expertImbalance: number;
  fp8Fallback: 'bf16' | 'int8';
}): FitInput {
  return {
    phase: w.phase,
    batch: w.batch,
    seqLen: w.seqLen,
    weights: getFormat(w.weights),
    attentionWeights: getFormat(w.attentionWeights ?? w.weights),
    activations: getFormat(w.activations),
    kv: getFormat(w.kv),
    draftTokens: w.mtp.draftTokens,
    cacheHitRate: w.cacheHitRate,
    expertImbalance: w.expertImbalance,
    fp8Fallback: w.fp8Fallback,
  };
}

const g = (x: number) => x.toFixed(1);

/**
 * The deployment with the least memory per chip among the candidates that keep the given degrees
 * (what comes closest to fitting when none fits), or null when there is no candidate at all.
 */
export function closestFit(
  data: PerfData,
  sys: SystemSpec,
  sh: ModelShape,
  w: FitInput,
  fixed: Partial<Parallelism>,
  maxChips = MAX_SEARCH_CHIPS,
): (Parallelism & { chips: number; memory: MemoryFit }) | null {
  let best: (Parallelism & { chips: number; memory: MemoryFit }) | null = null;
  for (const p of candidates(sys, sh, fixed, maxChips)) {
    const memory = memoryPerChip(data, sys, sh, w, p);
    if (!best || memory.totalGB < best.memory.totalGB) best = { ...p, chips: chipsOf(p), memory };
  }
  return best;
}

/**
 * One line: what does not fit, by how much, and the smallest deployment that does. With `given`
 * (the degrees the user fixed while the others were searched), `p` and `m` are the searched
 * deployment that comes closest, and the line says which degrees were held.
 */
export function fitMessage(
  where: string,
  m: MemoryFit,
  p: Parallelism,
  smallest: (Parallelism & { chips: number }) | null,
  maxChips: number,
  given?: (keyof Parallelism)[],
): string {
  const parts = `weights ${g(m.weightsGB)} + KV ${g(m.kvGB)} + activations ${g(m.activationsGB)} + workspace ${g(m.workspaceGB)} GB`;
  const fix = smallest
    ? `smallest that fits: tp ${smallest.tp} ep ${smallest.ep} pp ${smallest.pp} (${smallest.chips} chips)`
    : `nothing up to ${maxChips} chips fits at this batch and sequence length; lower them`;
  const at = `tp ${p.tp} ep ${p.ep} pp ${p.pp}`;
  const head =
    given && given.length < 3
      ? `${where} does not fit with ${given.length ? given.map((k) => `${k} ${p[k]}`).join(' ') : 'no degree'} given (the rest searched up to ${maxChips} chips; closest ${at})`
      : `${where} does not fit at ${at}`;
  return `${head}: ${parts} = ${g(m.totalGB)} GB per chip of ${m.capacityGB} GB, short by ${g(m.shortfallGB)} GB; ${fix}`;
}
