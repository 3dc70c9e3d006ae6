/**
 * @module perf/simulate
 * Prefill and decode of a model on a system, per chip: the layer's operations from `ops.ts`,
 * collectives overlapped with local work by the stated fraction, pipeline stages, MTP; then
 * tokens/s per chip and per system, TTFT, TPOT, memory footprint, and the energy and cost.
 */
import type { Catalog } from '../catalog/catalog.js';
import { attentionPath, type Fp8Fallback, gemmPath, type SystemSpec, systemSpec } from './chip.js';
import { num, type PerfData } from './data.js';
import { type EnergyOptions, type EnergyResult, inferenceEnergy } from './energy.js';
import { bytesPerElement, getFormat } from './formats.js';
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
  activations?: string;
  kv?: string;
  tp?: number;
  ep?: number;
  pp?: number;
  mtp?: { draftTokens: number; acceptance: number };
  /** Fraction of each layer's collective time hidden behind its local work by micro-batch pipelining (0..1). */
  overlap?: number;
  /** Busiest rank's expert load over the mean (1 = perfectly balanced). */
  expertImbalance?: number;
  /** Prefill: share of prompt tokens found in a KV cache (not recomputed). */
  cacheHitRate?: number;
  /** What FP8 becomes on a chip without FP8: dequantised to BF16 (default) or requantised offline to INT8. */
  fp8Fallback?: Fp8Fallback;
  energy?: EnergyOptions;
}

export interface OpSummary extends Omit<OpCost, 'count'> {
  /** Executions per step per chip (layers on this chip x per-layer count). */
  count: number;
  /** Seconds per step spent in this operation (all executions), before overlap. */
  stepS: number;
}

export interface PerfResult {
  workload: Required<Omit<Workload, 'mtp' | 'energy'>> & { mtp: { draftTokens: number; acceptance: number } };
  chip: string;
  chipClass: string;
  paths: { gemm: string; attention: string; logits: string };
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
  memory: { weightsGB: number; kvGB: number; capacityGB: number; fits: boolean };
  energy: EnergyResult;
  assumptions: string[];
  warnings: string[];
}

export class PerfInputError extends Error {
  override readonly name = 'PerfInputError';
}

