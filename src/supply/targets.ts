/**
 * @module supply/targets
 * Validation against published figures (data/supply/targets.json). Each target names a metric,
 * a vendor (catalogue id, or all / domestic / imports) and a year; the model's per-run annual
 * value of the same quantity gives p5/p25/p50/p75/p95. A target passes when the model's p50 is
 * within 15% of it and it lies inside the model's 50% interval (a ceiling, `at-most`, passes when
 * the p50 is at most 15% above it). Where a target fails, the inputs that move the quantity most
 * (Spearman rank correlation over the runs) are named, with the p50 the model reaches when the
 * leading one sits in its most favourable decile: if even that misses, that input alone cannot
 * reconcile the figure.
 */
import type { Samples } from './engine.js';
import { annualRatio, annualSum, prepareInputs, replayUniforms, sampleRuns } from './montecarlo.js';
import { targetQuantity } from './quantities.js';
import { percentiles, rankCorrelation, ranks } from './stats.js';
import type { Confidence, SupplyData, Target, TargetMetric } from './types.js';

/** Relative tolerance on the p50. */
export const TOLERANCE = 0.15;

/** Per-run annual values of a target's quantity. */
export function targetSamples(samples: Samples, t: Pick<Target, 'metric' | 'vendor' | 'year'>): Float64Array {
  const { num, den } = targetQuantity(t.metric, t.vendor);
  return den.length ? annualRatio(samples, num, den, t.year) : annualSum(samples, num, t.year);
}

export interface Driver {
  parameter: string;
  unit: string;
  confidence: Confidence;
  /** Spearman rank correlation between the parameter's draw and the quantity. */
  rankCorrelation: number;
  /** Model p50 when this parameter is in its decile most favourable to the target. */
  p50InBestDecile: number;
}

export interface TargetCheck {
  id: string;
  metric: TargetMetric;
  vendor: string;
  year: number;
  scenario: string;
  target: number;
  unit: string;
  bound?: 'at-most' | 'at-least';
  source: string;
  date: string;
  p5: number;
  p25: number;
  p50: number;
  p75: number;
  p95: number;
  /** p50 / target − 1. */
  error: number;
  withinTolerance: boolean;
  in50: boolean;
  in90: boolean;
  pass: boolean;
  /** For a failing target: the three inputs that move the quantity most. */
  drivers: Driver[];
  /** One line: which input disagrees and why (failing targets only). */
  disagreement?: string;
  /** The explanation scenario's p50 and verdict, where the target names one. */
  explained?: { scenario: string; p50: number; pass: boolean };
  /** What the published figure counts and the model metric it maps to (from targets.json). */
  definition?: string;
  /** Why the model and the figure differ, with sources (from targets.json). */
  reconciliation?: string;
  note?: string;
}

export interface ValidationOptions {
  runs?: number;
  seed?: number;
}

export interface ValidationResult {
  runs: number;
  seed: number;
  tolerance: number;
  passed: number;
  checks: TargetCheck[];
}

const QS = [0.05, 0.25, 0.5, 0.75, 0.95];

function verdict(t: Target, q: number[]) {
  const [p5, p25, p50, p75, p95] = q;
  const v = t.value;
  const error = v > 0 ? p50 / v - 1 : p50 === 0 ? 0 : Number.POSITIVE_INFINITY;
  let withinTolerance = Math.abs(error) <= TOLERANCE;
  let in50 = p25 <= v && v <= p75;
  let in90 = p5 <= v && v <= p95;
  if (t.bound === 'at-most') {
    withinTolerance = p50 <= v * (1 + TOLERANCE);
    in50 = p25 <= v;
    in90 = p5 <= v;
  } else if (t.bound === 'at-least') {
    withinTolerance = p50 >= v * (1 - TOLERANCE);
    in50 = p75 >= v;
    in90 = p95 >= v;
  }
  return { p5, p25, p50, p75, p95, error, withinTolerance, in50, in90, pass: withinTolerance && in50 };
}

