/**
 * @module web/summary
 * The headline results `chipstack serve` prints, each computed live from the library and the
 * shipped data: format limits, block-quantization SQNR on the synthetic tensor, CloudMatrix 384
 * against GB200 NVL72 from the catalogue, and the supply model's 2025 domestic share.
 */
import { defaultCatalog } from '../catalog/node.js';
import { formatInfo } from '../formats/index.js';
import { analyze, getScheme, synthetic } from '../quant/index.js';
import { runSupply } from '../supply/index.js';
import { loadSupplyData } from '../supply/load.js';
import { compareSystemFigures } from './headline.js';

/** The synthetic tensor the dashboard embeds: LLM-like outlier columns, 256 x 1024, seed 1. */
export const SYNTHETIC = { kind: 'outliers', rows: 256, cols: 1024, seed: 1 } as const;

export interface Summary {
  formats: { e4m3fnMax: number; e5m2Max: number; e2m1Max: number; hif8Max: number };
  quantization: {
    tensor: string;
    schemes: { scheme: string; sqnrDb: number; bitsPerElement: number }[];
  };
  systems: {
    a: string;
    b: string;
    ratios: { metric: string; unit: string; a: number | null; b: number | null; ratio: number | null }[];
  };
  supply: {
    scenario: string;
    runs: number;
    seed: number;
    shareOfDemand2025: { p5: number; p50: number; p95: number };
  };
}

/** Compute the summary; `runs` Monte Carlo runs for the supply model (default 10,000). */
export function computeSummary(runs = 10_000): Summary {
  const max = (f: string) => formatInfo(f).maxFinite;
  const { kind, rows, cols, seed } = SYNTHETIC;
  const x = synthetic(kind, rows, cols, seed);
  const schemes = ['mxfp4', 'nvfp4', 'mxfp8', 'fp8-per-tensor'].map((name) => {
    const r = analyze(x, [rows, cols], getScheme(name));
    return { scheme: name, sqnrDb: r.sqnrDb, bitsPerElement: r.bitsPerElement };
  });
  const cmp = compareSystemFigures(defaultCatalog(), 'cloudmatrix-384', 'gb200-nvl72');
  const supply = runSupply(loadSupplyData(), { scenario: 'baseline', runs, seed: 1 });
  const y2025 = supply.years.find((y) => y.year === 2025)!.metrics.shareOfDemand;
  return {
    formats: { e4m3fnMax: max('e4m3fn'), e5m2Max: max('e5m2'), e2m1Max: max('e2m1'), hif8Max: max('hif8') },
    quantization: { tensor: `synthetic ${kind} ${rows}x${cols} seed ${seed}`, schemes },
    systems: {
      a: cmp.a.name,
      b: cmp.b.name,
      ratios: cmp.rows.map(({ metric, unit, a, b, ratio }) => ({ metric, unit, a, b, ratio })),
    },
    supply: {
      scenario: 'baseline',
      runs,
      seed: 1,
      shareOfDemand2025: { p5: y2025.p5, p50: y2025.p50, p95: y2025.p95 },
    },
  };
}

const num = (v: number | null, digits = 3) => (v === null ? '?' : String(Number(v.toPrecision(digits))));
const pct = (v: number) => `${(v * 100).toFixed(0)}%`;

/** The summary as a few terminal lines. */
export function summaryText(s: Summary): string {
  const q = s.quantization.schemes
    .map((r) => `${r.scheme} ${r.sqnrDb.toFixed(1)} dB (${num(r.bitsPerElement, 4)} b/el)`)
    .join(', ');
  const sys = s.systems.ratios
    .filter((r) => r.ratio !== null && r.metric !== 'Chips')
    .map((r) => `${r.metric} ${num(r.ratio, 3)}x`)
    .join(', ');
  const sh = s.supply.shareOfDemand2025;
  return [
    `formats: e4m3fn max ${s.formats.e4m3fnMax}, e5m2 max ${s.formats.e5m2Max}, e2m1 max ${s.formats.e2m1Max}, hif8 max ${s.formats.hif8Max}`,
    `SQNR on ${s.quantization.tensor}: ${q}`,
    `${s.systems.a} / ${s.systems.b}: ${sys}`,
    `supply (${s.supply.scenario}, ${s.supply.runs} runs): domestic share of 2025 demand p50 ${pct(sh.p50)} (90% interval ${pct(sh.p5)}-${pct(sh.p95)})`,
  ].join('\n');
}
