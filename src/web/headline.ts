/**
 * @module web/headline
 * Comparisons computed from the sourced catalogue, shared by the dashboard and the terminal
 * summary of `chipstack serve`: one system against another (compute, memory, power, FLOPs per
 * watt) and roofline curves of a chip in a number format. Browser-safe.
 */
import type { Accelerator, Catalog, Confidence, Figure, SystemFigureKey } from '../catalog/index.js';
import { figureValue } from '../catalog/index.js';

export interface ComparisonRow {
  metric: string;
  unit: string;
  a: number | null;
  b: number | null;
  /** a / b, or null when either side is unknown. */
  ratio: number | null;
  /** How the row is computed from the catalogue's fields. */
  formula: string;
  confidence: [Confidence | 'mixed' | null, Confidence | 'mixed' | null];
}

export interface SystemComparison {
  a: { id: string; name: string };
  b: { id: string; name: string };
  rows: ComparisonRow[];
}

const FIELDS: [SystemFigureKey, string, string][] = [
  ['chips', 'Chips', 'chips'],
  ['bf16DensePflops', 'BF16 dense compute', 'PFLOPS'],
  ['fp8DensePflops', 'FP8 dense compute', 'PFLOPS'],
  ['hbmCapacityTB', 'HBM capacity', 'TB'],
  ['hbmBandwidthTBps', 'HBM bandwidth', 'TB/s'],
  ['scaleUpTBps', 'Scale-up bandwidth', 'TB/s'],
  ['allInPowerKW', 'All-in power', 'kW'],
];

/** System `a` against system `b` from their catalogue figures (best value of a range). */
export function compareSystemFigures(cat: Catalog, a: string, b: string): SystemComparison {
  const sa = cat.getSystem(a);
  const sb = cat.getSystem(b);
  const fig = (s: typeof sa, k: SystemFigureKey): Figure | undefined =>
    (s.figures as Partial<Record<SystemFigureKey, Figure>>)[k];
  const ratio = (x: number | null, y: number | null) => (x === null || y === null || y === 0 ? null : x / y);
  const rows: ComparisonRow[] = FIELDS.map(([key, metric, unit]) => {
    const x = figureValue(fig(sa, key), 'best');
    const y = figureValue(fig(sb, key), 'best');
    return {
      metric,
      unit,
      a: x,
      b: y,
      ratio: ratio(x, y),
      formula: `figures.${key}`,
      confidence: [fig(sa, key)?.confidence ?? null, fig(sb, key)?.confidence ?? null],
    };
  });
  const perWatt = (s: typeof sa) => {
    const p = figureValue(fig(s, 'bf16DensePflops'), 'best');
    const w = figureValue(fig(s, 'allInPowerKW'), 'best');
    return p === null || w === null ? null : (p * 1e6) / (w * 1e3);
  };
  const both = (s: typeof sa) => {
    const c1 = fig(s, 'bf16DensePflops')?.confidence ?? null;
    const c2 = fig(s, 'allInPowerKW')?.confidence ?? null;
    return c1 === c2 ? c1 : 'mixed';
  };
  const x = perWatt(sa);
  const y = perWatt(sb);
  rows.push({
    metric: 'BF16 FLOPs per watt',
    unit: 'GFLOPS/W',
    a: x,
    b: y,
    ratio: ratio(x, y),
    formula: 'bf16DensePflops * 1e6 / (allInPowerKW * 1e3)',
    confidence: [both(sa), both(sb)],
  });
  return {
    a: { id: sa.id, name: cat.displayName(sa) },
    b: { id: sb.id, name: cat.displayName(sb) },
    rows,
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
