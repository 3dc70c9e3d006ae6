/**
 * @module supply/open
 * The open questions: engine inputs that no source pins down (confidence `unknown` in at least
 * one period), with the range the model carries for each. Ordered by a tornado when one is given,
 * so the inputs that decide the outcome come first.
 */
import { labelOf, resolveScenario } from './dataset.js';
import { SCALAR_PARAMS, SERIES_PARAMS } from './registry.js';
import type { TornadoResult } from './tornado.js';
import { isSeries, type Param, type SupplyData } from './types.js';

export interface OpenQuestion {
  parameter: string;
  /** Plain words with the unit (the data's `label`). */
  label: string;
  unit: string;
  /** Each period whose figure is unknown, with its range. */
  periods: { period: string; low: number; value: number; high: number; source: string }[];
  /** Swing of the tornado metric between the parameter's low and high (when a tornado is given). */
  swing?: number;
}

/** Unknown engine inputs of a scenario, most decisive first when `t` (a tornado of the same scenario) is given. */
export function openQuestions(data: SupplyData, scenario = 'baseline', t?: TornadoResult): OpenQuestion[] {
  const params = resolveScenario(data, scenario).parameters;
  const swing = new Map(t?.rows.map((r) => [r.parameter, r.swing]) ?? []);
  const out: OpenQuestion[] = [];
  for (const name of [...SCALAR_PARAMS, ...SERIES_PARAMS]) {
    const e = params[name];
    const entries: [string, Param][] = isSeries(e) ? Object.entries(e.by_period) : [['', e]];
    const unknown = entries.filter(([, p]) => p.confidence === 'unknown' && p.low !== p.high);
    if (!unknown.length) continue;
    const q: OpenQuestion = {
      parameter: name,
      label: labelOf(data, name),
      unit: unknown[0][1].unit,
      periods: unknown.map(([period, p]) => ({
        period,
        low: p.low,
        value: p.value,
        high: p.high,
        source: p.source,
      })),
    };
    if (t) q.swing = swing.get(name) ?? 0;
    out.push(q);
  }
  return out.sort((a, b) => (b.swing ?? 0) - (a.swing ?? 0) || a.parameter.localeCompare(b.parameter));
}
