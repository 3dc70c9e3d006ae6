/**
 * @module perf/validate
 * Predicted against measured for every point in `data/perf/validation.json`, each tagged
 * `calibration` (a class parameter was fitted on it) or `validation`. The summary gives the median
 * |error| over validation points only, a leave-one-out median (refit without the point, then predict
 * it), and the sign balance per hardware class. The per-layer decode overhead of a class (a floor,
 * and a cost per token where the class has a second calibration point) is fitted on its calibration
 * points only ({@link calibrateAll}); a test checks the stored values against the refit.
 */
import type { Catalog } from '../catalog/catalog.js';
import { resolveSystem } from './chip.js';
import { overheadPoints, type PerfData, type ValidationPoint } from './data.js';
import { trainingEstimate } from './energy.js';
import { type LayerOverhead, simulate, type Workload } from './simulate.js';

export interface ValidationRow {
  id: string;
  title: string;
  unit: string;
  /** What the measured value is: a rate per chip (inference or training) or training chip-hours. */
  metric: ValidationPoint['measured']['metric'];
  measured: number;
  predicted: number;
  /** (predicted - measured) / measured x 100. */
  errorPct: number;
  role: 'calibration' | 'validation';
  calibrates: string | null;
  /** Hardware class of the point's chip (hopper, blackwell, ascend-910, ...). */
  chipClass: string;
  /** Prediction with every class parameter refitted without this point. */
  looPredicted: number;
  looErrorPct: number;
  tpotMs: { measured: number; predicted: number } | null;
  source: string;
  setupFacts: string;
  assumptions: string[];
  /** The point's note: what the measurement is when the model cannot predict it, or null. */
  note: string | null;
}

/**
 * Validation errors of a class by the direction of the model's speed: `over` counts points where the
 * model is faster than measured (a rate predicted high, or chip-hours predicted low), `under` the
 * points where it is slower. Counting the raw sign instead would mix directions: a chip-hours error
 * below zero is a model that is too fast.
 */
export interface SignBalance {
  chipClass: string;
  over: number;
  under: number;
  /** true when the class has two or more validation points and all errors share one sign. */
  oneSided: boolean;
}

export interface ValidationReport {
  rows: ValidationRow[];
  /** Median |error| over every point, calibration included (in-sample). */
  medianAbsErrorPct: number;
  /** Median |error| over validation points only. */
  validationMedianAbsErrorPct: number;
  /** Same as validationMedianAbsErrorPct (kept for older callers). */
  independentMedianAbsErrorPct: number;
  /** Median |leave-one-out error| over every point. */
  looMedianAbsErrorPct: number;
  /** Largest |error| among validation points. */
  maxValidationAbsErrorPct: number;
  signBalance: SignBalance[];
  counts: { points: number; validation: number; calibration: number };
  /** The goal: validation median <= targetPct, no validation point over maxPct, no one-sided class. */
  targetPct: number;
  maxPct: number;
  goalMet: boolean;
  /** Each calibrated class's per-layer decode overhead as stored, and the points it was fitted on. */
  overheads: { chipClass: string; floorUs: number; perTokenUs: number; points: string[] }[];
}

export function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function classOfPoint(data: PerfData, cat: Catalog, p: ValidationPoint): string {
  // A catalogued system or CHIP:N (e.g. `b200:8` for an 8-GPU node the catalogue has no record of).
  return resolveSystem(data, cat, p.setup.system).chip.cls.id;
}

