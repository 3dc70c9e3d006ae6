/**
 * @module web/tasks
 * Messages between the page and the worker (worker.ts), which runs everything heavy.
 */

import type { LiveGemvResult, WeightFormat } from '../../kernels/index.js';
import type {
  MemoryFit,
  PerfResult,
  ServePoint,
  ServeSearch,
  ValidationReport,
  Workload,
} from '../../perf/index.js';
import type { SchemeError, SyntheticKind } from '../../quant/index.js';
import type { MustBeTrueResult, SupplyResult, TornadoResult } from '../../supply/index.js';
import type { ErrorHistogram } from '../../web/histogram.js';

export type QuantSource =
  | { kind: 'synthetic'; dist: SyntheticKind; seed: number }
  | { kind: 'upload'; tensor: string };

export interface TensorEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** Whether the dtype decodes to floats (only those can be quantized). */
  float: boolean;
}

export interface QuantResult {
  label: string;
  shape: number[];
  /** Elements used (a large tensor is cut to its first rows). */
  elements: number;
  truncated: boolean;
  results: (SchemeError & { histogram: ErrorHistogram })[];
}

export interface SupplyRequest {
  scenario: string;
  runs: number;
  seed: number;
  factors: Record<string, number>;
}

/**
 * The simulator's answer: a speed, or perf's `PerfFitError` (the setup does not fit in memory:
 * its message, the per-chip footprint and the smallest TP/EP/PP that fits, null when none does).
 */
export type PerfOutcome =
  | { ok: true; result: PerfResult }
  | {
      ok: false;
      message: string;
      memory: MemoryFit;
      smallest: { tp: number; ep: number; pp: number; chips: number } | null;
    };

/** perf's serving search (`serveSearch`): the base workload and the SLA limits. */
export interface ServeRequest {
  base: Omit<Workload, 'phase' | 'batch'>;
  tpotMaxMs?: number;
  ttftMaxMs?: number;
  outputLen?: number;
}

/** One pinned setup of the Compare page: the simulation, its SLA check and what the TCO view needs. */
export interface SetupRequest {
  workload: Workload;
  tpotMaxMs?: number;
  ttftMaxMs?: number;
}

export interface SetupResult {
  outcome: PerfOutcome;
  /** Per chip at the wall when idle, W: (perf's idle chip power + overhead) x PUE; null when power is unknown. */
  idleWallW: number | null;
  /** Whether perf's price per chip-hour is a rental rate. */
  rental: boolean;
  /** The lifetime perf amortised capital over (data/perf/energy.json). */
  lifetimeYears: number;
  /** perf's serving search within the SLA (when a limit is given): its best point, null when none meets it. */
  serveBest?: ServePoint | null;
}

/** A quantizable weight of an opened ONNX model (src/onnx findWeights). */
export interface OnnxWeightEntry {
  name: string;
  kind: string;
  shape: number[];
  /** The 2-D view the quantizer sees: [rows, reduction length]. */
  view: [number, number];
}

/** One weight of an ONNX model quantized by src/onnx (`quantizeModelBytes`, fake mode), against fp32. */
export interface OnnxLayerRow {
  name: string;
  kind: string;
  shape: number[];
  elements: number;
  /** ||W - Q(W)|| / ||W||. */
  relError: number;
  sqnrDb: number;
  bitsPerWeight: number;
  /** Bytes as fp32 (elements x 4) and as the scheme stores them (elements x bits per weight / 8). */
  fp32Bytes: number;
  quantBytes: number;
}

export interface OnnxQuantResult {
  file: string;
  scheme: string;
  rows: OnnxLayerRow[];
  skipped: { name: string; reason: string }[];
  bytesIn: number;
  /** The fake-quantized model (weights dequantized back to fp32), as the CLI's `onnx quantize` writes it. */
  output: ArrayBuffer;
}

/** One tensor of a whole-file quantization. */
export interface ModelTensorRow {
  name: string;
  dtype: string;
  shape: number[];
  elements: number;
  /** Bytes in the opened file. */
  sourceBytes: number;
  /** null when the tensor was kept as it is (see `kept`). */
  sqnrDb: number | null;
  bitsPerElement: number | null;
  /** Bytes of the quantized codes and scales: elements x bits per element / 8. */
  quantBytes: number | null;
  maxAbsError: number | null;
  /** Mean squared error (with SQNR, gives the tensor's signal power). */
  mse: number | null;
  /** Why the tensor was not quantized. */
  kept?: string;
}

export interface ModelResult {
  file: string;
  scheme: string;
  rows: ModelTensorRow[];
  /** The fake-quantized file: every quantized tensor dequantized to F32, the rest copied. */
  output: ArrayBuffer;
}

export interface Tasks {
  quant: { req: { source: QuantSource; schemes: string[] }; res: QuantResult };
  upload: { req: { name: string; bytes: ArrayBuffer }; res: { name: string; tensors: TensorEntry[] } };
  /** The supply Monte Carlo, summarised for the metrics the Supply page shows (supply-metrics.ts). */
  supply: { req: SupplyRequest; res: SupplyResult };
  /** The same runs as `supply` (sampled once), summarised for the headline cards only (HEADLINE_METRICS). */
  supplyHeadline: { req: SupplyRequest; res: SupplyResult };
  tornado: { req: SupplyRequest; res: TornadoResult };
  model: { req: { scheme: string }; res: ModelResult };
  perf: { req: Workload; res: PerfOutcome };
  serve: { req: ServeRequest; res: ServeSearch };
  setup: { req: SetupRequest; res: SetupResult };
  onnxOpen: {
    req: { name: string; bytes: ArrayBuffer };
    res: { name: string; opset: number; nodes: number; weights: OnnxWeightEntry[] };
  };
  onnxQuantize: { req: { scheme: string }; res: OnnxQuantResult };
  /** supply's "what must be true" box search for each of its claims (`CLAIMS`, `mustBeTrue`). */
  mustBeTrue: { req: { scenario: string; runs: number; seed: number }; res: MustBeTrueResult[] };
  validation: { req: Record<string, never>; res: ValidationReport };
  /** The kernels layer's live GEMV benchmark on this device, in the worker (progress messages). */
  gemv: { req: { n: number; k: number; ms: number; formats: WeightFormat[] }; res: LiveGemvResult };
}

export type TaskName = keyof Tasks;

/** Tasks of the supply worker (supply-worker.ts); the simulator's go to perf-worker.ts, the others to worker.ts. */
export const SUPPLY_TASKS = [
  'supply',
  'supplyHeadline',
  'tornado',
  'mustBeTrue',
] as const satisfies readonly TaskName[];
export type SupplyTaskName = (typeof SUPPLY_TASKS)[number];

/** Tasks of the simulator's worker (perf-worker.ts). */
export const PERF_TASKS = ['perf', 'setup', 'serve', 'validation'] as const satisfies readonly TaskName[];
export type PerfTaskName = (typeof PERF_TASKS)[number];

/** A worker's handlers: the answer to each of its tasks, with a progress callback for long ones. */
export type Handlers<K extends TaskName> = {
  [T in K]: (
    req: Tasks[T]['req'],
    progress: (done: number, total: number) => void,
  ) => Tasks[T]['res'] | Promise<Tasks[T]['res']>;
};

export interface RequestMessage<K extends TaskName = TaskName> {
  id: number;
  task: K;
  req: Tasks[K]['req'];
}

export type ResponseMessage =
  | { id: number; ok: true; res: unknown; ms: number }
  | { id: number; ok: false; error: string }
  /** Sent by long tasks before their answer: steps done of steps in all. */
  | { id: number; progress: { done: number; total: number } };
