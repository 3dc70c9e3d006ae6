/**
 * @module perf/data
 * Types and validation of the simulator's calibration data in `data/perf/` (efficiency curves per
 * chip class, energy and price assumptions, validation points). Browser-safe: pass parsed JSON to
 * {@link createPerfData}; Node callers use `perf/node.js`.
 */
import type { ValidateFunction } from 'ajv';
import AjvModule from 'ajv';
import type { Confidence, Figure, Provenance } from '../catalog/types.js';

/** Fraction of peak against operation size in GFLOP, calculon style, with its provenance. */

/** How a deployment overlaps communication with computation (see `simulate.ts`). */
/** What can hide a layer's collectives (see `Workload.overlapKind` in simulate.ts). */
export const OVERLAP_KINDS = ['micro-batch', 'single-batch', 'dispatch-only', 'shared-expert'] as const;
export type OverlapKind = (typeof OVERLAP_KINDS)[number];
export interface EfficiencyCurve extends Provenance {
  points: [number, number][];
}

export interface LinkEfficiency {
  efficiency: Figure;
  latencyUs: Figure;
}

export interface ChipClass {
  id: string;
  description: string;
  /** Canonical accelerator ids; the class with no members is the default. */
  members: string[];
  gemm: EfficiencyCurve;
  attentionCompute: Figure;
  hbm: Figure;
  scaleUp: LinkEfficiency;
  scaleOut: LinkEfficiency;
  softwareBlockScale: Figure;
  trainingMfu: Figure;
  /**
   * Time per MoE layer per decode step for work the roofline leaves out: this floor plus
   * `layerOverheadPerTokenUs` x the tokens the layer handles in the step.
   */
  layerOverheadUs: Figure;
  /** The per-token part of the layer overhead, us per token (absent: 0, a constant overhead). */
  layerOverheadPerTokenUs?: Figure;
  /** The validation point the overhead was fitted on (its role is then `calibration`). */
  calibrationPoint?: string;
  /**
   * With `calibrationPoint`, the second decode point (far from the first in tokens per step) that
   * fits the floor and the per-token cost together (its role is then `calibration`).
   */
  secondCalibrationPoint?: string;
  /** The training point whose own run `trainingMfu` was taken from (its role is then `calibration`). */
  trainingMfuPoint?: string;
}

/** The decode points a class's per-layer overhead is fitted on: none, one (the floor) or two (floor and per-token cost). */
export function overheadPoints(c: ChipClass): string[] {
  if (c.calibrationPoint === undefined) return [];
  return c.secondCalibrationPoint === undefined
    ? [c.calibrationPoint]
    : [c.calibrationPoint, c.secondCalibrationPoint];
}

export interface EnergyData {
  pue: Figure;
  electricityUsdPerKWh: Record<string, Figure>;
  lifetimeYears: Figure;
  powerModel: {
    idleFraction: Figure;
    computeShare: Figure;
    memoryShare: Figure;
    networkShare: Figure;
    overheadFractionOfChip: Figure;
  };
  chipPowerW: Record<string, Figure>;
  assumedPeaks: Record<string, Record<string, Figure>>;
  rentalUsdPerChipHour: Record<string, Figure>;
}

export interface ParallelSetup {
  tp?: number;
  ep?: number;
  pp?: number;
}

export interface ValidationSetup {
  kind: 'inference' | 'training';
  model: string;
  system: string;
  phase?: 'prefill' | 'decode';
  weights?: string;
  attentionWeights?: string;
  activations?: string;
  kv?: string;
  batch?: number;
  seqLen?: number;
  parallel?: ParallelSetup;
  mtp?: { draftTokens: number; acceptance: number };
  overlap?: number;
  /** What the overlap hides: micro-batch pipelining (default), single-batch overlap (SGLang SBO), dispatch-only or shared-expert. */
  overlapKind?: OverlapKind;
  expertImbalance?: number;
  cacheHitRate?: number;
  tokens?: number;
  chips?: number;
  /**
   * Aggregated (in-flight batching) serving: the same chips also prefill their own requests, and the
   * measured output tokens/s counts that time. Each request is `inputLen` prompt tokens then
   * `outputLen` decoded tokens; the decode context is `seqLen` (about input + output/2).
   */
  aggregated?: { inputLen: number; outputLen: number };
}

