/**
 * @module supply/inputs
 * Compiling a resolved scenario into flat "slots": one triplet per scalar, one per distinct period
 * of a series. Slots of the same parameter form a group that shares one uniform draw per run,
 * so a series moves together across quarters (comonotone).
 */
import type { ResolvedScenario } from './dataset.js';
import { periodStart, QUARTER_COUNT } from './quarters.js';
import {
  HUAWEI_CHIPS,
  IMPORTS,
  OTHER_VENDORS,
  REFERENCE_CHIP,
  SCALAR_PARAMS,
  type ScalarParam,
  SERIES_PARAMS,
  type SeriesParam,
} from './registry.js';
import {
  type ChipFacts,
  type Confidence,
  type Entry,
  isSeries,
  type Param,
  type YieldModel,
} from './types.js';

/** Dense peaks (TFLOPS) from the catalogue; null where the catalogue has none (the engine then samples the unknown-peak parameter). */
export interface Peak {
  bf16: number | null;
  fp8: number | null;
}
export interface Peaks {
  reference: { bf16: number; fp8: number };
  huaweiB: { bf16: number; fp8: number };
  huaweiC: { bf16: number; fp8: number };
  /** In OTHER_VENDORS order. */
  vendors: Peak[];
  /** In IMPORTS order. */
  imports: Peak[];
}

/** The engine's peaks from the catalogue facts in the data set. */
export function peaksOf(chips: Record<string, ChipFacts>): Peaks {
  const peak = (id: string | null): Peak => {
    const c = id && Object.hasOwn(chips, id) ? chips[id] : undefined;
    return { bf16: c?.bf16DenseTflops ?? null, fp8: c?.fp8DenseTflops ?? c?.bf16DenseTflops ?? null };
  };
  const known = (id: string) => {
    const p = peak(id);
    if (p.bf16 === null || p.fp8 === null) throw new RangeError(`catalogue chip ${id} has no BF16 peak`);
    return { bf16: p.bf16, fp8: p.fp8 };
  };
  return {
    reference: known(REFERENCE_CHIP),
    huaweiB: known(HUAWEI_CHIPS.b),
    huaweiC: known(HUAWEI_CHIPS.c),
    vendors: OTHER_VENDORS.map((v) => peak(v.chip)),
    imports: IMPORTS.map((v) => peak(v.chip)),
  };
}

export interface Slot {
  param: string;
  /** The period the triplet comes from ("" for a scalar). */
  period: string;
  low: number;
  value: number;
  high: number;
  dist: 'triangular' | 'lognormal';
  unit: string;
  confidence: Confidence;
}

export interface Group {
  param: string;
  slots: number[];
}

/** Everything the engine needs, as plain arrays. */
export interface ModelInputs {
  scenario: string;
  scenarioDescription: string;
  yieldModel: YieldModel;
  slots: Slot[];
  /** One group per parameter, in sorted name order. */
  groups: Group[];
  scalar: Record<ScalarParam, number>;
  /** For each series, the slot used in each of the 16 quarters. */
  series: Record<SeriesParam, Int32Array>;
  peaks: Peaks;
}

/** Flatten a resolved scenario into slots and groups; peaks come from the catalogue facts. */
export function compileInputs(r: ResolvedScenario, chips: Record<string, ChipFacts>): ModelInputs {
  const slots: Slot[] = [];
  const groups: Group[] = [];
  const scalar = {} as Record<ScalarParam, number>;
  const series = {} as Record<SeriesParam, Int32Array>;
  const names = [...SCALAR_PARAMS, ...SERIES_PARAMS].sort();
  for (const name of names) {
    const e = r.parameters[name] as Entry;
    const group: Group = { param: name, slots: [] };
    const add = (period: string, p: Param) => {
      slots.push({
        param: name,
        period,
        low: p.low,
        value: p.value,
        high: p.high,
        dist: p.dist ?? 'triangular',
        unit: p.unit,
        confidence: p.confidence,
      });
      group.slots.push(slots.length - 1);
      return slots.length - 1;
    };
    if ((SCALAR_PARAMS as readonly string[]).includes(name)) {
      scalar[name as ScalarParam] = add('', e as Param);
    } else {
      series[name as SeriesParam] = expandSeries(e, add);
    }
    groups.push(group);
  }
  return {
    scenario: r.name,
    scenarioDescription: r.scenario.description,
    yieldModel: r.settings.yield_model,
    slots,
    groups,
    scalar,
    series,
    peaks: peaksOf(chips),
  };
}

/** For each quarter, the slot of the last period starting at or before it; a quarter key beats a year key. */
function expandSeries(e: Entry, add: (period: string, p: Param) => number): Int32Array {
  const out = new Int32Array(QUARTER_COUNT);
  if (!isSeries(e)) {
    out.fill(add('', e));
    return out;
  }
  const periods = Object.keys(e.by_period).sort(
    (a, b) => periodStart(a) - periodStart(b) || a.length - b.length,
  );
  const slotOf = periods.map((p) => add(p, e.by_period[p]));
  for (let q = 0; q < QUARTER_COUNT; q++) {
    let k = -1;
    for (let j = 0; j < periods.length; j++) if (periodStart(periods[j]) <= q) k = j;
    out[q] = slotOf[Math.max(0, k)];
  }
  return out;
}
