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
}

/** Resolve a scenario (plus extra overrides) into engine inputs. */
export function prepareInputs(
  data: SupplyData,
  scenario = 'baseline',
  overrides?: Record<string, Entry>,
): ModelInputs {
  return compileInputs(resolveScenario(data, scenario, overrides));
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
  return evaluateRuns(inputs, 1, (s) => inputs.slots[s].central);
}

/** Value of `metric` in quarter q for run r. */
export function at(samples: Samples, metric: Metric, q: number, r = 0): number {
  return samples.metrics[metric][q * samples.runs + r];
}

/** Flow metrics are summed over a year; stocks take the year-end value; shares are ratios of sums. */
export const STOCK_METRICS: ReadonlySet<Metric> = new Set(['hbmStockEnd', 'dieBankEnd']);
const RATIO_METRICS: ReadonlySet<Metric> = new Set(['shareOfDemand', 'marketShare']);

/** Per-run annual values of `metric` for `year` (2024..2027), from quarterly samples. */
export function annual(samples: Samples, metric: Metric, year: number): Float64Array {
  const { runs } = samples;
  const q0 = (year - 2024) * 4;
  if (q0 < 0 || q0 + 4 > QUARTER_COUNT) throw new RangeError(`year ${year} is outside 2024-2027`);
  const out = new Float64Array(runs);
  const sum = (m: Metric, into: Float64Array) => {
    const a = samples.metrics[m];
    for (let q = q0; q < q0 + 4; q++) {
      const base = q * runs;
      for (let r = 0; r < runs; r++) into[r] += a[base + r];
    }
  };
  if (STOCK_METRICS.has(metric)) {
    const a = samples.metrics[metric];
    const base = (q0 + 3) * runs;
    for (let r = 0; r < runs; r++) out[r] = a[base + r];
  } else if (RATIO_METRICS.has(metric)) {
    const dom = new Float64Array(runs);
    const den = new Float64Array(runs);
    sum('domesticUnits', dom);
    sum(metric === 'shareOfDemand' ? 'demandUnits' : 'importUnits', den);
    for (let r = 0; r < runs; r++) {
      const d = metric === 'shareOfDemand' ? den[r] : den[r] + dom[r];
      out[r] = d > 0 ? dom[r] / d : 0;
    }
  } else {
    sum(metric, out);
  }
  return out;
}

export { METRICS };
