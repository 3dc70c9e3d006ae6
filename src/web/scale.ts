/**
 * @module web/scale
 * The supply page's sliders: scale a parameter's low, value and high values (every period of a
 * series) by one factor, as a scenario override. Fractions are capped at 1. Browser-safe.
 */
import type { Entry, Param, SupplyData } from '../supply/index.js';
import { isSeries, resolveScenario } from '../supply/index.js';

export { SLIDER_PARAMS } from './sliders.js';

function scaleParam(p: Param, k: number, fraction: boolean): Param {
  const cap = (v: number) => (fraction ? Math.min(1, v * k) : v * k);
  return {
    ...p,
    low: cap(p.low),
    value: cap(p.value),
    high: cap(p.high),
    note: `scaled x${k} in the dashboard`,
  };
}

/** `entry` with every value multiplied by `k` (fractions capped at 1). */
export function scaleEntry(name: string, entry: Entry, k: number): Entry {
  const fraction = name.endsWith('_fraction');
  if (!isSeries(entry)) return scaleParam(entry, k, fraction);
  const by_period: Record<string, Param> = {};
  for (const [period, p] of Object.entries(entry.by_period)) by_period[period] = scaleParam(p, k, fraction);
  return { ...entry, by_period };
}

/**
 * Overrides that scale each named parameter as the scenario sets it. Factors of 1 are left out,
 * so the result is empty when nothing moved.
 */
export function scaledOverrides(
  data: SupplyData,
  scenario: string,
  factors: Readonly<Record<string, number>>,
): Record<string, Entry> {
  const effective = resolveScenario(data, scenario).parameters;
  const out: Record<string, Entry> = {};
  for (const [name, k] of Object.entries(factors)) {
    if (k === 1) continue;
    if (!Number.isFinite(k) || k <= 0) throw new RangeError(`factor for ${name} must be positive, got ${k}`);
    const e = effective[name];
    if (!e) throw new RangeError(`unknown supply parameter ${name}`);
    out[name] = scaleEntry(name, e, k);
  }
  return out;
}
