/**
 * @module perf/simulate
 * Prefill and decode of a model on a system, per chip: the layer's operations from `ops.ts`,
 * collectives overlapped with local work by the stated fraction, pipeline stages, MTP; then
 * tokens/s per chip and per system, TTFT, TPOT, memory footprint, and the energy and cost.
 */
import type { Catalog } from '../catalog/catalog.js';
import {
  type Assumed,
  attentionPath,
  checkScaleUpDomain,
  type Fp8Fallback,
  gemmPath,
  resolveSystem,
  type SystemSpec,
} from './chip.js';
import { num, OVERLAP_KINDS, type OverlapKind, type PerfData } from './data.js';
import { type EnergyOptions, type EnergyResult, inferenceEnergy } from './energy.js';
import {
  chipsOf,
  closestFit,
  fitInput,
  fitMessage,
  MAX_SEARCH_CHIPS,
  type MemoryFit,
  memoryPerChip,
  type Parallelism,
  smallestFit,
} from './fit.js';
import { getFormat } from './formats.js';
import { attentionOps, type Bottleneck, ffnOps, headOps, type LayerContext, type OpCost } from './ops.js';
import { modelShape } from './shape.js';

export interface Workload {
  model: string;
  system: string;
  phase: 'prefill' | 'decode';
  /** Sequences per TP group: concurrent sequences (decode) or prompts per forward (prefill). */
  batch: number;
  /** Prompt length (prefill) or KV-cache length (decode). */
  seqLen: number;
  weights?: string;
  /** Attention-projection weight format when it differs from `weights` (default: as weights). */
  attentionWeights?: string;
  activations?: string;
  kv?: string;
  tp?: number;
  ep?: number;
  pp?: number;
  mtp?: { draftTokens: number; acceptance: number };
  /** Fraction of each layer's collective time hidden behind its local work by micro-batch pipelining (0..1). */
  overlap?: number;
  /**
   * What can hide communication. `micro-batch` (default; DeepSeek's dual micro-batch, SGLang's
   * two-batch overlap, CloudMatrix-Infer's micro-batch pipeline): one micro-batch's collectives run
   * under the other's local work, so `overlap x min(local, comm)` is hidden. `single-batch` (SGLang's
   * single-batch overlap, sglang PR 9660): within one batch only the shared experts hide the
   * dispatch receive and the routed experts' down projection (one of their three GEMMs) hides the
   * combine send, so `overlap x (min(dispatch, shared) + min(combine, routed / 3))` is hidden.
   * `dispatch-only` (CloudMatrix-Infer's decode pipeline, arXiv 2506.12708: the attention and MoE
   * paths run on two streams, interleaved to mask the dispatch): `overlap x min(dispatch, local)`.
   * `shared-expert` (the shared experts on a second stream beside the routed path, e.g. Huawei's
   * CANN recipe `enable_multi_streams`): only the dispatch under the shared experts,
   * `overlap x min(dispatch, shared)`.
   */
  overlapKind?: OverlapKind;
  /** Busiest rank's expert load over the mean (1 = perfectly balanced). */
  expertImbalance?: number;
  /** Prefill: share of prompt tokens found in a KV cache (not recomputed). */
  cacheHitRate?: number;
  /** What FP8 becomes on a chip without FP8: dequantised to BF16 (default) or requantised offline to INT8. */
  fp8Fallback?: Fp8Fallback;
  energy?: EnergyOptions;
  /** Catalogue figures replaced by the user (`--assume FIELD=VALUE`); printed with the result. */
  assume?: Assumed;
  /** Replaces the chip class's per-layer overhead floor, us (calibration and leave-one-out use it). */
  layerOverheadUs?: number;
  /** Replaces the chip class's per-token part of the layer overhead, us per token (calibration uses it). */
  layerOverheadPerTokenUs?: number;
}

/** Largest batch and sequence length accepted (anything larger is a typo, not a workload). */
export const MAX_BATCH = 1_000_000;
export const MAX_SEQ = 10_000_000;

export interface OpSummary extends Omit<OpCost, 'count'> {
  /** Executions per step per chip (layers on this chip x per-layer count). */
  count: number;
  /** Seconds per step spent in this operation (all executions), before overlap. */
  stepS: number;
}