/** The predicted value of a point, with a given per-layer overhead for its class (default: the stored one). */
function predictValue(
  data: PerfData,
  cat: Catalog,
  p: ValidationPoint,
  overhead?: Partial<LayerOverhead>,
): { predicted: number; tpotS: number | null; assumptions: string[] } {
  const s = p.setup;
  if (s.kind === 'training') {
    const r = trainingEstimate(data, cat, {
      model: s.model,
      system: s.system,
      tokens: s.tokens!,
      chips: s.chips!,
      seqLen: s.seqLen,
    });
    if (p.measured.metric === 'trainingTokensPerSecPerChip') {
      // A published training rate: the same estimate read as tokens per chip-second.
      const perChip = s.tokens! / (r.chipHours * 3600);
      return { predicted: perChip * p.measured.chipsPerUnit, tpotS: null, assumptions: r.assumptions };
    }
    return { predicted: r.chipHours, tpotS: null, assumptions: r.assumptions };
  }
  const base = {
    model: s.model,
    system: s.system,
    weights: s.weights,
    attentionWeights: s.attentionWeights,
    activations: s.activations,
    kv: s.kv,
    tp: s.parallel?.tp ?? 1,
    ep: s.parallel?.ep ?? 1,
    pp: s.parallel?.pp ?? 1,
    overlap: s.overlap,
    overlapKind: s.overlapKind,
    expertImbalance: s.expertImbalance,
    layerOverheadUs: overhead?.floorUs,
    layerOverheadPerTokenUs: overhead?.perTokenUs,
  };
  const r = simulate(data, cat, {
    ...base,
    phase: s.phase!,
    batch: s.batch!,
    seqLen: s.seqLen!,
    mtp: s.mtp,
    cacheHitRate: s.cacheHitRate,
  });
  let perChip = r.tokensPerSecPerChip;
  const extra: string[] = [];
  if (s.aggregated) {
    const a = aggregatedRate(data, cat, base, r.tokensPerSecPerChip, s.aggregated);
    perChip = a.outputPerSecPerChip;
    extra.push(a.note);
  }
  return {
    predicted: perChip * p.measured.chipsPerUnit,
    tpotS: r.tpotS,
    assumptions: [
      ...extra,
      `compute path: ${r.paths.gemm}`,
      `attention: ${r.paths.attention}`,
      ...r.assumptions,
    ],
  };
}

/** MoE operations spread over the expert-parallel group; every other operation runs on the rank holding the request. */
const GROUP_OPS = new Set(['routed experts', 'MoE dispatch (all-to-all)', 'MoE combine (all-to-all)']);

/**
 * Output tokens/s per chip of aggregated (in-flight batching) serving. Each chip decodes its own
 * requests at `decodePerChip`; each request's `inputLen`-token prompt is prefilled inside the
 * decode iterations, so it adds no steps and no fixed per-layer time. With attention data
 * parallelism (DP = ep / tp ranks), an iteration lasts as long as its slowest rank, so while one
 * rank prefills, the other DP - 1 wait on its rank-local operations (attention, dense and shared
 * FFN, logits); the MoE part is spread over the group. This is the round-robin baseline of
 * TensorRT-LLM's 'ADP Balance Strategy' blog (contexts arriving one rank at a time, iteration time =
 * the busiest rank): chip-seconds per request = outputLen / decodePerChip + DP x local + group.
 */
export function aggregatedRate(
  data: PerfData,
  cat: Catalog,
  base: Omit<Workload, 'phase' | 'batch' | 'seqLen'>,
  decodePerChip: number,
  agg: { inputLen: number; outputLen: number },
): { outputPerSecPerChip: number; prefillLocalS: number; prefillGroupS: number; dp: number; note: string } {
  const pre = simulate(data, cat, {
    ...base,
    phase: 'prefill',
    batch: 1,
    seqLen: agg.inputLen,
    overlap: 0,
    layerOverheadUs: 0,
  });
  const dp = Math.max(1, (pre.parallel.ep ?? 1) / pre.parallel.tp);
  let local = 0;
  let group = 0;
  for (const o of pre.ops) {
    if (GROUP_OPS.has(o.name)) group += o.stepS;
    else local += o.stepS;
  }
  const perRequest = agg.outputLen / decodePerChip + dp * local + group;
  return {
    outputPerSecPerChip: agg.outputLen / perRequest,
    prefillLocalS: local,
    prefillGroupS: group,
    dp,
    note: `aggregated serving: each ${agg.inputLen}-token prefill runs inside decode iterations (no fixed per-layer time), ${(local * 1e3).toFixed(1)} ms rank-local (stalls the ${dp} attention-DP ranks) + ${(group * 1e3).toFixed(1)} ms MoE spread over the group; decode ${decodePerChip.toFixed(0)} output tok/s per chip`,
  };
}

/**
 * How an inference point's prediction depends on the class's per-layer overhead. Every step time, and
 * the inverse of every predicted rate (aggregated serving included), is linear in the floor `a` and
 * the per-token cost `b`: 1 / predicted = s0 + a ka + b kb, so three predictions give the line exactly.
 */
