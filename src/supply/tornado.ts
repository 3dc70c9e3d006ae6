/**
 * @module supply/tornado
 * Which parameters move the end-2026 domestic share of demand most. Each parameter (every quarter
 * of a series together) is set to its low and then its high value with all others central; the
 * swing is |high − low| of the output. Rows are ordered by swing, then by name, so the order is
 * deterministic. A seeded Monte Carlo adds each parameter's Spearman rank correlation with the output.
 */

import { labelOf } from './dataset.js';
import type { Metric } from './engine.js';
import { at, evaluateRuns, prepareInputs, replayUniforms, sampleRuns } from './montecarlo.js';
import { quarterIndex } from './quarters.js';
import { rankCorrelation, ranks } from './stats.js';
import type { Entry, SupplyData } from './types.js';

export interface TornadoRow {
  parameter: string;
  /** Plain words with the unit (the data's `label`). */
  label: string;
  unit: string;
  /** Output with the parameter at its low / high value. */
  atLow: number;
  atHigh: number;
  swing: number;
  /** Spearman rank correlation between the parameter's draw and the output in the Monte Carlo. */
  rankCorrelation: number;
}

export interface TornadoResult {
  scenario: string;
  metric: Metric;
  quarter: string;
  base: number;
  runs: number;
  seed: number;
  rows: TornadoRow[];
}

export interface TornadoOptions {
  scenario?: string;
  metric?: Metric;
  quarter?: string;
  runs?: number;
  seed?: number;
  overrides?: Record<string, Entry>;
  /** Keep parameters whose swing is zero (unused under the scenario's settings). Default false. */
  keepZero?: boolean;
}

/** Tornado of `metric` in `quarter` (default: self-sufficiency in 2026Q4, the headline). */
export function tornado(data: SupplyData, opts: TornadoOptions = {}): TornadoResult {
  const scenario = opts.scenario ?? 'baseline';
  const metric = opts.metric ?? 'selfSufficiency';
  const quarter = opts.quarter ?? '2026Q4';
  const runs = opts.runs ?? 20_000;
  const seed = opts.seed ?? 1;
  const q = quarterIndex(quarter);
  if (q < 0) throw new RangeError(`quarter "${quarter}" is outside 2024Q1-2027Q4`);
  const inputs = prepareInputs(data, scenario, opts.overrides);
  const groups = inputs.groups.filter((g) =>
    g.slots.some((s) => inputs.slots[s].low !== inputs.slots[s].high),
  );
  const groupOf = new Int32Array(inputs.slots.length).fill(-1);
  groups.forEach((g, k) => {
    for (const s of g.slots) groupOf[s] = k;
  });
  // run 0: all central; run 2k+1: group k low; run 2k+2: group k high
  const oat = evaluateRuns(inputs, 2 * groups.length + 1, (s, r) => {
    const slot = inputs.slots[s];
    if (r === 0 || groupOf[s] !== (r - 1) >> 1) return slot.value;
    return (r - 1) % 2 === 0 ? slot.low : slot.high;
  });
  const mc = sampleRuns(inputs, runs, seed);
  const y = mc.metrics[metric].subarray(q * runs, (q + 1) * runs);
  const yRank = ranks(y);
  // each group's uniforms as sampleRuns drew them, replayed once from the seed
  const uniforms = replayUniforms(inputs, runs, seed);
  const rows: TornadoRow[] = groups.map((g, k) => {
    const atLow = at(oat, metric, q, 2 * k + 1);
    const atHigh = at(oat, metric, q, 2 * k + 2);
    return {
      parameter: g.param,
      label: labelOf(data, g.param),
      unit: inputs.slots[g.slots[0]].unit,
      atLow,
      atHigh,
      swing: Math.abs(atHigh - atLow),
      rankCorrelation: rankCorrelation(ranks(uniforms[inputs.groups.indexOf(g)]), yRank),
    };
  });
  const kept = opts.keepZero ? rows : rows.filter((r) => r.swing > 0);
  kept.sort((a, b) => b.swing - a.swing || a.parameter.localeCompare(b.parameter));
  return { scenario, metric, quarter, base: at(oat, metric, q, 0), runs, seed, rows: kept };
}