export interface PerfResult {
  workload: Required<
    Omit<Workload, 'mtp' | 'energy' | 'assume' | 'layerOverheadUs' | 'layerOverheadPerTokenUs'>
  > & {
    mtp: { draftTokens: number; acceptance: number };
  };
  /** The deployment simulated; `auto` lists the fields chosen as the smallest that fits. */
  parallel: Parallelism & { chips: number; auto: string[] };
  chip: string;
  chipClass: string;
  /** Compute paths: FFN/MoE GEMMs, attention projections, attention core, logits. */
  paths: { gemm: string; attentionProjections: string; attention: string; logits: string };
  ops: OpSummary[];
  /** Seconds per forward step (all pipeline stages). */
  stepS: number;
  /** Tokens produced (decode: accepted output tokens) or consumed (prefill: input tokens incl. cache hits) per second. */
  tokensPerSecPerChip: number;
  tokensPerSecPerSystem: number;
  ttftS: number;
  tpotS: number | null;
  utilisation: { compute: number; memory: number; network: number };
  bottleneck: Bottleneck;
  memory: MemoryFit;
  energy: EnergyResult;
  assumptions: string[];
  warnings: string[];
}

export class PerfInputError extends Error {
  override readonly name = 'PerfInputError';
}

/** The setup does not fit in memory; the message names the shortfall and the smallest deployment that fits. */
export class PerfFitError extends PerfInputError {
  constructor(
    message: string,
    readonly memory: MemoryFit,
    readonly smallest: (Parallelism & { chips: number }) | null,
  ) {
    super(message);
  }
}

function normalise(w: Workload) {
  const weights = getFormat(w.weights ?? 'bf16').id;
  const optInt = (x: number | undefined, what: string) => {
    if (x === undefined) return undefined;
    if (!Number.isInteger(x) || x < 1 || x > MAX_SEARCH_CHIPS * 16)
      throw new PerfInputError(`${what} must be a positive integer up to ${MAX_SEARCH_CHIPS * 16}, got ${x}`);
    return x;
  };
  const posInt = (x: number, what: string, max: number) => {
    if (!Number.isInteger(x) || x < 1 || x > max)
      throw new PerfInputError(`${what} must be a positive integer up to ${max}, got ${x}`);
    return x;
  };
  if (w.phase !== 'prefill' && w.phase !== 'decode')
    throw new PerfInputError(`phase must be prefill or decode, got ${String(w.phase)}`);
  for (const [x, what] of [
    [w.layerOverheadUs, 'layer overhead'],
    [w.layerOverheadPerTokenUs, 'per-token layer overhead'],
  ] as const) {
    if (x !== undefined && !(x >= 0 && Number.isFinite(x)))
      throw new PerfInputError(`${what} must be a non-negative number, got ${x}`);
  }
  const frac = (x: number | undefined, what: string, d: number, max = 1) => {
    const v = x ?? d;
    if (!(v >= 0 && v <= max)) throw new PerfInputError(`${what} must be in [0, ${max}], got ${x}`);
    return v;
  };
  const mtp = w.mtp ?? { draftTokens: 0, acceptance: 0 };
  if (!Number.isInteger(mtp.draftTokens))
    throw new PerfInputError(`MTP draft tokens must be an integer from 0 to 8, got ${mtp.draftTokens}`);
  return {
    model: w.model,
    system: w.system,
    phase: w.phase,
    batch: posInt(w.batch, 'batch', MAX_BATCH),
    seqLen: posInt(w.seqLen, 'seq', MAX_SEQ),
    weights,
    attentionWeights: getFormat(w.attentionWeights ?? weights).id,
    activations: getFormat(w.activations ?? weights).id,
    kv: getFormat(w.kv ?? 'bf16').id,
    tp: optInt(w.tp, 'tp'),
    ep: optInt(w.ep, 'ep'),
    pp: optInt(w.pp, 'pp'),
    mtp: {
      draftTokens: frac(mtp.draftTokens, 'MTP draft tokens', 0, 8),
      acceptance: frac(mtp.acceptance, 'MTP acceptance', 0),
    },
    overlap: frac(w.overlap, 'overlap', 0),
    overlapKind: overlapKindOf(w.overlapKind),
    expertImbalance: imbalanceOf(w.expertImbalance),
    cacheHitRate: frac(w.cacheHitRate, 'cache hit rate', 0, 0.999),
    fp8Fallback: w.fp8Fallback ?? 'bf16',
  };
}