export function overheadLine(
  data: PerfData,
  cat: Catalog,
  p: ValidationPoint,
): { s0: number; ka: number; kb: number; target: number } {
  if (p.setup.kind !== 'inference')
    throw new RangeError(`${p.id}: only inference points fit a layer overhead`);
  const probe = 100;
  const inv = (o: LayerOverhead) => 1 / predictValue(data, cat, p, o).predicted;
  const s0 = inv({ floorUs: 0, perTokenUs: 0 });
  return {
    s0,
    ka: (inv({ floorUs: probe, perTokenUs: 0 }) - s0) / probe,
    kb: (inv({ floorUs: 0, perTokenUs: probe }) - s0) / probe,
    target: 1 / p.measured.value,
  };
}

/**
 * The floor (us) that makes an inference point's prediction equal its measurement, with no per-token
 * cost. `raw` may be negative (the roofline alone is already slower than measured); `overheadUs` is
 * then 0.
 */
export function fitLayerOverhead(
  data: PerfData,
  cat: Catalog,
  p: ValidationPoint,
): { overheadUs: number; raw: number } {
  const l = overheadLine(data, cat, p);
  const raw = (l.target - l.s0) / l.ka;
  return { overheadUs: Math.max(0, raw), raw };
}

/**
 * Floor and per-token cost that make two inference points' predictions equal their measurements
 * (two linear equations, {@link overheadLine}). The points must differ in tokens per step, or the
 * system is singular (RangeError).
 */
export function fitTwoPointOverhead(
  data: PerfData,
  cat: Catalog,
  p: ValidationPoint,
  q: ValidationPoint,
): { floorUs: number; perTokenUs: number } {
  const [u, v] = [overheadLine(data, cat, p), overheadLine(data, cat, q)];
  const det = u.ka * v.kb - u.kb * v.ka;
  if (!(Math.abs(det) > 1e-12 * Math.abs(u.ka * v.kb)))
    throw new RangeError(
      `${p.id} and ${q.id} handle the same tokens per step: they cannot fit two parameters`,
    );
  const [ru, rv] = [u.target - u.s0, v.target - v.s0];
  return { floorUs: (ru * v.kb - u.kb * rv) / det, perTokenUs: (u.ka * rv - ru * v.ka) / det };
}

/**
 * The class's decode points other than `left` (the points a leave-one-out refit may use).
 */
function otherDecodePoints(data: PerfData, cat: Catalog, cls: string, left: string): ValidationPoint[] {
  return data.validation.filter(
    (q) =>
      q.id !== left &&
      q.setup.kind === 'inference' &&
      q.setup.phase === 'decode' &&
      classOfPoint(data, cat, q) === cls,
  );
}

/**
 * Leave-one-out overhead for a class without `left`, one of its calibration points. A class with one
 * calibration point: the median of the single-point floor fits of its other decode points (0 when
 * it has none). A class with two: the floor and per-token cost that fit its other decode points best
 * (least squares of the relative error of each point's rate), each at least 0; with fewer than two
 * other points, the floor alone.
 */
export function looLayerOverhead(data: PerfData, cat: Catalog, cls: string, left: string): LayerOverhead {
  const others = otherDecodePoints(data, cat, cls, left);
  const c = data.classes.find((k) => k.id === cls);
  const median1 = () => ({
    floorUs: others.length ? median(others.map((q) => fitLayerOverhead(data, cat, q).overheadUs)) : 0,
    perTokenUs: 0,
  });
  if (!c || overheadPoints(c).length < 2 || others.length < 2) return median1();
  // Relative residual of point i: (s0 + a ka + b kb) / target - 1; least squares over i, 2 x 2 normal equations.
  let saa = 0;
  let sab = 0;
  let sbb = 0;
  let sar = 0;
  let sbr = 0;
  for (const q of others) {
    const l = overheadLine(data, cat, q);
    const [x, y, r] = [l.ka / l.target, l.kb / l.target, 1 - l.s0 / l.target];
    saa += x * x;
    sab += x * y;
    sbb += y * y;
    sar += x * r;
    sbr += y * r;
  }
  const det = saa * sbb - sab * sab;
  if (!(det > 0)) return median1();
  let a = (sar * sbb - sab * sbr) / det;
  let b = (saa * sbr - sab * sar) / det;
  // keep both non-negative: refit the one left free when the other would go below zero
  if (b < 0) [a, b] = [Math.max(0, sar / saa), 0];
  else if (a < 0) [a, b] = [0, Math.max(0, sbr / sbb)];
  return { floorUs: a, perTokenUs: b };
}

