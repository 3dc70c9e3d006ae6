/**
 * @module web/headline
 * The one headline module: the numbers `chipstack report`, `chipstack serve`'s terminal summary
 * and the dashboard print, each computed live from the library and the shipped data with one set
 * of inputs ({@link HEADLINE}): block-quantization SQNR on one synthetic tensor, one system
 * comparison (perf's {@link compareSystemFigures}), and the supply model's self-sufficiency
 * (with the unit share of demand beside it).
 * Also roofline curves of a chip in a number format. Browser-safe (data is passed in).
 */
import type { Accelerator, Catalog } from '../catalog/index.js';
import { figureValue } from '../catalog/index.js';
import {
  type ComparisonRow,
  compareSystemFigures as compareFigures,
  type SystemFigureComparison,
} from '../perf/scenarios.js';
import { analyze, getScheme, type SyntheticKind, synthetic } from '../quant/index.js';
import { type Interval, runSupply, type SupplyData } from '../supply/index.js';

export type { ComparisonRow };
/** A system against another: the perf layer's one system comparison. */
export type SystemComparison = SystemFigureComparison;

/** The inputs of every headline number, defined once. */
export const HEADLINE = {
  /** LLM-like activations with outlier columns. */
  tensor: { kind: 'outliers' as SyntheticKind, rows: 256, cols: 1024, seed: 1 },
  /** Short names from the scheme registry (quant/presets.ts). */
  schemes: ['fp8-1x128-ue8m0', 'fp8-1x128-fp32', 'mxfp8', 'fp8-per-tensor', 'nvfp4', 'mxfp4'],
  systems: ['cloudmatrix-384', 'gb200-nvl72'] as const,
  supply: { scenario: 'baseline', runs: 10_000, seed: 1 },
} as const;

/** System `a` against system `b` (perf's one system comparison, from the catalogue). */
export function compareSystemFigures(cat: Catalog, a: string, b: string): SystemComparison {
  return compareFigures(cat, a, b);
}

export interface QuantHeadline {
  tensor: string;
  schemes: { scheme: string; bitsPerElement: number; sqnrDb: number }[];
}

/** SQNR and bits per element of the headline schemes on the headline tensor. */
export function quantHeadline(schemes: readonly string[] = HEADLINE.schemes): QuantHeadline {
  const { kind, rows, cols, seed } = HEADLINE.tensor;
  const x = synthetic(kind, rows, cols, seed);
  return {
    tensor: `synthetic ${kind} ${rows}x${cols} seed ${seed}`,
    schemes: schemes.map((name) => {
      const r = analyze(x, [rows, cols], getScheme(name));
      return { scheme: name, bitsPerElement: r.bitsPerElement, sqnrDb: r.sqnrDb };
    }),
  };
}

export interface SupplyHeadline {
  scenario: string;
  runs: number;
  seed: number;
  /** Self-sufficiency (domestic / (domestic + imported units delivered)): the headline. */
  selfSufficiency2025: Interval;
  selfSufficiency2026Q4: Interval;
  /** Unit share of demand (domestic units / units demand could buy), shown beside it. */
  share2025: Interval;
  share2026Q4: Interval;
  binding2026Q4: string;
}

/**
 * The supply model's headline: China's self-sufficiency in AI accelerators (supply.md: the metric
 * IDC and TrendForce publish), with the domestic unit share of demand beside it, 2025 and 2026Q4.
 */
export function supplyHeadline(data: SupplyData, runs: number = HEADLINE.supply.runs): SupplyHeadline {
  const { scenario, seed } = HEADLINE.supply;
  const r = runSupply(data, { scenario, runs, seed });
  const q = r.quarters.find((x) => x.quarter === '2026Q4')!;
  const y = r.years.find((x) => x.year === 2025)!;
  return {
    scenario,
    runs,
    seed,
    selfSufficiency2025: y.metrics.selfSufficiency,
    selfSufficiency2026Q4: q.metrics.selfSufficiency,
    share2025: r.years.find((y) => y.year === 2025)!.metrics.shareOfDemand,
    share2026Q4: q.metrics.shareOfDemand,
    binding2026Q4: q.binding,
  };
}

export interface Headline {
  quant: QuantHeadline;
  systems: SystemComparison;
  supply: SupplyHeadline;
}

/** Every headline number. */
export function headline(cat: Catalog, supply: SupplyData, runs: number = HEADLINE.supply.runs): Headline {
  return {
    quant: quantHeadline(),
    systems: compareSystemFigures(cat, ...HEADLINE.systems),
    supply: supplyHeadline(supply, runs),
  };
}

/** Number formats of the roofline and the accelerator figure that gives each one's peak. */
export const ROOFLINE_FORMATS = {
  bf16: 'bf16DenseTflops',
  fp8: 'fp8DenseTflops',
  fp4: 'fp4DenseTflops',
  int8: 'int8DenseTops',
  fp32: 'fp32DenseTflops',
} as const;
export type RooflineFormat = keyof typeof ROOFLINE_FORMATS;

export interface Roofline {
  chip: string;
  format: RooflineFormat;
  /** Dense peak, TFLOPS (TOPS for int8). */
  peakTflops: number;
  hbmTBps: number;
  /** Arithmetic intensity where memory and compute limits meet: peak / bandwidth, FLOP/byte. */
  ridge: number;
}

/** The roofline of a chip in a format, or null when the catalogue lacks the peak or the bandwidth. */
export function roofline(acc: Accelerator, format: RooflineFormat): Roofline | null {
  const peak = figureValue(acc.figures[ROOFLINE_FORMATS[format]], 'best');
  const bw = figureValue(acc.figures.hbmBandwidthTBps, 'best');
  if (peak === null || bw === null || peak <= 0 || bw <= 0) return null;
  return { chip: acc.id, format, peakTflops: peak, hbmTBps: bw, ridge: peak / bw };
}

/** Attainable TFLOPS at arithmetic intensity `ai` (FLOP/byte): min(peak, ai * bandwidth). */
export function attainable(r: Roofline, ai: number): number {
  return Math.min(r.peakTflops, ai * r.hbmTBps);
}