/** The busiest expert rank's load over the mean: a finite number >= 1 (1: balanced). */
function imbalanceOf(x: number | undefined): number {
  if (x === undefined) return 1;
  if (!(x >= 1) || !Number.isFinite(x))
    throw new PerfInputError(
      `expert imbalance (busiest rank over the mean) must be a finite number >= 1, got ${x}`,
    );
  return x;
}

function overlapKindOf(k: OverlapKind | undefined): OverlapKind {
  if (k === undefined) return 'micro-batch';
  if (!(OVERLAP_KINDS as readonly string[]).includes(k))
    throw new PerfInputError(`overlap kind must be ${OVERLAP_KINDS.join(', ')}, got ${String(k)}`);
  return k;
}

/** Collective time hidden in one layer (see {@link Workload.overlapKind}). */
export function hiddenComm(ops: OpCost[], overlap: number, kind: OverlapKind, fixed?: OpCost | null): number {
  const t = (name: string) => ops.filter((o) => o.name === name).reduce((a, o) => a + o.timeS, 0);
  const comm = ops.filter((o) => o.collective).reduce((a, o) => a + o.timeS, 0);
  if (kind === 'single-batch') {
    const hid =
      Math.min(t('MoE dispatch (all-to-all)'), t('shared experts')) +
      Math.min(t('MoE combine (all-to-all)'), t('routed experts') / 3);
    return overlap * Math.min(comm, hid);
  }
  if (kind === 'shared-expert')
    return overlap * Math.min(t('MoE dispatch (all-to-all)'), t('shared experts'));
  const local = ops.filter((o) => !o.collective && o !== fixed).reduce((a, o) => a + o.timeS, 0);
  if (kind === 'dispatch-only') return overlap * Math.min(local, t('MoE dispatch (all-to-all)'));
  return overlap * Math.min(local, comm);
}

type Normalised = Omit<ReturnType<typeof normalise>, 'tp' | 'ep' | 'pp'> & Parallelism;

/** The per-layer overhead of a decode step: a floor plus a cost per token the layer handles (us). */
export interface LayerOverhead {
  floorUs: number;
  perTokenUs: number;
}

/** The class's fixed per-layer time, as an operation so it shows in the breakdown. */
function fixedOp(seconds: number, cls: string): OpCost {
  return {
    name: 'fixed per-layer overhead',
    count: 1,
    flops: 0,
    bytes: 0,
    netBytes: 0,
    computeS: seconds,
    memoryS: 0,
    networkS: 0,
    timeS: seconds,
    bottleneck: 'compute',
    path: `${cls} class calibration`,
    collective: false,
  };
}

