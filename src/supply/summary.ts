/**
 * @module supply/summary
 * Turning samples into the model's result: per-quarter and per-year intervals for every metric,
 * and the binding constraint of each quarter (the one binding in most runs, with the shares).
 */
import { HBM, LOGIC, METRICS, type Metric, PACKAGING, type Samples } from './engine.js';
import type { MetricSelection, RunOptions } from './montecarlo.js';
import { annual, prepareInputs, sampleRuns } from './montecarlo.js';
import { QUARTER_COUNT, QUARTERS, YEARS } from './quarters.js';
import { interval } from './stats.js';
import type { Constraint, Interval, SupplyData, YieldModel } from './types.js';

export interface QuarterSummary {
  quarter: string;
  /** The constraint binding in the most runs. */
  binding: Constraint;
  /** Fraction of runs in which each constraint binds. */
  bindingShare: Record<Constraint, number>;
  metrics: Record<Metric, Interval>;
}

export interface YearSummary {
  year: number;
  metrics: Record<Metric, Interval>;
}

export interface SupplyResult {
  scenario: string;
  description: string;
  yieldModel: YieldModel;
  runs: number;
  seed: number;
  quarters: QuarterSummary[];
  years: YearSummary[];
}

/**
 * Summarise samples; `metrics` limits which metrics get intervals (all by default): one list for
 * quarters and years, or a list for each. The intervals of the metrics given are the same either way.
 */
export function summarise(
  samples: Samples,
  metrics: readonly Metric[] | MetricSelection = METRICS,
): Pick<SupplyResult, 'quarters' | 'years'> {
  const byQuarter = 'quarters' in metrics ? metrics.quarters : metrics;
  const byYear = 'years' in metrics ? metrics.years : metrics;
  const onlyQuarters = 'quarters' in metrics ? metrics.onlyQuarters : undefined;
  const onlyYears = 'years' in metrics ? metrics.onlyYears : undefined;
  const { runs } = samples;
  const scratch = new Float64Array(runs);
  const quarters: QuarterSummary[] = [];
  for (let q = 0; q < QUARTER_COUNT; q++) {
    if (onlyQuarters && !onlyQuarters.includes(QUARTERS[q])) continue;
    const counts = [0, 0, 0];
    const b = samples.binding.subarray(q * runs, (q + 1) * runs);
    for (let r = 0; r < runs; r++) counts[b[r]]++;
    const bindingShare = {
      logic: counts[LOGIC] / runs,
      hbm: counts[HBM] / runs,
      packaging: counts[PACKAGING] / runs,
    };
    const binding = (['logic', 'hbm', 'packaging'] as const).reduce((best, c) =>
      bindingShare[c] > bindingShare[best] ? c : best,
    );
    const m = {} as Record<Metric, Interval>;
    for (const name of byQuarter)
      m[name] = interval(samples.metrics[name].subarray(q * runs, (q + 1) * runs), scratch);
    quarters.push({ quarter: QUARTERS[q], binding, bindingShare, metrics: m });
  }
  const years: YearSummary[] = YEARS.filter((y) => !onlyYears || onlyYears.includes(y)).map((year) => {
    const m = {} as Record<Metric, Interval>;
    for (const name of byYear) m[name] = interval(annual(samples, name, year), scratch);
    return { year, metrics: m };
  });
  return { quarters, years };
}

/** A scenario's Monte Carlo samples with what its summary names (`sampleSupply`). */
export interface SupplySamples {
  scenario: string;
  description: string;
  yieldModel: YieldModel;
  runs: number;
  seed: number;
  samples: Samples;
}

/** Run the Monte Carlo for a scenario (defaults: baseline, 10,000 runs, seed 1) without summarising it. */
export function sampleSupply(data: SupplyData, opts: RunOptions = {}): SupplySamples {
  const scenario = opts.scenario ?? 'baseline';
  const runs = opts.runs ?? 10_000;
  const seed = opts.seed ?? 1;
  const inputs = prepareInputs(data, scenario, opts.overrides);
  return {
    scenario,
    description: inputs.scenarioDescription,
    yieldModel: inputs.yieldModel,
    runs,
    seed,
    samples: sampleRuns(inputs, runs, seed),
  };
}

/** The result of sampled runs, summarised for `metrics` (every metric by default). */
export function supplyResult(s: SupplySamples, metrics?: RunOptions['metrics']): SupplyResult {
  const { scenario, description, yieldModel, runs, seed } = s;
  return { scenario, description, yieldModel, runs, seed, ...summarise(s.samples, metrics) };
}

/**
 * Run the Monte Carlo for a scenario and summarise it. Defaults: baseline, 10,000 runs, seed 1,
 * every metric.
 */
export function runSupply(data: SupplyData, opts: RunOptions = {}): SupplyResult {
  return supplyResult(sampleSupply(data, opts), opts.metrics);
}
