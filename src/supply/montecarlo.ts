/**
 * @module supply/montecarlo
 * Monte Carlo over every uncertain parameter: seeded uniforms per parameter group, inverse-CDF
 * sampling into typed arrays, the vectorised engine over blocks of runs, then percentiles
 * computed from the samples (annual figures from per-run sums, never by adding percentiles).
 */

import { resolveScenario } from './dataset.js';
import { fillQuantiles } from './distributions.js';
import { allocateSamples, METRICS, type Metric, type Samples, simulateBlock } from './engine.js';
import { compileInputs, type ModelInputs } from './inputs.js';
import { QUARTER_COUNT } from './quarters.js';
import { Rng } from './random.js';
import type { Entry, SupplyData } from './types.js';

/** Runs are simulated in blocks of this size; fixed so results do not depend on it. */
export const BLOCK = 4096;

export interface RunOptions {
  scenario?: string;
  runs?: number;
  seed?: number;
  /** Extra overrides applied after the scenario's own (used by the explanations and tests). */
  overrides?: Record<string, Entry>;
  /** Summarise only these metrics (by quarter and by year); every metric when absent. */
  metrics?: MetricSelection;
}

/** The metrics a summary gives intervals for, by quarter and by year (a page that shows a few asks for those). */
export interface MetricSelection {
  quarters: readonly Metric[];
  years: readonly Metric[];
  /** Only these quarters ('2026Q4') and years are summarised; all when absent. */
  onlyQuarters?: readonly string[];
  onlyYears?: readonly number[];
}

/** Resolve a scenario (plus extra overrides) into engine inputs. */
export function prepareInputs(
  data: SupplyData,
  scenario = 'baseline',
  overrides?: Record<string, Entry>,
): ModelInputs {
  return compileInputs(resolveScenario(data, scenario, overrides), data.chips);
}

/** Draw `runs` Monte Carlo runs with seed `seed`. */
export function sampleRuns(inputs: ModelInputs, runs: number, seed: number): Samples {
  if (!Number.isInteger(runs) || runs < 1)
    throw new RangeError(`runs must be a positive integer, got ${runs}`);
  const out = allocateSamples(runs);
  const rng = new Rng(seed);
  const u = new Float64Array(BLOCK);
  const values = inputs.slots.map(() => new Float64Array(BLOCK));
  for (let offset = 0; offset < runs; offset += BLOCK) {
    const n = Math.min(BLOCK, runs - offset);
    for (const g of inputs.groups) {
      rng.fill(u);
      for (const s of g.slots) fillQuantiles(inputs.slots[s], u, values[s], n);
    }
    simulateBlock(inputs, values, n, out, offset);
  }
  return out;
}

/** Evaluate explicit parameter columns: `pick(slot, run)` gives each slot's value in each run. */
export function evaluateRuns(
  inputs: ModelInputs,
  runs: number,
  pick: (slot: number, run: number) => number,
): Samples {
  const out = allocateSamples(runs);
  const values = inputs.slots.map(() => new Float64Array(BLOCK));
  for (let offset = 0; offset < runs; offset += BLOCK) {
    const n = Math.min(BLOCK, runs - offset);
    for (let s = 0; s < inputs.slots.length; s++)
      for (let i = 0; i < n; i++) values[s][i] = pick(s, offset + i);
    simulateBlock(inputs, values, n, out, offset);
  }
  return out;
}

/** One deterministic run with every parameter at its central value. */
export function centralRun(inputs: ModelInputs): Samples {
  return evaluateRuns(inputs, 1, (s) => inputs.slots[s].value);
}

/** Value of `metric` in quarter q for run r. */
export function at(samples: Samples, metric: Metric, q: number, r = 0): number {
  return samples.metrics[metric][q * samples.runs + r];
}

/** Flow metrics are summed over a year; stocks take the year-end value; shares are ratios of sums. */
export const STOCK_METRICS: ReadonlySet<Metric> = new Set(['hbmStockEnd', 'dieBankEnd']);

/** Each share as numerator / denominator of stored flows: annual shares are ratios of per-run annual sums. */
export const RATIO_METRICS: Partial<Record<Metric, { num: Metric[]; den: Metric[] }>> = {
  selfSufficiency: { num: ['domesticUnits'], den: ['domesticUnits', 'importUnits'] },
  shareOfDemand: { num: ['domesticUnits'], den: ['demandUnits'] },
  valueShare: { num: ['domesticValueUsd'], den: ['domesticValueUsd', 'importValueUsd'] },
};

function yearStart(year: number): number {
  const q0 = (year - 2024) * 4;
  if (!Number.isInteger(year) || q0 < 0 || q0 + 4 > QUARTER_COUNT)
    throw new RangeError(`year ${year} is outside 2024-2027`);
  return q0;
}

/** Per-run sum over the four quarters of `year` of the listed flow metrics. */
export function annualSum(samples: Samples, metrics: readonly Metric[], year: number): Float64Array {
  const { runs } = samples;
  const q0 = yearStart(year);
  const out = new Float64Array(runs);
  for (const m of metrics) {
    const a = samples.metrics[m];
    for (let q = q0; q < q0 + 4; q++) {
      const base = q * runs;
      for (let r = 0; r < runs; r++) out[r] += a[base + r];
    }
  }
  return out;
}

/** Per-run annual ratio Σnum / Σden (0 where the denominator is 0). */
export function annualRatio(
  samples: Samples,
  num: readonly Metric[],
  den: readonly Metric[],
  year: number,
): Float64Array {
  const n = annualSum(samples, num, year);
  const d = annualSum(samples, den, year);
  for (let r = 0; r < n.length; r++) n[r] = d[r] > 0 ? n[r] / d[r] : 0;
  return n;
}

/** Per-run annual values of `metric` for `year` (2024..2027), from quarterly samples. */
export function annual(samples: Samples, metric: Metric, year: number): Float64Array {
  const q0 = yearStart(year);
  if (STOCK_METRICS.has(metric)) {
    const { runs } = samples;
    const a = samples.metrics[metric];
    const base = (q0 + 3) * runs;
    return Float64Array.from(a.subarray(base, base + runs));
  }
  const ratio = RATIO_METRICS[metric];
  if (ratio) return annualRatio(samples, ratio.num, ratio.den, year);
  return annualSum(samples, [metric], year);
}

/**
 * The uniforms sampleRuns drew for each parameter group (in `inputs.groups` order), regenerated
 * from the seed in the same order (block by block, group by group). Used to relate outputs to inputs.
 */
export function replayUniforms(inputs: ModelInputs, runs: number, seed: number): Float64Array[] {
  const rng = new Rng(seed);
  const out = inputs.groups.map(() => new Float64Array(runs));
  const u = new Float64Array(BLOCK);
  for (let offset = 0; offset < runs; offset += BLOCK) {
    const n = Math.min(BLOCK, runs - offset);
    for (let g = 0; g < inputs.groups.length; g++) {
      rng.fill(u);
      out[g].set(u.subarray(0, n), offset);
    }
  }
  return out;
}

export { METRICS };
