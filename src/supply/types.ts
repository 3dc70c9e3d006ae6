/**
 * @module supply/types
 * Shapes of the supply-model data (data/supply/*.json) and of the model's results.
 * Every number in the data is a low/central/high triplet with unit, source, date and confidence.
 */

/** How much a figure can be trusted: a datasheet, a measurement, an analyst's number, our arithmetic, or nothing. */
export type Confidence = 'vendor' | 'measured' | 'analyst-estimate' | 'derived' | 'unknown';

/** One uncertain parameter. `low`/`high` bound a triangular law, or are the p5/p95 of a log-normal one. */
export interface Param {
  low: number;
  central: number;
  high: number;
  unit: string;
  source: string;
  date: string;
  confidence: Confidence;
  dist?: 'triangular' | 'lognormal';
  note?: string;
}

/** A quarterly parameter: each period ("2025" or "2025Q3") holds from its first quarter until the next period. */
export interface Series {
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
  /** Published figures the model is checked against (validation.json). */
  validation: Record<string, Param>;
}

/** What limits output in a quarter: logic dies (wafers x yield, plus the die bank), HBM stacks, or packaging. */
export type Constraint = 'logic' | 'hbm' | 'packaging';
export const CONSTRAINTS: readonly Constraint[] = ['logic', 'hbm', 'packaging'];

/** A percentile summary computed from samples. */
export interface Interval {
  p5: number;
  p50: number;
  p95: number;
  mean: number;
}