/** One step on one chip: the op list, the stage time with overlap, and the tokens it handles. */
function step(
  sys: SystemSpec,
  cat: Catalog,
  w: Normalised,
  phase: 'prefill' | 'decode',
  batch: number,
  overhead: LayerOverhead,
) {
  const shape = modelShape(cat.getModel(w.model));
  const chip = sys.chip;
  const acts = getFormat(w.activations);
  const kv = getFormat(w.kv);
  const gemm = gemmPath(chip, getFormat(w.weights), acts, w.fp8Fallback);
  const attnGemm = gemmPath(chip, getFormat(w.attentionWeights), acts, w.fp8Fallback);
  const attn = attentionPath(chip, kv, acts);
  const bf16 = getFormat('bf16');
  const head = gemmPath(chip, bf16, bf16, w.fp8Fallback);
  const draft = phase === 'decode' ? w.mtp.draftTokens : 0;
  const newTokens = phase === 'decode' ? 1 + draft : w.seqLen * (1 - w.cacheHitRate);
  const prefix = phase === 'decode' ? w.seqLen : w.seqLen * w.cacheHitRate;
  const ctx: LayerContext = {
    sys,
    shape,
    phase,
    batch,
    tokens: batch * newTokens,
    context: phase === 'decode' ? w.seqLen : prefix + newTokens / 2,
    cachedKv: prefix,
    tp: w.tp,
    ep: w.ep,
    imbalance: w.expertImbalance,
    gemm,
    attnGemm,
    attn,
    head,
    acts,
    kv,
  };
  const moe = shape.moeLayers > 0;
  const kinds: { ops: OpCost[]; layers: number }[] = [
    { ops: [...attentionOps(ctx), ...ffnOps(ctx, false)], layers: shape.denseLayers / w.pp },
    {
      ops: [...attentionOps(ctx), ...ffnOps(ctx, true)],
      layers: (shape.moeLayers + (moe ? draft : 0)) / w.pp,
    },
    { ops: headOps(ctx), layers: (1 + draft) / w.pp },
  ];
  let stageS = 0;
  const byName = new Map<string, OpSummary>();
  // floor + per-token cost x the tokens each MoE layer handles this step (decode: batch x (1 + drafts))
  const overheadS = (overhead.floorUs + overhead.perTokenUs * ctx.tokens) * 1e-6;
  // The fixed per-layer time (launch, synchronisation, dispatch/combine bookkeeping) is never overlapped.
  const fixed = overheadS > 0 ? fixedOp(overheadS, chip.cls.id) : null;
  // Fitted on expert-parallel MoE decode, it is charged to MoE layers run with EP > 1 only (dense
  // layers and dense models under CUDA/CANN graphs pay no such per-layer synchronisation), and in
  // decode only: it is the per-step launch/synchronisation cost of many small kernels, which a
  // prefill forward's large kernels hide (and in aggregated serving a prefill chunk rides inside a
  // decode step that already paid it).
  if (fixed && w.ep > 1 && phase === 'decode') kinds[1]!.ops.push(fixed);
  for (const { ops, layers } of kinds) {
    if (layers <= 0) continue;
    const local = ops.filter((o) => !o.collective && o !== fixed).reduce((a, o) => a + o.timeS, 0);
    const comm = ops.filter((o) => o.collective).reduce((a, o) => a + o.timeS, 0);
    const fix = ops.includes(fixed as OpCost) ? overheadS : 0;
    stageS += layers * (local + comm - hiddenComm(ops, w.overlap, w.overlapKind, fixed) + fix);
    for (const o of ops) {
      const prev = byName.get(o.name);
      if (prev) {
        prev.count += layers;
        prev.stepS += layers * o.timeS * w.pp;
        prev.computeS += layers * o.computeS;
        prev.memoryS += layers * o.memoryS;
        prev.networkS += layers * o.networkS;
      } else {
        byName.set(o.name, {
          ...o,
          count: layers,
          stepS: layers * o.timeS * w.pp,
          computeS: layers * o.computeS,
          memoryS: layers * o.memoryS,
          networkS: layers * o.networkS,
        });
      }
    }
  }
  const ops = [...byName.values()];
  for (const o of ops) {
    o.bottleneck = o.networkS > 0 ? 'network' : o.computeS >= o.memoryS ? 'compute' : 'memory';
  }
  return { shape, ops, stageS, stepS: stageS * w.pp, ctx, gemm, attnGemm, attn, head };
}