/**
 * What a published figure measures: inference rates per chip, training chip-hours for a token count, or a
 * training rate (tokens per second per chip, as throughput tables such as MindFormers' publish it).
 */
export type ValidationMetric =
  | 'inputTokensPerSecPerChip'
  | 'outputTokensPerSecPerChip'
  | 'chipHours'
  | 'trainingTokensPerSecPerChip';

export interface ValidationPoint {
  id: string;
  title: string;
  source: string;
  date: string;
  /** What the measured value is (every point today: `measured`, a published measurement). */
  confidence: Confidence;
  setup: ValidationSetup;
  measured: { metric: ValidationMetric; value: number; unit: string; chipsPerUnit: number; tpotMs?: number };
  setupFacts: string;
  /** Set when this point was used to calibrate a class parameter (so it is not an independent check). */
  calibrates?: string;
  /** `calibration`: a class parameter was fitted on it; `validation`: it fitted nothing. */
  role: 'calibration' | 'validation';
  assumptions: string[];
  /** What the measurement is when it is not what the model predicts (printed under the validate table). */
  note?: string;
}

export interface PerfData {
  classes: ChipClass[];
  /** Per-chip runtime memory besides weights, KV and activations (memory-fit check). */
  workspaceGB: Figure;
  energy: EnergyData;
  validation: ValidationPoint[];
}

/**
 * The three files as parsed JSON, perf's schema, and the common schema it `$ref`s
 * (`data/schema/common.schema.json`, id `urn:chipstack:schema:common`: the one sourced-figure definition).
 */
export interface PerfFiles {
  efficiency: unknown;
  energy: unknown;
  validation: unknown;
  schema: object;
  common: object;
}

export class PerfDataError extends Error {
  override readonly name = 'PerfDataError';
  constructor(readonly problems: string[]) {
    super(
      `invalid perf data (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ${problems.join('\n  ')}`,
    );
  }
}

type AjvClass = typeof AjvModule.default;
const Ajv: AjvClass =
  (AjvModule as unknown as { default?: AjvClass }).default ?? (AjvModule as unknown as AjvClass);

type PerfValidators = Record<'efficiency' | 'energy' | 'validation', ValidateFunction>;
/** Compiled validators per (perf schema, common schema) pair of objects. */
const compiled = new WeakMap<object, WeakMap<object, PerfValidators>>();

function validators(schema: object, common: object) {
  let bySchema = compiled.get(common);
  if (!bySchema) compiled.set(common, (bySchema = new WeakMap()));
  let v = bySchema.get(schema);
  if (!v) {
    const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
    ajv.addSchema(common);
    ajv.addSchema(schema, 'perf');
    v = {
      efficiency: ajv.compile({ $ref: 'perf#/properties/efficiency' }),
      energy: ajv.compile({ $ref: 'perf#/properties/energy' }),
      validation: ajv.compile({ $ref: 'perf#/properties/validation' }),
    };
    bySchema.set(schema, v);
  }
  return v;
}

