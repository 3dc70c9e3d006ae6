/**
 * @module perf/ops
 * Per-operation roofline of one layer on one chip: FLOPs and bytes of each operation, its time
 * (the larger of compute at the path's rate x efficiency and bytes at HBM bandwidth x efficiency)
 * and its bottleneck; collectives (EP all-to-all, TP all-reduce) over scale-up or scale-out links.
 */
import { type ChipSpec, type ComputePath, missingFigure, type SystemSpec } from './chip.js';
import { num } from './data.js';
import { curveEfficiency } from './efficiency.js';
import { bytesPerElement, type StorageFormat } from './formats.js';
import { effectiveContext, type ModelShape } from './shape.js';

export type Bottleneck = 'compute' | 'memory' | 'network';

/** One operation, per chip, for one execution (multiply by `count` for the step). */
export interface OpCost {
  name: string;
  count: number;
  flops: number;
  bytes: number;
  netBytes: number;
  computeS: number;
  memoryS: number;
  networkS: number;
  timeS: number;
  bottleneck: Bottleneck;
  path: string;
  /** true for collectives, which micro-batch pipelining may overlap with local work. */
  collective: boolean;
}

/** Local (compute/memory) operation on a path; `eff` overrides the GEMM curve (attention core). */
export function localOp(
  name: string,
  chip: ChipSpec,
  path: ComputePath,
  flops: number,
  bytes: number,
  eff?: number,
): OpCost {
  const e = (eff ?? curveEfficiency(chip.cls.gemm.points, flops / 1e9)) * path.scaleFactor;
  const computeS = flops > 0 ? flops / (path.peakTflops * 1e12 * e) : 0;
  const memoryS = bytes / (chip.hbmTBps * 1e12 * num(chip.cls.hbm));
  const timeS = Math.max(computeS, memoryS);
  return {
    name,
    count: 1,
    flops,
    bytes,
    netBytes: 0,
    computeS,
    memoryS,
    networkS: 0,
    timeS,
    bottleneck: computeS >= memoryS ? 'compute' : 'memory',
    path: path.label,
    collective: false,
  };
}

/** A collective moving `upBytes` over the scale-up link and `outBytes` over scale-out (in parallel) per chip. */
export function collectiveOp(name: string, sys: SystemSpec, upBytes: number, outBytes: number): OpCost {
  const chip = sys.chip;
  const leg = (bytes: number, gbps: number | null, link: ChipSpec['cls']['scaleUp'], what: string) => {
    if (bytes <= 0) return 0;
    if (gbps === null) throw new RangeError(`${missingFigure(chip.id, what)} (${name} needs it)`);
    return num(link.latencyUs) * 1e-6 + bytes / (gbps * 1e9 * num(link.efficiency));
  };
  const up = leg(upBytes, chip.scaleUpGBps, chip.cls.scaleUp, 'scaleUpGBps');
  const out = leg(outBytes, chip.scaleOutGBps, chip.cls.scaleOut, 'scaleOutGBps');
  const networkS = Math.max(up, out);
  const where =
    upBytes > 0 && outBytes > 0 ? 'scale-up + scale-out' : outBytes > 0 ? 'scale-out' : 'scale-up';
  return {
    name,
    count: 1,
    flops: 0,
    bytes: 0,
    netBytes: upBytes + outBytes,
    computeS: 0,
    memoryS: 0,
    networkS,
    timeS: networkS,
    bottleneck: 'network',
    path: `over ${where}`,
    collective: true,
  };
}

/** Everything one layer needs to know about the workload on one chip. */
export interface LayerContext {
  sys: SystemSpec;
  shape: ModelShape;
  phase: 'prefill' | 'decode';
  /** Sequences per TP group this step. */
  batch: number;
  /** Tokens per TP group this step (decode: batch x (1 + draft tokens); prefill: new prompt tokens). */
  tokens: number;
  /** Mean attended context per query token (before sliding windows). */
  context: number;
  /** KV tokens per sequence read from cache (decode: whole context; prefill: cached prefix). */
  cachedKv: number;
  tp: number;
  ep: number;
  imbalance: number;
  gemm: ComputePath;
  /** Path of the attention projections (differs from `gemm` when the checkpoint keeps attention wider). */
  attnGemm: ComputePath;
  attn: ComputePath;
  head: ComputePath;
  acts: StorageFormat;
  kv: StorageFormat;
}

const wb = (p: ComputePath) => bytesPerElement(p.weightStorage);

/** Attention of one layer: projections, core (QK, PV), and the elementwise work around it. */
export function attentionOps(c: LayerContext): OpCost[] {
  const { sys, shape: s, tp } = c;
  const ab = bytesPerElement(c.acts);
  const proj = localOp(
    'attention projections',
    sys.chip,
    c.attnGemm,
    (2 * c.tokens * s.attnParams) / tp,
    (s.attnParams * wb(c.attnGemm)) / tp + (c.tokens * s.hidden * (ab + 2) * 2) / tp,
  );
  const kvShare = s.attention === 'mla' ? 1 : Math.min(tp, s.kvElemsPerToken);
  const kvBytes = s.kvElemsPerToken * bytesPerElement(c.kv);
  const coef = c.phase === 'decode' ? s.attnFlopsPerCtxDecode : s.attnFlopsPerCtxPrefill;
  const ctx = effectiveContext(s, c.context);
  const coreFlops = (c.tokens * coef * ctx) / tp;
  const coreBytes = (c.batch * effectiveContext(s, c.cachedKv) * kvBytes + c.tokens * kvBytes) / kvShare;
  const core = localOp(
    'attention core',
    sys.chip,
    c.attn,
    coreFlops,
    coreBytes,
    num(sys.chip.cls.attentionCompute),
  );
  return [proj, core];
}