/** The resolved system and deployment of a workload: given TP/EP/PP kept, the rest the smallest that fits. */
export function plan(data: PerfData, cat: Catalog, workload: Workload) {
  const n = normalise(workload);
  const sys = resolveSystem(data, cat, n.system, workload.assume);
  const model = cat.getModel(n.model);
  const shape = modelShape(model);
  const builtFromChip = !cat.systems.some((x) => x.id === sys.id);
  const maxChips = builtFromChip ? sys.chips : MAX_SEARCH_CHIPS;
  if (n.pp !== undefined && n.pp > shape.layers)
    throw new PerfInputError(`pp ${n.pp} exceeds the ${shape.layers} layers of ${model.id}`);
  if (n.tp !== undefined && n.tp > sys.chips)
    throw new PerfInputError(`tp ${n.tp} exceeds the ${sys.chips} chips of ${sys.id}`);
  if (n.tp !== undefined && n.tp > shape.heads)
    throw new PerfInputError(`tp ${n.tp} exceeds the ${shape.heads} attention heads of ${model.id}`);
  if (n.ep !== undefined && n.ep > 1 && shape.moeLayers === 0)
    throw new PerfInputError(`ep ${n.ep} given but ${model.id} is dense (no experts)`);
  const fi = fitInput({ ...n, weights: n.weights, activations: n.activations, kv: n.kv });
  const fixed: Partial<Parallelism> = { tp: n.tp, ep: n.ep, pp: n.pp };
  const auto = (['tp', 'ep', 'pp'] as const).filter((k) => fixed[k] === undefined);
  let p: Parallelism;
  let memory: MemoryFit;
  const where = `${model.id} on ${sys.id}`;
  if (auto.length === 0) {
    p = { tp: n.tp!, ep: n.ep!, pp: n.pp! };
    memory = memoryPerChip(data, sys, shape, fi, p);
    if (!memory.fits) {
      const s = smallestFit(data, sys, shape, fi, {}, maxChips);
      throw new PerfFitError(fitMessage(where, memory, p, s, maxChips), memory, s);
    }
  } else {
    const s = smallestFit(data, sys, shape, fi, fixed, maxChips);
    if (!s) {
      // Nothing fits with the given degrees: report the searched deployment that comes closest
      // (least memory per chip) and the smallest deployment that fits when nothing is held.
      const near = closestFit(data, sys, shape, fi, fixed, maxChips);
      const p0 = near
        ? { tp: near.tp, ep: near.ep, pp: near.pp }
        : { tp: n.tp ?? 1, ep: n.ep ?? 1, pp: n.pp ?? 1 };
      const m0 = near ? near.memory : memoryPerChip(data, sys, shape, fi, p0);
      const given = (['tp', 'ep', 'pp'] as const).filter((k) => fixed[k] !== undefined);
      const anywhere = smallestFit(data, sys, shape, fi, {}, maxChips);
      throw new PerfFitError(fitMessage(where, m0, p0, anywhere, maxChips, given), m0, anywhere);
    }
    p = { tp: s.tp, ep: s.ep, pp: s.pp };
    memory = s.memory;
  }
  const chips = chipsOf(p);
  checkScaleUpDomain(sys, chips);
  if (builtFromChip && chips > sys.chips)
    throw new PerfInputError(
      `tp ${p.tp} ep ${p.ep} pp ${p.pp} needs ${chips} chips; ${sys.id} has ${sys.chips}`,
    );
  const w: Normalised = { ...n, ...p, system: sys.id, model: model.id };
  return { w, sys, shape, memory, parallel: { ...p, chips, auto: [...auto] } };
}