/** Check every target (default 20,000 runs, seed 1); one Monte Carlo per scenario used. */
export function validateTargets(data: SupplyData, opts: ValidationOptions = {}): ValidationResult {
  const runs = opts.runs ?? 20_000;
  const seed = opts.seed ?? 1;
  type Run = { samples: Samples; inputs: ReturnType<typeof prepareInputs>; uRanks?: Float64Array[] };
  const cache = new Map<string, Run>();
  const run = (scenario: string): Run => {
    let c = cache.get(scenario);
    if (!c) {
      const inputs = prepareInputs(data, scenario);
      c = { inputs, samples: sampleRuns(inputs, runs, seed) };
      cache.set(scenario, c);
    }
    return c;
  };
  const checks = data.targets.map((t): TargetCheck => {
    const scenario = t.scenario ?? 'baseline';
    const r = run(scenario);
    const { samples, inputs } = r;
    const y = targetSamples(samples, t);
    const v = verdict(t, percentiles(y, QS));
    const check: TargetCheck = {
      id: t.id,
      metric: t.metric,
      vendor: t.vendor,
      year: t.year,
      scenario,
      target: t.value,
      unit: t.unit,
      source: t.source,
      date: t.date,
      ...v,
      drivers: [],
    };
    if (t.bound) check.bound = t.bound;
    if (t.note) check.note = t.note;
    if (t.definition) check.definition = t.definition;
    if (t.reconciliation) check.reconciliation = t.reconciliation;
    if (t.explained_by) {
      const e = targetSamples(run(t.explained_by).samples, t);
      const ev = verdict(t, percentiles(e, QS));
      check.explained = { scenario: t.explained_by, p50: ev.p50, pass: ev.pass };
    }
    if (!v.pass) {
      r.uRanks ??= replayUniforms(inputs, runs, seed).map(ranks);
      check.drivers = drivers(inputs, r.uRanks, y, v.p50 > t.value);
      check.disagreement = disagreement(t, check);
    }
    return check;
  });
  return { runs, seed, tolerance: TOLERANCE, passed: checks.filter((c) => c.pass).length, checks };
}

function weakest(inputs: ReturnType<typeof prepareInputs>, slots: number[]): Confidence {
  const order: Confidence[] = ['unknown', 'derived', 'analyst-estimate', 'measured', 'vendor'];
  const seen = slots
    .filter((s) => inputs.slots[s].low !== inputs.slots[s].high)
    .map((s) => inputs.slots[s].confidence);
  return order.find((c) => seen.includes(c)) ?? inputs.slots[slots[0]].confidence;
}

function drivers(
  inputs: ReturnType<typeof prepareInputs>,
  uRanks: Float64Array[],
  y: Float64Array,
  tooHigh: boolean,
): Driver[] {
  const runs = y.length;
  const yRank = ranks(y);
  const rows = inputs.groups
    .map((g, k) => ({ g, k }))
    .filter(({ g }) => g.slots.some((s) => inputs.slots[s].low !== inputs.slots[s].high))
    .map(({ g, k }) => ({ g, k, rho: rankCorrelation(uRanks[k], yRank) }))
    .sort((a, b) => Math.abs(b.rho) - Math.abs(a.rho) || a.g.param.localeCompare(b.g.param))
    .slice(0, 3);
  return rows.map(({ g, k, rho }) => {
    // the decile that pushes the quantity toward the target
    const wantHighU = rho > 0 !== tooHigh;
    const sel: number[] = [];
    const cut = 0.1 * runs;
    for (let r = 0; r < runs; r++)
      if (wantHighU ? uRanks[k][r] >= runs - cut : uRanks[k][r] < cut) sel.push(y[r]);
    const slot = inputs.slots[g.slots[0]];
    return {
      parameter: g.param,
      unit: slot.unit,
      confidence: weakest(inputs, g.slots),
      rankCorrelation: rho,
      p50InBestDecile: sel.length ? percentiles(sel, [0.5])[0] : Number.NaN,
    };
  });
}

const fmtValue = (metric: TargetMetric, x: number) =>
  metric !== 'units'
    ? `${(100 * x).toFixed(0)}%`
    : x >= 1e6
      ? `${(x / 1e6).toFixed(2)}M`
      : `${Math.round(x / 1000)}k`;

function disagreement(t: Target, c: TargetCheck): string {
  const f = (x: number) => fmtValue(t.metric, x);
  const dir = c.p50 > t.value ? 'above' : 'below';
  // of the three most influential inputs, the one whose favourable decile comes closest to the target
  const gap = (d: Driver) => Math.abs(d.p50InBestDecile - t.value);
  const lead = [...c.drivers].sort((a, b) => gap(a) - gap(b))[0];
  if (!lead) return `model p50 ${f(c.p50)} is ${dir} ${f(t.value)} and no uncertain input moves it`;
  const move = lead.rankCorrelation > 0 === (dir === 'above') ? 'low' : 'high';
  // the input can reconcile the figure if its favourable decile brings the p50 within tolerance or past the target
  const best = lead.p50InBestDecile;
  const reach =
    Math.abs(best / t.value - 1) <= TOLERANCE || (dir === 'above' ? best <= t.value : best >= t.value);
  const others = c.drivers
    .filter((d) => d !== lead)
    .map((d) => `${d.parameter} (${d.rankCorrelation.toFixed(2)})`);
  const parts = [
    `model p50 ${f(c.p50)} is ${dir} ${f(t.value)}`,
    `${lead.parameter} (${lead.confidence}, rank corr ${lead.rankCorrelation.toFixed(2)}) moves it most: in its ${move}est decile the p50 is ${f(best)}${reach ? ', so this input can reconcile it' : ', still short: no value of this input alone reconciles it'}`,
  ];
  if (others.length) parts.push(`next: ${others.join(', ')}`);
  if (c.explained)
    parts.push(
      `the explanation scenario ${c.explained.scenario} gives ${f(c.explained.p50)} (${c.explained.pass ? 'pass' : 'fail'})`,
    );
  return parts.join('; ');
}
