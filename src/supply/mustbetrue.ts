/**
 * @module supply/mustbetrue
 * "What must be true" for a claim such as "most of demand met by end-2026": not only the share of
 * Monte Carlo runs in which it holds, but the region of inputs in which it holds.
 *
 * Method (a greedy "patient rule induction" box search): start from all runs; at each step try,
 * for every uncertain parameter, keeping only the runs whose draw lies above (or below) one of
 * its deciles, and keep the cut that makes the claim hold in the largest share of the remaining
 * runs, provided at least `minSupport` of all runs remain. Stop after `maxConditions` cuts or
 * once the claim holds in `precision` of the box. Each cut is reported as a value of the
 * parameter (at the claim's quarter for a series), so the box reads "CXMT HBM ≥ x stacks/quarter
 * and die bank ≥ y dies".
 */
import { labelOf } from './dataset.js';
import { quantile } from './distributions.js';
import type { Metric, Samples } from './engine.js';
import type { ModelInputs } from './inputs.js';
import { annual, prepareInputs, replayUniforms, sampleRuns } from './montecarlo.js';
import { QUARTERS, quarterIndex } from './quarters.js';
import type { Confidence, Entry, SupplyData } from './types.js';
import { SupplyDataError } from './validate.js';

export interface Claim {
  id: string;
  text: string;
  metric: Metric;
  /** "2026Q4" or "2026". */
  period: string;
  /** The claim holds when the metric exceeds this value. */
  threshold: number;
}

/** The story's end-2026 claim, read with each of the two unit metrics. */
export const CLAIMS: readonly Claim[] = [
  {
    id: 'most-deliveries-domestic-2026q4',
    text: 'most accelerators delivered in China in 2026Q4 are domestic (self-sufficiency > 50%)',
    metric: 'selfSufficiency',
    period: '2026Q4',
    threshold: 0.5,
  },
  {
    id: 'most-demand-met-2026q4',
    text: 'domestic output meets most of demand in 2026Q4 (unit share of demand > 50%)',
    metric: 'shareOfDemand',
    period: '2026Q4',
    threshold: 0.5,
  },
];

export interface BoxCondition {
  parameter: string;
  /** Plain words with the unit (the data's `label`). */
  label: string;
  /** The draw must be at least (`>=`) or at most (`<=`) `value`. */
  op: '>=' | '<=';
  value: number;
  /** The same cut as a quantile of the parameter's distribution. */
  quantile: number;
  unit: string;
  /** The period the value refers to ("" for a scalar). */
  period: string;
  low: number;
  high: number;
  confidence: Confidence;
  /** Share of all runs in the box and share holding, after this cut. */
  support: number;
  holds: number;
}

export interface MustBeTrueResult {
  claim: Claim;
  scenario: string;
  runs: number;
  seed: number;
  /** Share of all runs in which the claim holds. */
  holds: number;
  /** The cuts, in the order found; the box is their intersection. */
  box: BoxCondition[];
  /** Share of runs inside the box, and share of those in which the claim holds. */
  support: number;
  holdsInBox: number;
}

export interface MustBeTrueOptions {
  scenario?: string;
  runs?: number;
  seed?: number;
  overrides?: Record<string, Entry>;
  minSupport?: number;
  precision?: number;
  maxConditions?: number;
}

function claimValues(samples: Samples, c: Claim): Float64Array {
  const q = quarterIndex(c.period);
  if (q >= 0) {
    const { runs } = samples;
    return Float64Array.from(samples.metrics[c.metric].subarray(q * runs, (q + 1) * runs));
  }
  if (!/^20\d{2}$/.test(c.period))
    throw new SupplyDataError(`claim period "${c.period}" is not a quarter or year`);
  return annual(samples, c.metric, Number(c.period));
}

/** The quarter a claim's input values are read at (the last quarter of a year). */
function claimQuarter(c: Claim): number {
  const q = quarterIndex(c.period);
  return q >= 0 ? q : QUARTERS.indexOf(`${c.period}Q4`);
}