/** Simulate a workload. Throws `PerfInputError` (or `PerfFitError`) for bad numbers, catalogue errors for unknown names. */
export function simulate(data: PerfData, cat: Catalog, workload: Workload): PerfResult {
  const { w, sys, memory, parallel } = plan(data, cat, workload);
  const system = sys.system;
  const cls = sys.chip.cls;
  const overhead: LayerOverhead = {
    floorUs: workload.layerOverheadUs ?? num(cls.layerOverheadUs),
    perTokenUs:
      workload.layerOverheadPerTokenUs ??
      (cls.layerOverheadPerTokenUs ? num(cls.layerOverheadPerTokenUs) : 0),
  };
  const s = step(sys, cat, w, w.phase, w.batch, overhead);
  const warnings: string[] = [];
  const chips = parallel.chips;
  if (w.ep > sys.scaleUpDomain && sys.chip.scaleOutGBps === null) {
    warnings.push(
      `EP ${w.ep} spans more than one ${system.id} but ${sys.chip.id} has no known scale-out bandwidth`,
    );
  }
  const accepted = 1 + w.mtp.draftTokens * w.mtp.acceptance;
  const perStage = s.stageS * w.tp;
  const tokensPerSecPerChip =
    w.phase === 'decode' ? (w.batch * accepted) / perStage : (w.batch * w.seqLen) / perStage;
  const ttft = w.phase === 'prefill' ? s.stepS : step(sys, cat, w, 'prefill', 1, overhead).stepS;
  const tpotS = w.phase === 'decode' ? s.stepS / accepted : null;
  const sum = (k: 'computeS' | 'memoryS' | 'networkS') => s.ops.reduce((a, o) => a + o[k], 0) / s.stageS;
  const utilisation = {
    compute: Math.min(1, sum('computeS')),
    memory: Math.min(1, sum('memoryS')),
    network: Math.min(1, sum('networkS')),
  };
  const top = [...s.ops].sort((a, b) => b.stepS - a.stepS)[0]!;
  const energy = inferenceEnergy(data, sys, utilisation, tokensPerSecPerChip, workload.energy ?? {});
  const assumptions = [
    ...sys.assumptions,
    ...energy.assumptions,
    `GEMM efficiency: ${sys.chip.cls.id} curve (${sys.chip.cls.gemm.confidence}: ${sys.chip.cls.gemm.source})`,
    `HBM efficiency ${sys.chip.cls.hbm.value}, attention-core efficiency ${sys.chip.cls.attentionCompute.value} (${sys.chip.cls.id} class)`,
    `links: scale-up efficiency ${sys.chip.cls.scaleUp.efficiency.value}, scale-out ${sys.chip.cls.scaleOut.efficiency.value} (${sys.chip.cls.id} class)`,
    w.overlapKind === 'single-batch'
      ? `single-batch overlap at ${w.overlap * 100}%: shared experts hide the MoE dispatch, the routed experts' down projection (a third of their time) hides the combine`
      : w.overlapKind === 'dispatch-only'
        ? `${w.overlap * 100}% of the MoE dispatch hidden behind local work (attention and MoE paths on two streams); the combine is not hidden`
        : w.overlapKind === 'shared-expert'
          ? `${w.overlap * 100}% of the MoE dispatch hidden behind the shared experts (second stream); the combine is not hidden`
          : `${w.overlap * 100}% of the shorter of collective and local time per layer hidden by micro-batch overlap`,
    overheadLine(overhead, s.ctx.tokens, w.phase, workload, cls),
    `scale-up domain ${sys.scaleUpDomain} chips; beyond it scale-out links`,
    `memory per chip: weights + KV + activations + workspace (${data.workspaceGB.value} GB, ${data.workspaceGB.confidence})`,
  ];
  if (parallel.auto.length)
    assumptions.push(
      `${parallel.auto.join(', ')} chosen as the smallest deployment that fits (fewest chips, then fewest PP stages, then smallest TP)`,
    );
  if (w.mtp.draftTokens > 0) {
    assumptions.push(
      `MTP: ${w.mtp.draftTokens} draft token(s), ${w.mtp.acceptance} acceptance, ${accepted} tokens per step; each draft adds one MoE layer and a logits pass`,
    );
  }
  return {
    workload: w,
    parallel,
    chip: sys.chip.id,
    chipClass: sys.chip.cls.id,
    paths: {
      gemm: s.gemm.label,
      attentionProjections: s.attnGemm.label,
      attention: s.attn.label,
      logits: s.head.label,
    },
    ops: s.ops,
    stepS: s.stepS,
    tokensPerSecPerChip,
    tokensPerSecPerSystem: tokensPerSecPerChip * sys.chips,
    ttftS: ttft,
    tpotS,
    utilisation,
    bottleneck: top.bottleneck,
    memory,
    energy,
    assumptions,
    warnings:
      chips > sys.chips
        ? [
            ...warnings,
            `deployment spans ${chips} chips, more than one ${system.id} (${sys.chips}); scale-out links carry the rest`,
          ]
        : warnings,
  };
}

/** The assumption line of the per-layer overhead: floor, per-token cost, the total at this step, its source. */
function overheadLine(
  o: LayerOverhead,
  tokens: number,
  phase: 'prefill' | 'decode',
  workload: Workload,
  cls: SystemSpec['chip']['cls'],
): string {
  const given = workload.layerOverheadUs !== undefined || workload.layerOverheadPerTokenUs !== undefined;
  const src = given ? 'given' : `${cls.id} class: ${cls.layerOverheadUs.source}`;
  const total = o.floorUs + o.perTokenUs * tokens;
  const perToken =
    o.perTokenUs <= 0
      ? ''
      : phase === 'decode'
        ? ` + ${o.perTokenUs.toFixed(3)} us per token x ${+tokens.toFixed(2)} tokens per layer = ${total.toFixed(1)} us`
        : ` + ${o.perTokenUs.toFixed(3)} us per token`;
  const when = phase === 'decode' ? 'in decode' : 'in decode only (not charged in this prefill)';
  return `fixed per-layer time ${o.floorUs.toFixed(1)} us${perToken} ${when}, MoE layers with EP > 1 (${src}), not overlapped`;
}