function normalise(w: Workload) {
  const weights = getFormat(w.weights ?? 'bf16').id;
  const needInt = (x: number | undefined, what: string, d: number) => {
    const v = x ?? d;
    if (!Number.isInteger(v) || v < 1)
      throw new PerfInputError(`${what} must be a positive integer, got ${x}`);
    return v;
  };
  const pos = (x: number, what: string) => {
    if (!(x > 0) || !Number.isFinite(x))
      throw new PerfInputError(`${what} must be a positive number, got ${x}`);
    return x;
  };
  const frac = (x: number | undefined, what: string, d: number, max = 1) => {
    const v = x ?? d;
    if (!(v >= 0 && v <= max)) throw new PerfInputError(`${what} must be in [0, ${max}], got ${x}`);
    return v;
  };
  const mtp = w.mtp ?? { draftTokens: 0, acceptance: 0 };
  return {
    model: w.model,
    system: w.system,
    phase: w.phase,
    batch: pos(w.batch, 'batch'),
    seqLen: pos(w.seqLen, 'seq'),
    weights,
    activations: getFormat(w.activations ?? weights).id,
    kv: getFormat(w.kv ?? 'bf16').id,
    tp: needInt(w.tp, 'tp', 1),
    ep: needInt(w.ep, 'ep', 1),
    pp: needInt(w.pp, 'pp', 1),
    mtp: {
      draftTokens: frac(mtp.draftTokens, 'MTP draft tokens', 0, 8),
      acceptance: frac(mtp.acceptance, 'MTP acceptance', 0),
    },
    overlap: frac(w.overlap, 'overlap', 0),
    expertImbalance: Math.max(1, w.expertImbalance ?? 1),
    cacheHitRate: frac(w.cacheHitRate, 'cache hit rate', 0, 0.999),
    fp8Fallback: w.fp8Fallback ?? 'bf16',
  };
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
  w: ReturnType<typeof normalise>,
  phase: 'prefill' | 'decode',
  batch: number,
) {
  const shape = modelShape(cat.getModel(w.model));
  const chip = sys.chip;
  const acts = getFormat(w.activations);
  const kv = getFormat(w.kv);
  const gemm = gemmPath(chip, getFormat(w.weights), acts, w.fp8Fallback);
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
  const overheadS = num(chip.cls.layerOverheadUs) * 1e-6;
  if (overheadS > 0) {
    kinds[0]!.ops.push(fixedOp(overheadS, chip.cls.id));
    kinds[1]!.ops.push(fixedOp(overheadS, chip.cls.id));
  }
  for (const { ops, layers } of kinds) {
    if (layers <= 0) continue;
    const local = ops.filter((o) => !o.collective).reduce((a, o) => a + o.timeS, 0);
    const comm = ops.filter((o) => o.collective).reduce((a, o) => a + o.timeS, 0);
    stageS += layers * (local + comm - w.overlap * Math.min(local, comm));
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
  return { shape, ops, stageS, stepS: stageS * w.pp, ctx, gemm, attn, head };
}

/** Simulate a workload. Throws `PerfInputError` for bad numbers, catalogue errors for unknown names. */
export function simulate(data: PerfData, cat: Catalog, workload: Workload): PerfResult {
  const w = normalise(workload);
  const system = cat.getSystem(w.system);
  w.system = system.id;
  w.model = cat.getModel(w.model).id;
  const sys = systemSpec(data, cat, system);
  const s = step(sys, cat, w, w.phase, w.batch);
  const warnings: string[] = [];
  const chips = w.tp * w.pp * Math.max(1, w.ep / w.tp);
  if (w.ep > sys.scaleUpDomain && sys.chip.scaleOutGBps === null) {
    warnings.push(
      `EP ${w.ep} spans more than one ${system.id} but ${sys.chip.id} has no known scale-out bandwidth`,
    );
  }
  const accepted = 1 + w.mtp.draftTokens * w.mtp.acceptance;
  const perStage = s.stageS * w.tp;
  const tokensPerSecPerChip =
    w.phase === 'decode' ? (w.batch * accepted) / perStage : (w.batch * w.seqLen) / perStage;
  const ttft = w.phase === 'prefill' ? s.stepS : step(sys, cat, w, 'prefill', 1).stepS;
  const tpotS = w.phase === 'decode' ? s.stepS / accepted : null;
  const sum = (k: 'computeS' | 'memoryS' | 'networkS') => s.ops.reduce((a, o) => a + o[k], 0) / s.stageS;
  const utilisation = {
    compute: Math.min(1, sum('computeS')),
    memory: Math.min(1, sum('memoryS')),
    network: Math.min(1, sum('networkS')),
  };
  const top = [...s.ops].sort((a, b) => b.stepS - a.stepS)[0]!;
  // Memory footprint per chip.
  const sh = s.shape;
  const wbytes = bytesPerElement(s.gemm.weightStorage);
  const params =
    (sh.layers * sh.attnParams) / w.tp +
    (sh.denseLayers * sh.denseFfnParams) / w.tp +
    sh.moeLayers * sh.expertParams * (sh.sharedExperts / w.tp + sh.routedExperts / w.ep);
  const weightsGB = ((params / w.pp) * wbytes + (2 * sh.hidden * sh.vocab * 2) / w.tp) / 1e9;
  const kvShare = sh.attention === 'mla' ? 1 : Math.min(w.tp, sh.kvElemsPerToken);
  const kvGB =
    (w.batch * w.seqLen * sh.kvElemsPerToken * bytesPerElement(getFormat(w.kv)) * sh.layers) /
    w.pp /
    kvShare /
    1e9;
  const capacityGB = sys.chip.hbmGB;
  const fits = weightsGB + kvGB <= capacityGB;
  if (!fits)
    warnings.push(
      `weights ${weightsGB.toFixed(1)} GB + KV ${kvGB.toFixed(1)} GB exceed ${capacityGB} GB of HBM per chip`,
    );
  const energy = inferenceEnergy(data, sys, utilisation, tokensPerSecPerChip, workload.energy ?? {});
  const assumptions = [
    ...sys.assumptions,
    ...energy.assumptions,
    `GEMM efficiency: ${sys.chip.cls.id} curve (${sys.chip.cls.gemm.confidence}: ${sys.chip.cls.gemm.source})`,
    `HBM efficiency ${sys.chip.cls.hbm.value}, attention-core efficiency ${sys.chip.cls.attentionCompute.value} (${sys.chip.cls.id} class)`,
    `links: scale-up efficiency ${sys.chip.cls.scaleUp.efficiency.value}, scale-out ${sys.chip.cls.scaleOut.efficiency.value} (${sys.chip.cls.id} class)`,
    `${w.overlap * 100}% of the shorter of collective and local time per layer hidden by micro-batch overlap`,
    `scale-up domain = the whole ${system.id} (${sys.scaleUpDomain} chips)`,
  ];
  if (w.mtp.draftTokens > 0) {
    assumptions.push(
      `MTP: ${w.mtp.draftTokens} draft token(s), ${w.mtp.acceptance} acceptance, ${accepted} tokens per step; each draft adds one MoE layer and a logits pass`,
    );
  }
  return {
    workload: w,
    chip: sys.chip.id,
    chipClass: sys.chip.cls.id,
    paths: { gemm: s.gemm.label, attention: s.attn.label, logits: s.head.label },
    ops: s.ops,
    stepS: s.stepS,
    tokensPerSecPerChip,
    tokensPerSecPerSystem: tokensPerSecPerChip * sys.chips,
    ttftS: ttft,
    tpotS,
    utilisation,
    bottleneck: top.bottleneck,
    memory: { weightsGB, kvGB, capacityGB, fits },
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
