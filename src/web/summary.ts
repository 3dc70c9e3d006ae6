/**
 * @module web/summary
 * The headline results `chipstack serve` prints, from the one headline module (headline.ts) on
 * the shipped data, plus the format limits.
 */
import { defaultCatalog } from '../catalog/node.js';
import { formatInfo } from '../formats/index.js';
import { loadSupplyData } from '../supply/load.js';
import { HEADLINE, headline } from './headline.js';

/** The synthetic tensor of the headline SQNR figures (the dashboard embeds the same). */
export const SYNTHETIC = HEADLINE.tensor;

export interface Summary {
  formats: { e4m3fnMax: number; e5m2Max: number; e2m1Max: number; hif8Max: number; hif4Max: number };
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
    /** The headline: domestic / (domestic + imported units delivered), 2025. */
    selfSufficiency2025: { p5: number; p50: number; p95: number };
    /** Beside it: domestic units / units 2025 demand could buy. */
    shareOfDemand2025: { p5: number; p50: number; p95: number };
  };
}

/** Compute the summary; `runs` Monte Carlo runs for the supply model (default: the headline's). */
export function computeSummary(runs: number = HEADLINE.supply.runs): Summary {
  const max = (f: string) => formatInfo(f).maxFinite;
  const h = headline(defaultCatalog(), loadSupplyData(), runs);
  const y2025 = h.supply.share2025;
  const ss = h.supply.selfSufficiency2025;
  return {
    formats: {
      e4m3fnMax: max('e4m3fn'),
      e5m2Max: max('e5m2'),
      e2m1Max: max('e2m1'),
      hif8Max: max('hif8'),
      hif4Max: max('hif4'),
    },
    quantization: h.quant,
    systems: {
      a: h.systems.a.name,
      b: h.systems.b.name,
      ratios: h.systems.rows.map(({ metric, unit, a, b, ratio }) => ({ metric, unit, a, b, ratio })),
    },
    supply: {
      scenario: h.supply.scenario,
      runs: h.supply.runs,
      seed: h.supply.seed,
      selfSufficiency2025: { p5: ss.p5, p50: ss.p50, p95: ss.p95 },
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
    .filter((r) => r.ratio !== null && r.metric !== 'chips')
    .map((r) => `${r.metric} ${num(r.ratio, 3)}x`)
    .join(', ');
  const sh = s.supply.shareOfDemand2025;
  const ss = s.supply.selfSufficiency2025;
  return [
    `formats: e4m3fn max ${s.formats.e4m3fnMax}, e5m2 max ${s.formats.e5m2Max}, e2m1 max ${s.formats.e2m1Max}, hif8 max ${s.formats.hif8Max}, hif4 max ${s.formats.hif4Max}`,
    `SQNR on ${s.quantization.tensor}: ${q}`,
    `${s.systems.a} / ${s.systems.b}: ${sys}`,
    `supply (${s.supply.scenario}, ${s.supply.runs} runs): China's 2025 self-sufficiency in AI accelerators p50 ${pct(ss.p50)} (90% interval ${pct(ss.p5)}-${pct(ss.p95)}); domestic unit share of 2025 demand p50 ${pct(sh.p50)} (${pct(sh.p5)}-${pct(sh.p95)})`,
  ].join('\n');
}