/** FFN of one layer: dense, or MoE with shared experts, routed experts and the EP all-to-all. */
export function ffnOps(c: LayerContext, moe: boolean): OpCost[] {
  const { sys, shape: s, tp, ep } = c;
  const ab = bytesPerElement(c.acts);
  const H = s.hidden;
  // Norms, residual adds, activation quantisation, RoPE: about six passes over the hidden state in 16-bit.
  const elementwise = localOp(
    'elementwise (norms, residuals, quantisation)',
    sys.chip,
    c.gemm,
    0,
    (c.tokens * H * 2 * 6) / tp,
  );
  if (!moe) {
    const flops = (2 * c.tokens * s.denseFfnParams) / tp;
    const bytes = (s.denseFfnParams * wb(c.gemm)) / tp + (c.tokens * H * (ab + 2)) / tp;
    const ops = [localOp('dense FFN', sys.chip, c.gemm, flops, bytes), elementwise];
    if (tp > 1) ops.push(allReduce(c));
    return ops;
  }
  const ops: OpCost[] = [elementwise];
  if (s.sharedExperts > 0) {
    const p = s.sharedExperts * s.expertParams;
    ops.push(localOp('shared experts', sys.chip, c.gemm, (2 * c.tokens * p) / tp, (p * wb(c.gemm)) / tp));
  }
  const groups = Math.max(1, ep / tp);
  const pairs = ((c.tokens * s.activeExperts) / tp) * c.imbalance;
  const localExperts = s.routedExperts / ep;
  const pUntouched = (1 - s.activeExperts / s.routedExperts) ** (c.tokens * groups);
  const touched = localExperts * (1 - pUntouched);
  const inter = s.expertParams / (3 * H);
  ops.push(
    localOp(
      'routed experts',
      sys.chip,
      c.gemm,
      2 * pairs * s.expertParams,
      touched * s.expertParams * wb(c.gemm) + pairs * (H * (ab + 2) + inter * 2 * 3),
    ),
  );
  if (ep > 1) ops.push(...allToAll(c));
  if (tp > 1) ops.push(allReduce(c));
  return ops;
}

/** EP dispatch (activation format) and combine (BF16) all-to-all, split between scale-up and scale-out. */
function allToAll(c: LayerContext): OpCost[] {
  const { sys, shape: s, ep } = c;
  const D = sys.scaleUpDomain;
  const tokens = (c.tokens / c.tp) * c.imbalance;
  const k = s.activeExperts;
  const inDomain = Math.min(ep, D);
  const upCopies = (k * (inDomain - 1)) / ep;
  let outCopies = (k * (ep - inDomain)) / ep;
  if (c.phase === 'prefill' && ep > D) {
    // Hierarchical (DeepEP normal-mode) dispatch sends one copy per remote scale-up domain, then forwards inside it.
    const nd = Math.ceil(ep / D);
    outCopies = Math.min(outCopies, (nd - 1) * (1 - (1 - 1 / nd) ** k));
  }
  const dispatchBytes = Math.min(2, bytesPerElement(c.acts));
  const per = tokens * s.hidden;
  return [
    collectiveOp(
      'MoE dispatch (all-to-all)',
      sys,
      per * upCopies * dispatchBytes,
      per * outCopies * dispatchBytes,
    ),
    collectiveOp('MoE combine (all-to-all)', sys, per * upCopies * 2, per * outCopies * 2),
  ];
}

/** Two ring all-reduces per layer of the TP group's hidden states in BF16 (after attention and after the FFN). */
function allReduce(c: LayerContext): OpCost {
  const bytes = 2 * ((2 * (c.tp - 1)) / c.tp) * c.tokens * c.shape.hidden * 2;
  const inDomain = c.tp <= c.sys.scaleUpDomain;
  return collectiveOp('TP all-reduce', c.sys, inDomain ? bytes : 0, inDomain ? 0 : bytes);
}

/** Logits (and the embedding lookup) once per step; prefill computes logits for the last token only. */
export function headOps(c: LayerContext): OpCost[] {
  const { sys, shape: s, tp } = c;
  const n = c.phase === 'decode' ? c.tokens : c.batch;
  const p = s.hidden * s.vocab;
  return [
    localOp('embedding lookup', sys.chip, c.head, 0, c.tokens * s.hidden * 2 * 2),
    localOp('logits', sys.chip, c.head, (2 * n * p) / tp, (p * wb(c.head)) / tp + n * s.vocab * 4),
  ];
}