/** Find the input region in which `claim` holds (defaults: baseline, 20,000 runs, seed 1). */
export function mustBeTrue(data: SupplyData, claim: Claim, opts: MustBeTrueOptions = {}): MustBeTrueResult {
  const scenario = opts.scenario ?? 'baseline';
  const runs = opts.runs ?? 20_000;
  const seed = opts.seed ?? 1;
  const minSupport = opts.minSupport ?? 0.02;
  const precision = opts.precision ?? 0.9;
  const maxConditions = opts.maxConditions ?? 4;
  const inputs = prepareInputs(data, scenario, opts.overrides);
  const samples = sampleRuns(inputs, runs, seed);
  const y = claimValues(samples, claim);
  const ok = new Uint8Array(runs);
  let nHold = 0;
  for (let r = 0; r < runs; r++) {
    ok[r] = y[r] > claim.threshold ? 1 : 0;
    nHold += ok[r];
  }
  const u = replayUniforms(inputs, runs, seed);
  const q = claimQuarter(claim);
  const candidates = inputs.groups
    .map((g, k) => ({ g, k }))
    .filter(({ g }) => g.slots.some((s) => inputs.slots[s].low !== inputs.slots[s].high));
  let inBox = new Uint8Array(runs).fill(1);
  let boxN = runs;
  let boxHold = nHold;
  const box: BoxCondition[] = [];
  const used = new Set<number>();
  while (box.length < maxConditions && boxHold / boxN < precision) {
    let best: { k: number; op: '>=' | '<='; t: number; n: number; h: number } | undefined;
    for (const { k } of candidates) {
      if (used.has(k)) continue;
      const uk = u[k];
      for (let d = 1; d <= 9; d++) {
        const t = d / 10;
        let nGe = 0;
        let hGe = 0;
        let nLe = 0;
        let hLe = 0;
        for (let r = 0; r < runs; r++) {
          if (!inBox[r]) continue;
          if (uk[r] >= t) {
            nGe++;
            hGe += ok[r];
          } else {
            nLe++;
            hLe += ok[r];
          }
        }
        for (const [op, n, h] of [
          ['>=', nGe, hGe],
          ['<=', nLe, hLe],
        ] as const) {
          if (n < minSupport * runs || n === 0) continue;
          const better =
            !best ||
            h / n > best.h / best.n + 1e-12 ||
            (Math.abs(h / n - best.h / best.n) <= 1e-12 && n > best.n);
          if (better) best = { k, op, t, n, h };
        }
      }
    }
    if (!best || best.h / best.n <= boxHold / boxN + 1e-9) break;
    const next = new Uint8Array(runs);
    for (let r = 0; r < runs; r++)
      next[r] = inBox[r] && (best.op === '>=' ? u[best.k][r] >= best.t : u[best.k][r] < best.t) ? 1 : 0;
    inBox = next;
    boxN = best.n;
    boxHold = best.h;
    used.add(best.k);
    box.push(condition(data, inputs, best.k, best.op, best.t, q, boxN / runs, boxHold / boxN));
  }
  return {
    claim,
    scenario,
    runs,
    seed,
    holds: nHold / runs,
    box,
    support: boxN / runs,
    holdsInBox: boxN ? boxHold / boxN : 0,
  };
}

function condition(
  data: SupplyData,
  inputs: ModelInputs,
  k: number,
  op: '>=' | '<=',
  t: number,
  q: number,
  support: number,
  holds: number,
): BoxCondition {
  const g = inputs.groups[k];
  // the slot in force at the claim's quarter (a scalar has one slot)
  const s = inputs.slots[g.slots.length === 1 ? g.slots[0] : (seriesSlot(inputs, g.param, q) ?? g.slots[0])];
  return {
    parameter: g.param,
    label: labelOf(data, g.param),
    op,
    value: quantile(s, t),
    quantile: t,
    unit: s.unit,
    period: s.period,
    low: s.low,
    high: s.high,
    confidence: s.confidence,
    support,
    holds,
  };
}

function seriesSlot(inputs: ModelInputs, param: string, q: number): number | undefined {
  const series = inputs.series as Record<string, Int32Array>;
  return Object.hasOwn(series, param) ? series[param][q] : undefined;
}
