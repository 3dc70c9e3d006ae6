/**
 * @module catalog/types
 * Types of the sourced catalogue in `data/*.json`. The JSON Schemas in `data/schema/` are the
 * contract; these types mirror them. Units live in key names (`hbmBandwidthTBps`, `tdpW`).
 */

/**
 * How a figure is known: the maker's claim, a published measurement, a third party's estimate,
 * our own arithmetic, a value chosen where no source gives one, or not at all. This is the one
 * definition for the catalogue, the simulator's calibration (`data/perf`) and the supply model
 * (`data/supply`); `data/schema/common.schema.json` is its JSON Schema twin.
 * - `assumption`: its basis must be in `note` (the schema enforces it). The catalogue refuses it
 *   (a chip figure without a source stays `unknown`); calibration data uses it.
 */
export type Confidence = 'vendor' | 'measured' | 'analyst-estimate' | 'derived' | 'assumption' | 'unknown';

/** Every confidence level, strongest first. */
export const CONFIDENCES: readonly Confidence[] = [
  'vendor',
  'measured',
  'analyst-estimate',
  'derived',
  'assumption',
  'unknown',
];

/** The levels a catalogue record may carry (all but `assumption`). */
export const CATALOGUE_CONFIDENCES: readonly Confidence[] = CONFIDENCES.filter((c) => c !== 'assumption');

/**
 * Where a fact comes from. `source` is a URL or a document title ("none found ..." when unknown);
 * `date` is YYYY-MM-DD, YYYY-MM, or YYYY when the source gives only a year.
 */
export interface Provenance {
  source: string;
  date: string;
  confidence: Confidence;
  note?: string;
}

/**
 * A sourced number: a value or a range, a unit, a source, a date and a confidence. The one
 * sourced-figure type of the package (catalogue, perf calibration, supply inputs). `value` is null
 * when there is no point value: the figure is unknown (confidence `unknown`), known only as a
 * range (`low`..`high`), or `notSupported` by the chip. `low` and `high` come together.
 * Extensions add fields by intersection (supply: `Figure & { dist?: ... }`), never a second shape.
 */
export interface Figure extends Provenance {
  value: number | null;
  low?: number;
  high?: number;
  unit?: string;
  notSupported?: true;
}

/** A figure that is a known range with a point value and a unit (what a Monte Carlo input needs). */
export type RangeFigure = Figure & { value: number; low: number; high: number; unit: string };

/** A sourced piece of text, e.g. a process node. */
export interface TextFact extends Provenance {
  value: string | null;
}

export type Vendor =
  | 'huawei'
  | 'cambricon'
  | 'metax'
  | 'hygon'
  | 'moore-threads'
  | 'biren'
  | 'kunlunxin'
  | 'alibaba'
  | 'nvidia'
  | 'amd'
  | 'google';

export type Status = 'shipping' | 'announced' | 'roadmap';

/**
 * A number format a chip's matrix units run natively: a registered element format or block scheme
 * name (or alias) from `formats/spec.ts` / `quant/presets.ts`, or one of the few names the catalogue
 * documents in `catalog/formats.ts` (see `resolveNativeFormat`). Not a closed list: adding a format
 * to the registry is enough for a chip to list it; a load-time check rejects names that resolve to nothing.
 */
export type NativeFormat = string;

export interface Formats extends Provenance {
  native: NativeFormat[];
  /** true: the matrix unit applies MX (E8M0) block scales itself; false: software must; null: unknown. */
  mxBlockScaleInHardware: boolean | null;
}

/** Every accelerator carries all of these figures (unknown ones as `value: null`). */
export const ACCELERATOR_FIGURE_KEYS = [
  'dieCount',
  'fp32DenseTflops',
  'bf16DenseTflops',
  'fp8DenseTflops',
  'int8DenseTops',
  'fp4DenseTflops',
  'hbmCapacityGB',
  'hbmBandwidthTBps',
  'scaleUpGBps',
  'scaleOutGBps',
  'tdpW',
  'priceUsd',
] as const;
export type AcceleratorFigureKey = (typeof ACCELERATOR_FIGURE_KEYS)[number];

export interface Accelerator {
  id: string;
  vendor: Vendor;
  /** Product name without the vendor; see `displayName`. */
  name: string;
  aliases: string[];
  status: Status;
  released: TextFact;
  process: TextFact;
  /** HBM generation, or GDDR/LPDDR for the few chips without HBM (their `hbm*` figures then describe that memory). */
  memoryType: TextFact;
  formats: Formats;
  figures: Record<AcceleratorFigureKey, Figure>;
  note?: string;
}

/**
 * System figures; only `chips` and `allInPowerKW` are required. Bandwidths are bidirectional
 * aggregates. `scaleUpDomainChips`: chips sharing one scale-up domain (NVLink, HCCS/UB, MLU-Link,
 * Infinity Fabric) when smaller than the system (absent: the whole system is one domain).
 */
export const SYSTEM_FIGURE_KEYS = [
  'chips',
  'scaleUpDomainChips',
  'hostCpus',
  'racks',
  'allInPowerKW',
  'bf16DensePflops',
  'fp8DensePflops',
  'fp4DensePflops',
  'hbmCapacityTB',
  'hbmBandwidthTBps',
  'scaleUpTBps',
  'scaleOutTbps',
  'opticalTransceivers',
  'priceUsd',
  'priceCny',
] as const;
export type SystemFigureKey = (typeof SYSTEM_FIGURE_KEYS)[number];

export interface System {
  id: string;
  vendor: string;
  name: string;
  aliases: string[];
  /** Canonical accelerator id. */
  accelerator: string;
  status: Status;
  figures: Partial<Record<SystemFigureKey, Figure>> & { chips: Figure; allInPowerKW: Figure };
  note?: string;
}

/** Architecture integers as in the model's config.json; null where the field does not apply. */
export interface ModelConfig extends Provenance {
  layers: number;
  hiddenSize: number;
  attentionHeads: number;
  kvHeads: number;
  headDim: number | null;
  qLoraRank: number | null;
  kvLoraRank: number | null;
  qkNopeHeadDim: number | null;
  qkRopeHeadDim: number | null;
  vHeadDim: number | null;
  /** Dense-FFN width (dense layers of an MoE model, or every layer of a dense model). */
  intermediateSize: number | null;
  /** Width of one expert. */
  moeIntermediateSize: number | null;
  routedExperts: number | null;
  activeExperts: number | null;
  sharedExperts: number | null;
  /** Layers with a dense FFN (DeepSeek's first_k_dense_replace). */
  denseLayers: number | null;
  vocabSize: number;
  slidingWindow: number | null;
  /** Multi-token-prediction modules shipped with the weights. */
  mtpLayers: number | null;
  tiedEmbeddings: boolean;
}

export interface Model {
  id: string;
  name: string;
  family: string;
  aliases: string[];
  attention: 'mha' | 'gqa' | 'mla';
  ffn: 'dense' | 'moe';
  config: ModelConfig;
  totalParamsB: Figure;
  activeParamsB: Figure;
  note?: string;
}

/** The three data files as parsed JSON (validated before use). */
export interface CatalogData {
  accelerators: unknown;
  systems: unknown;
  models: unknown;
}

/** The four JSON Schemas in `data/schema/`, as parsed JSON. */
export interface CatalogSchemas {
  common: object;
  accelerators: object;
  systems: object;
  models: object;
}

export type EntryKind = 'accelerator' | 'system' | 'model';
