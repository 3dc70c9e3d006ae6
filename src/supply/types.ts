/**
 * @module supply/types
 * Shapes of the supply-model data (data/supply/*.json) and of the model's results.
 * Every number in the data is a low/value/high triplet with unit, source, date and confidence: the
 * catalogue's `Figure` (src/catalog/types.ts), the one definition of a sourced figure.
 */
import type { Confidence, Figure } from '../catalog/types.js';

export type { Confidence };

/**
 * One uncertain parameter: the catalogue's sourced figure (`Figure`: value, low, high, unit, source,
 * date, confidence, note) with all three numbers present, plus the supply-only `dist` (how to sample
 * it) and `label` (plain words with the unit, given once on the base parameter). `low`/`high` bound a
 * triangular law with mode `value`, or are the p5/p95 of a log-normal one with median `value`.
 */
export interface Param extends Figure {
  value: number;
  low: number;
  high: number;
  unit: string;
  dist?: 'triangular' | 'lognormal';
  label?: string;
}

/** A quarterly parameter: each period ("2025" or "2025Q3") holds from its first quarter until the next period. */
export interface Series {
  /** Plain words with the unit, for sliders and tables; given once, on the base parameter. */
  label?: string;
  note?: string;
  by_period: Record<string, Param>;
}

export type Entry = Param | Series;

export function isSeries(e: Entry): e is Series {
  return typeof (e as Series).by_period === 'object' && (e as Series).by_period !== null;
}

/** How good dies are obtained from defect density. */
export type YieldModel = 'poisson' | 'murphy' | 'negative-binomial' | 'relative-to-tsmc';

export const YIELD_MODELS: readonly YieldModel[] = [
  'poisson',
  'murphy',
  'negative-binomial',
  'relative-to-tsmc',
];

export interface Settings {
  yield_model?: YieldModel;
}

/** A scenario: parameter overrides (each itself sourced) and settings; data, not code. */
export interface Scenario {
  description: string;
  kind?: 'policy' | 'explanation';
  settings?: Settings;
  overrides: Record<string, Entry>;
}

export interface ParameterFile {
  title: string;
  description?: string;
  parameters: Record<string, Entry>;
}

export interface ScenarioFile {
  title: string;
  description?: string;
  base_settings: Settings;
  scenarios: Record<string, Scenario>;
}

/** Everything the model reads, merged from the data files. Pure data: the browser can build it too. */
export interface SupplyData {
  parameters: Record<string, Entry>;
  /** Which file each parameter came from (for messages). */
  origin: Record<string, string>;
  baseSettings: Settings;
  scenarios: Record<string, Scenario>;
  /** Published figures the model is validated against (targets.json); never read by the engine. */
  targets: Target[];
  /** Peak figures of the chips the model counts, from the catalogue, by catalogue id. */
  chips: Record<string, ChipFacts>;
}

/** What a target (and the validation) measures; see `src/supply/README.md` for each definition. */
export type TargetMetric =
  | 'units'
  | 'shareOfDemand'
  | 'selfSufficiency'
  | 'valueShare'
  | 'valueShareOfDemand';
export const TARGET_METRICS: readonly TargetMetric[] = [
  'units',
  'shareOfDemand',
  'selfSufficiency',
  'valueShare',
  'valueShareOfDemand',
];

/** A published figure: metric, vendor (catalogue id or all/domestic/imports), year and value. */
export interface Target {
  id: string;
  metric: TargetMetric;
  vendor: string;
  year: number;
  value: number;
  unit: string;
  source: string;
  date: string;
  confidence: Confidence;
  /** A ceiling (US Commerce's "at most 200k") or a floor, instead of a point figure. */
  bound?: 'at-most' | 'at-least';
  /** Scenario the figure is conditional on (default baseline). */
  scenario?: string;
  /** Explanation scenario that reproduces a figure the baseline does not. */
  explained_by?: string;
  /** What the published figure counts, in the analyst's terms, and the model metric it maps to. */
  definition?: string;
  /** Why the model and the figure differ where they do, with sources. */
  reconciliation?: string;
  note?: string;
}

/** A chip's dense peaks as the catalogue gives them (null: unknown there). */
export interface ChipFacts {
  id: string;
  vendor: string;
  name: string;
  bf16DenseTflops: number | null;
  /** FP8 dense peak; chips without FP8 count at their BF16 rate (they run FP8 models at 16-bit speed). */
  fp8DenseTflops: number | null;
  source: string;
}

/** What limits output in a quarter: logic dies (wafers x yield, plus the die bank), HBM stacks, or packaging. */
export type Constraint = 'logic' | 'hbm' | 'packaging';

/** A percentile summary computed from samples. */
export interface Interval {
  p5: number;
  p50: number;
  p95: number;
  mean: number;
}
