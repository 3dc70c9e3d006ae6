/**
 * @module perf/search
 * Serving search: over batch and parallelism (every deployment that fits), the most decode tokens/s
 * per chip within a TPOT (and optionally TTFT) limit, and the Pareto frontier of tokens/s per chip
 * against tokens/s per user, with the prefill:decode chip ratio for a given input/output length.
 */
import type { Catalog } from '../catalog/catalog.js';
import { resolveSystem } from './chip.js';
import type { PerfData } from './data.js';
import { candidates, MAX_SEARCH_CHIPS } from './fit.js';
import { modelShape } from './shape.js';
import { PerfInputError, type PerfResult, simulate, type Workload } from './simulate.js';

export interface ServePoint {
  batch: number;
  tp: number;
  ep: number;
  pp: number;
  chips: number;
  tokensPerSecPerChip: number;
  /** 1 / TPOT. */
  tokensPerSecPerUser: number;
  tpotMs: number;
  ttftMs: number;
}

export interface ServeSearch {
  model: string;
  system: string;
  tpotMaxMs: number | null;
  ttftMaxMs: number | null;
  /** Every fitting (batch, deployment) simulated. */
  evaluated: number;
  /** The most tokens/s per chip within the limits, or null when nothing meets them. */
  best: ServePoint | null;
  /** Not dominated in (tokens/s per chip, tokens/s per user), sorted by tokens/s per user. */
  pareto: ServePoint[];
  /** Prefill chips needed per decode chip at the best point (or the frontier's fastest), for the given lengths. */
  prefillDecode: {
    inputLen: number;
    outputLen: number;
    prefillTokensPerSecPerChip: number;
    prefillChipsPerDecodeChip: number;
  } | null;
  assumptions: string[];
}

/** Batches tried: powers of two from 1 to 1,024. */
export const SEARCH_BATCHES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/** Largest deployment the serving search tries on a catalogued system (more chips rarely add per-chip throughput). */
export const SEARCH_MAX_CHIPS = 256;

const toPoint = (r: PerfResult): ServePoint => ({
  batch: r.workload.batch,
  tp: r.parallel.tp,
  ep: r.parallel.ep,
  pp: r.parallel.pp,
  chips: r.parallel.chips,
  tokensPerSecPerChip: r.tokensPerSecPerChip,
  tokensPerSecPerUser: 1 / r.tpotS!,
  tpotMs: r.tpotS! * 1000,
  ttftMs: r.ttftS * 1000,
});

/** The frontier: points no other point beats on both tokens/s per chip and tokens/s per user. */
export function paretoFront(points: ServePoint[]): ServePoint[] {
  const s = [...points].sort(
    (a, b) => b.tokensPerSecPerUser - a.tokensPerSecPerUser || b.tokensPerSecPerChip - a.tokensPerSecPerChip,
  );
  const out: ServePoint[] = [];
  let bestChip = -Infinity;
  for (const p of s) {
    if (p.tokensPerSecPerChip > bestChip) {
      out.push(p);
      bestChip = p.tokensPerSecPerChip;
    }
  }
  return out.reverse();
}

/**
 * Search decode batch and parallelism of `base` (its tp/ep/pp, when given, are held fixed). `outputLen`
 * sets the prefill:decode ratio: prefill chip-seconds per request (inputLen / prefill tokens/s per chip,
 * prefill at about 16K tokens per forward, smallest deployment that fits) over decode chip-seconds
 * (outputLen / decode tokens/s per chip).
 */
export function serveSearch(
  data: PerfData,
  cat: Catalog,
  base: Omit<Workload, 'phase' | 'batch'>,
  opts: { tpotMaxMs?: number; ttftMaxMs?: number; outputLen?: number },
): ServeSearch {
  for (const [k, v] of [
    ['--tpot-max', opts.tpotMaxMs],
    ['--ttft-max', opts.ttftMaxMs],
  ] as const) {
    if (v !== undefined && !(v > 0 && v <= 1e7))
      throw new PerfInputError(`${k} must be a positive number of ms, got ${v}`);
  }
  const outputLen = opts.outputLen ?? 1000;
  if (!Number.isInteger(outputLen) || outputLen < 1 || outputLen > 10_000_000)
    throw new PerfInputError(`output length must be a positive integer up to 10,000,000, got ${outputLen}`);
  const sys = resolveSystem(data, cat, base.system, base.assume);
  const shape = modelShape(cat.getModel(base.model));
  const builtFromChip = !cat.systems.some((x) => x.id === sys.id);
  const maxChips = builtFromChip
    ? sys.chips
    : Math.min(MAX_SEARCH_CHIPS, Math.max(SEARCH_MAX_CHIPS, sys.chips));
  const fixed = { tp: base.tp, ep: base.ep, pp: base.pp };
  // One deployment per chip count and shape; PP only when nothing without it fits (it adds no throughput here).
  const deployments = candidates(sys, shape, fixed, maxChips).filter(
    (p) => fixed.pp !== undefined || p.pp === 1,
  );
  const all: ServePoint[] = [];
  for (const p of deployments) {
    for (const batch of SEARCH_BATCHES) {
      try {
        const r = simulate(data, cat, { ...base, phase: 'decode', batch, tp: p.tp, ep: p.ep, pp: p.pp });
        all.push(toPoint(r));
      } catch (e) {
        if (e instanceof PerfInputError) break; // larger batches do not fit either
        throw e;
      }
    }
  }
  const ok = all.filter(
    (p) =>
      (opts.tpotMaxMs === undefined || p.tpotMs <= opts.tpotMaxMs) &&
      (opts.ttftMaxMs === undefined || p.ttftMs <= opts.ttftMaxMs),
  );
  const best = ok.length
    ? ok.reduce((a, b) => (b.tokensPerSecPerChip > a.tokensPerSecPerChip ? b : a))
    : null;
  const pareto = paretoFront(ok);
  let prefillDecode: ServeSearch['prefillDecode'] = null;
  const ref = best ?? pareto[pareto.length - 1];
  if (ref) {
    const inputLen = base.seqLen;
    const pre = simulate(data, cat, {
      ...base,
      phase: 'prefill',
      batch: Math.max(1, Math.floor(16384 / inputLen)),
      tp: undefined,
      ep: undefined,
      pp: undefined,
    });
    const prefillChipS = inputLen / pre.tokensPerSecPerChip;
    const decodeChipS = outputLen / ref.tokensPerSecPerChip;
    prefillDecode = {
      inputLen,
      outputLen,
      prefillTokensPerSecPerChip: pre.tokensPerSecPerChip,
      prefillChipsPerDecodeChip: prefillChipS / decodeChipS,
    };
  }
  return {
    model: shape.id,
    system: sys.id,
    tpotMaxMs: opts.tpotMaxMs ?? null,
    ttftMaxMs: opts.ttftMaxMs ?? null,
    evaluated: all.length,
    best,
    pareto,
    prefillDecode,
    assumptions: [
      `batches ${SEARCH_BATCHES[0]}-${SEARCH_BATCHES[SEARCH_BATCHES.length - 1]} (powers of two) x every deployment that fits up to ${maxChips} chips (TP, EP powers of two; PP only when given)`,
      `KV length ${base.seqLen} for every sequence (the prompt; output growth not modelled)`,
      'TTFT = one prompt prefilled alone on the decode deployment (no queueing)',
      `prefill:decode ratio from ${outputLen} output tokens per ${base.seqLen}-token prompt, prefill at about 16K tokens per forward on its smallest fitting deployment`,
      'chips per deployment: pp x max(tp, ep) (attention data-parallel beside EP)',
    ],
  };
}
