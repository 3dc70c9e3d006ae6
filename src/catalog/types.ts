/**
 * @module catalog/types
 * Types of the sourced catalogue in `data/*.json`. The JSON Schemas in `data/schema/` are the
 * contract; these types mirror them. Units live in key names (`hbmBandwidthTBps`, `tdpW`).
 */

/** How a figure is known: the maker's claim, a published measurement, a third party's estimate, our own arithmetic, or not at all. */
export type Confidence = 'vendor' | 'measured' | 'analyst-estimate' | 'derived' | 'unknown';

export const CONFIDENCES: readonly Confidence[] = [
  'vendor',
  'measured',
  'analyst-estimate',
  'derived',
  'unknown',
];

/** Where a fact comes from. `date` is YYYY-MM-DD or YYYY-MM. */
export interface Provenance {
  source: string;
  date: string;
  confidence: Confidence;
  note?: string;
}

/**
 * A sourced number. `value` is null when there is no point value: the figure is unknown
 * (confidence `unknown`), known only as a range (`low`..`high`), or `notSupported` by the chip.
 */
export interface Figure extends Provenance {
  value: number | null;
  low?: number;
  high?: number;
  unit?: string;
  notSupported?: true;
}

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

/** Number formats a chip's matrix units run natively. */
export type NativeFormat =
  | 'fp32'
  | 'tf32'
  | 'fp16'
  | 'bf16'
  | 'fp8-e4m3'
  | 'fp8-e5m2'
  | 'fp8-e4m3fnuz'
  | 'fp8-e5m2fnuz'
  | 'fp8'
  | 'hif8'
  | 'mxfp8'
  | 'mxfp6'
  | 'mxfp4'
  | 'nvfp4'
  | 'hif4'
  | 'int8'
  | 'int4';

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

/** System figures; only `chips` and `allInPowerKW` are required. Bandwidths are bidirectional aggregates. */
export const SYSTEM_FIGURE_KEYS = [
  'chips',
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