/** Figures inside their ranges, curves sorted and non-decreasing, class members unique. */
function consistencyProblems(data: PerfData): string[] {
  const out: string[] = [];
  const checkFigure = (where: string, f: Figure) => {
    if (f.value !== null && f.low !== undefined && f.value < f.low) out.push(`${where}: value below low`);
    if (f.value !== null && f.high !== undefined && f.value > f.high) out.push(`${where}: value above high`);
    if ((f.confidence === 'unknown') !== (f.value === null))
      out.push(`${where}: unknown exactly when value is null`);
  };
  const seen = new Map<string, string>();
  for (const c of data.classes) {
    const pts = c.gemm.points;
    for (let i = 1; i < pts.length; i++) {
      if (pts[i]![0] <= pts[i - 1]![0]) out.push(`efficiency.json: ${c.id}: gemm sizes must increase`);
      if (pts[i]![1] < pts[i - 1]![1])
        out.push(`efficiency.json: ${c.id}: gemm efficiency must not fall with size`);
    }
    for (const m of c.members) {
      if (seen.has(m)) out.push(`efficiency.json: ${m} is in both ${seen.get(m)} and ${c.id}`);
      seen.set(m, c.id);
    }
    for (const k of ['attentionCompute', 'hbm', 'softwareBlockScale', 'trainingMfu'] as const) {
      checkFigure(`efficiency.json: ${c.id}.${k}`, c[k]);
    }
  }
  if (data.classes.filter((c) => c.members.length === 0).length !== 1) {
    out.push('efficiency.json: exactly one class must have no members (the default)');
  }
  const e = data.energy;
  checkFigure('energy.json: pue', e.pue);
  checkFigure('energy.json: lifetimeYears', e.lifetimeYears);
  for (const [k, f] of Object.entries(e.chipPowerW)) checkFigure(`energy.json: chipPowerW.${k}`, f);
  const pm = e.powerModel;
  const shares = (pm.computeShare.value ?? 0) + (pm.memoryShare.value ?? 0) + (pm.networkShare.value ?? 0);
  if (Math.abs(shares - 1) > 1e-9) out.push('energy.json: powerModel shares must sum to 1');
  const ids = new Set<string>();
  for (const p of data.validation) {
    if (ids.has(p.id)) out.push(`validation.json: duplicate id ${p.id}`);
    ids.add(p.id);
    const trainingMetric =
      p.measured.metric === 'chipHours' || p.measured.metric === 'trainingTokensPerSecPerChip';
    if (trainingMetric !== (p.setup.kind === 'training'))
      out.push(`validation.json: ${p.id}: metric ${p.measured.metric} does not fit a ${p.setup.kind} setup`);
    if ((p.role === 'calibration') !== (p.calibrates !== undefined))
      out.push(`validation.json: ${p.id}: role calibration exactly when 'calibrates' is set`);
    if (
      p.role === 'calibration' &&
      !data.classes.some(
        (c) =>
          c.calibrationPoint === p.id || c.secondCalibrationPoint === p.id || c.trainingMfuPoint === p.id,
      )
    )
      out.push(
        `validation.json: ${p.id} has role calibration but no class names it as calibrationPoint, secondCalibrationPoint or trainingMfuPoint`,
      );
  }
  for (const c of data.classes) {
    if (c.secondCalibrationPoint !== undefined && c.layerOverheadPerTokenUs === undefined)
      out.push(
        `efficiency.json: ${c.id}: secondCalibrationPoint fits layerOverheadPerTokenUs, which is missing`,
      );
    if (c.secondCalibrationPoint !== undefined && c.calibrationPoint === undefined)
      out.push(`efficiency.json: ${c.id}: secondCalibrationPoint without calibrationPoint`);
    for (const k of ['calibrationPoint', 'secondCalibrationPoint', 'trainingMfuPoint'] as const) {
      const id = c[k];
      if (id === undefined) continue;
      const p = data.validation.find((q) => q.id === id);
      if (!p) out.push(`efficiency.json: ${c.id}.${k} ${id} is not a validation point`);
      else if (p.role !== 'calibration')
        out.push(`efficiency.json: ${c.id} is calibrated on ${p.id}, which must have role calibration`);
    }
  }

  return out;
}

/** Validate the parsed files (schema, then consistency) and return typed data; throws {@link PerfDataError}. */
export function createPerfData(files: PerfFiles): PerfData {
  const v = validators(files.schema, files.common);
  const problems: string[] = [];
  for (const key of ['efficiency', 'energy', 'validation'] as const) {
    const validate = v[key];
    if (!validate(files[key])) {
      for (const err of validate.errors ?? []) {
        problems.push(`${key}.json: ${err.instancePath || '(top)'} ${err.message ?? err.keyword}`);
      }
    }
  }
  if (problems.length) throw new PerfDataError(problems);
  const data: PerfData = {
    classes: (files.efficiency as { classes: ChipClass[] }).classes,
    workspaceGB: (files.efficiency as { workspaceGB: Figure }).workspaceGB,
    energy: files.energy as EnergyData,
    validation: (files.validation as { points: ValidationPoint[] }).points,
  };
  const more = consistencyProblems(data);
  if (more.length) throw new PerfDataError(more);
  return data;
}

/** The number of a figure: its value, else the middle of its range; throws when it has neither. */
export function num(f: Figure, what = 'figure'): number {
  if (f.value !== null) return f.value;
  if (f.low !== undefined && f.high !== undefined) return (f.low + f.high) / 2;
  throw new RangeError(`${what} has no value`);
}
