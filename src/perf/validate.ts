/**
 * @module perf/validate
 * Predicted against measured for every point in `data/perf/validation.json`, with the error and
 * every assumption the prediction rests on. The median excludes nothing by default; the
 * independent median leaves out points that calibrated a class parameter.
 */
import type { Catalog } from '../catalog/catalog.js';
import type { PerfData, ValidationPoint } from './data.js';
import { trainingEstimate } from './energy.js';
import { simulate } from './simulate.js';

export interface ValidationRow {
  id: string;
  title: string;
  unit: string;
  measured: number;
  predicted: number;
  /** (predicted - measured) / measured x 100. */
  errorPct: number;
  calibrates: string | null;
  tpotMs: { measured: number; predicted: number } | null;
  source: string;
  setupFacts: string;
  assumptions: string[];
}

export interface ValidationReport {
  rows: ValidationRow[];
  medianAbsErrorPct: number;
  /** Median over points that did not calibrate anything. */
  independentMedianAbsErrorPct: number;
  targetPct: number;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Predict one validation point. */
export function predictPoint(data: PerfData, cat: Catalog, p: ValidationPoint): ValidationRow {
  const s = p.setup;
  let predicted: number;
  let tpotMs: ValidationRow['tpotMs'] = null;
  let modelAssumptions: string[];
  if (s.kind === 'training') {
    const r = trainingEstimate(data, cat, {
      model: s.model,
      system: s.system,
      tokens: s.tokens!,
      chips: s.chips!,
      seqLen: s.seqLen,
    });
    predicted = r.chipHours;
    modelAssumptions = r.assumptions;
  } else {
    const r = simulate(data, cat, {
      model: s.model,
      system: s.system,
      phase: s.phase!,
      batch: s.batch!,
      seqLen: s.seqLen!,
      weights: s.weights,
      activations: s.activations,
      kv: s.kv,
      tp: s.parallel?.tp,
      ep: s.parallel?.ep,
      pp: s.parallel?.pp,
      mtp: s.mtp,
      overlap: s.overlap,
      expertImbalance: s.expertImbalance,
      cacheHitRate: s.cacheHitRate,
    });
    predicted = r.tokensPerSecPerChip * p.measured.chipsPerUnit;
    if (p.measured.tpotMs !== undefined && r.tpotS !== null) {
      tpotMs = { measured: p.measured.tpotMs, predicted: r.tpotS * 1000 };
    }
    modelAssumptions = [`compute path: ${r.paths.gemm}`, `attention: ${r.paths.attention}`, ...r.assumptions];
  }
  return {
    id: p.id,
    title: p.title,
    unit: p.measured.unit,
    measured: p.measured.value,
    predicted,
    errorPct: ((predicted - p.measured.value) / p.measured.value) * 100,
    calibrates: p.calibrates ?? null,
    tpotMs,
    source: p.source,
    setupFacts: p.setupFacts,
    assumptions: [...p.assumptions, ...modelAssumptions],
  };
}

/** Predict every validation point and summarise the errors. */
export function runValidation(data: PerfData, cat: Catalog): ValidationReport {
  const rows = data.validation.map((p) => predictPoint(data, cat, p));
  return {
    rows,
    medianAbsErrorPct: median(rows.map((r) => Math.abs(r.errorPct))),
    independentMedianAbsErrorPct: median(rows.filter((r) => !r.calibrates).map((r) => Math.abs(r.errorPct))),
    targetPct: 15,
  };
}