/** Predict one validation point (and its leave-one-out prediction). */
export function predictPoint(data: PerfData, cat: Catalog, p: ValidationPoint): ValidationRow {
  const v = predictValue(data, cat, p);
  const cls = classOfPoint(data, cat, p);
  const calibratedOnThis = data.classes.some((c) => c.id === cls && overheadPoints(c).includes(p.id));
  const loo =
    calibratedOnThis && p.setup.kind === 'inference'
      ? predictValue(data, cat, p, looLayerOverhead(data, cat, cls, p.id)).predicted
      : v.predicted;
  const err = (x: number) => ((x - p.measured.value) / p.measured.value) * 100;
  return {
    id: p.id,
    title: p.title,
    unit: p.measured.unit,
    metric: p.measured.metric,
    measured: p.measured.value,
    predicted: v.predicted,
    errorPct: err(v.predicted),
    role: p.role,
    calibrates: p.calibrates ?? null,
    chipClass: cls,
    looPredicted: loo,
    looErrorPct: err(loo),
    tpotMs:
      p.measured.tpotMs !== undefined && v.tpotS !== null
        ? { measured: p.measured.tpotMs, predicted: v.tpotS * 1000 }
        : null,
    source: p.source,
    setupFacts: p.setupFacts,
    assumptions: [...p.assumptions, ...v.assumptions],
    note: p.note ?? null,
  };
}

/** Predict every validation point and summarise the errors. */
export function runValidation(data: PerfData, cat: Catalog): ValidationReport {
  const rows = data.validation.map((p) => predictPoint(data, cat, p));
  const val = rows.filter((r) => r.role === 'validation');
  const abs = (xs: ValidationRow[], k: 'errorPct' | 'looErrorPct' = 'errorPct') =>
    xs.map((r) => Math.abs(r[k]));
  const classes = [...new Set(rows.map((r) => r.chipClass))];
  const signBalance = classes.map((c) => {
    const xs = val.filter((r) => r.chipClass === c);
    const speedErr = (r: ValidationRow) => (r.metric === 'chipHours' ? -r.errorPct : r.errorPct);
    const over = xs.filter((r) => speedErr(r) > 0).length;
    const under = xs.filter((r) => speedErr(r) < 0).length;
    return { chipClass: c, over, under, oneSided: xs.length >= 2 && (over === 0 || under === 0) };
  });
  const vm = median(abs(val));
  const mx = Math.max(...abs(val));
  const targetPct = 10;
  const maxPct = 30;
  return {
    rows,
    medianAbsErrorPct: median(abs(rows)),
    validationMedianAbsErrorPct: vm,
    independentMedianAbsErrorPct: vm,
    looMedianAbsErrorPct: median(abs(rows, 'looErrorPct')),
    maxValidationAbsErrorPct: mx,
    signBalance,
    counts: { points: rows.length, validation: val.length, calibration: rows.length - val.length },
    targetPct,
    maxPct,
    goalMet: vm <= targetPct && mx <= maxPct && !signBalance.some((s) => s.oneSided),
    overheads: data.classes
      .filter((c) => overheadPoints(c).length > 0)
      .map((c) => ({
        chipClass: c.id,
        floorUs: c.layerOverheadUs.value ?? 0,
        perTokenUs: c.layerOverheadPerTokenUs?.value ?? 0,
        points: overheadPoints(c),
      })),
  };
}

/**
 * Refit every class's per-layer overhead on its calibration points (what `efficiency.json` must
 * hold): the floor alone on one point, or the floor and the per-token cost on two.
 */
export function calibrateAll(
  data: PerfData,
  cat: Catalog,
): { chipClass: string; points: string[]; floorUs: number; perTokenUs: number }[] {
  const out: { chipClass: string; points: string[]; floorUs: number; perTokenUs: number }[] = [];
  const point = (id: string) => data.validation.find((q) => q.id === id)!;
  for (const c of data.classes) {
    const points = overheadPoints(c);
    if (points.length === 2) {
      out.push({
        chipClass: c.id,
        points,
        ...fitTwoPointOverhead(data, cat, point(points[0]!), point(points[1]!)),
      });
    } else if (points.length === 1) {
      const f = fitLayerOverhead(data, cat, point(points[0]!));
      out.push({ chipClass: c.id, points, floorUs: f.overheadUs, perTokenUs: 0 });
    }
  }
  return out;
}
