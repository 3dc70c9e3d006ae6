/**
 * @module supply/engine
 * The model, vectorised over runs: for a block of n runs (one column of parameter values per
 * slot), walk the 16 quarters and write every metric for every run.
 *
 * Per quarter and run:
 *  1. AI wafers = SMIC 7nm-class wpm × AI share × 3 (+ Huawei's own fabs, Huawei only).
 *  2. Good dies = wafers × gross dies per wafer × die yield (Poisson / Murphy / NB / relative).
 *  3. Huawei may also draw TSMC-made dies from the bank (used before SMIC dies), at most a
 *     given fraction of the original bank per quarter.
 *  4. Assemblies wanted = dies / dies per package. HBM (stock + CXMT) and packaging capacity are
 *     shared pro rata; the smallest ratio (1 = logic) names the binding constraint.
 *  5. Packages = assemblies × packaging yield; Huawei's split 910B/910C by dies per package,
 *     the rest split over Cambricon, Kunlunxin, T-Head, MetaX, Hygon and others by weights.
 *  6. Imports by product (H20, H200, other Nvidia, AMD); value = units × price per vendor and year.
 *  7. The three shares: self-sufficiency = domestic / (domestic + imports) (units), share of
 *     demand = domestic / (USD demand / blended ASP) (units), value share = domestic value /
 *     (domestic + import value) (USD). Compute in H100-equivalents from catalogue peaks.
 */
import type { ModelInputs } from './inputs.js';
import { QUARTER_COUNT } from './quarters.js';
import { IMPORTS, OTHER_VENDORS, type ScalarParam, type SeriesParam } from './registry.js';

export const METRICS = [
  'wafers',
  'smicGoodDies',
  'dieBankDraw',
  'hbmStockEnd',
  'dieBankEnd',
  'huaweiPackages',
  'cambriconUnits',
  'kunlunxinUnits',
  'theadUnits',
  'metaxUnits',
  'hygonUnits',
  'otherDomesticUnits',
  'h20Units',
  'h200Units',
  'nvidiaOtherUnits',
  'amdUnits',
  'domesticUnits',
  'importUnits',
  'demandUnits',
  'domesticValueUsd',
  'importValueUsd',
  'nvidiaValueUsd',
  'demandUsd',
  'selfSufficiency',
  'shareOfDemand',
  'valueShare',
  'domesticH100eBf16',
  'importH100eBf16',
  'domesticH100eFp8',
  'importH100eFp8',
] as const;
export type Metric = (typeof METRICS)[number];

/** Binding-constraint codes stored per run and quarter. */
export const LOGIC = 0;
export const HBM = 1;
export const PACKAGING = 2;

/** Output buffers, quarter-major: value of run r in quarter q is at q * runs + r. */
export interface Samples {
  runs: number;
  metrics: Record<Metric, Float32Array>;
  binding: Uint8Array;
}

export function allocateSamples(runs: number): Samples {
  const metrics = {} as Record<Metric, Float32Array>;
  for (const m of METRICS) metrics[m] = new Float32Array(runs * QUARTER_COUNT);
  return { runs, metrics, binding: new Uint8Array(runs * QUARTER_COUNT) };
}

/**
 * Run the model for n runs whose parameter values are `values[slot][i]`, writing run i to
 * column `offset + i` of `out`.
 */
export function simulateBlock(
  m: ModelInputs,
  values: Float64Array[],
  n: number,
  out: Samples,
  offset: number,
): void {
  const S = (p: ScalarParam) => values[m.scalar[p]];
  const Q = (p: SeriesParam, q: number) => values[m.series[p][q]];
  const stride = out.runs;
  const o = out.metrics;
  const pk = m.peaks;

  // Per-run quantities that do not change by quarter.
  const waferD = S('wafer_diameter_mm');
  const edge = S('edge_exclusion_mm');
  const scribe = S('scribe_lane_mm');
  const areaH = S('huawei_die_area_mm2');
  const areaO = S('other_vendors_die_area_mm2');
  const gdpwH = new Float64Array(n);
  const gdpwO = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = waferD[i] - 2 * edge[i];
    gdpwH[i] = grossDies(d, areaH[i], scribe[i]);
    gdpwO[i] = grossDies(d, areaO[i], scribe[i]);
  }
  const weights = OTHER_VENDORS.map((v) => S(`${v.key}_weight_fraction` as ScalarParam));
  const wsum = new Float64Array(n);
  for (const w of weights) for (let i = 0; i < n; i++) wsum[i] += w[i];
  const vendorOut = OTHER_VENDORS.map((v) => o[v.metric]);
  const importOut = IMPORTS.map((v) => o[v.metric]);

  const hShare = S('huawei_share_of_ai_wafers_fraction');
  const dppO = S('other_vendors_dies_per_package');
  const bankTotal = S('tsmc_die_bank_dies');
  const tsmcD0 = S('tsmc_defect_density_per_cm2');
  const relY = S('yield_relative_to_tsmc_fraction');
  const alpha = S('negbin_clustering_alpha');
  const pkgYield = S('packaging_yield_fraction');
  const stock = S('hbm_stockpile_stacks');
  const q4frac = S('hbm_stockpile_2024q4_fraction');
  const stPerDieH = S('huawei_hbm_stacks_per_die');
  const stO = S('other_vendors_hbm_stacks_per_package');
  const unknownPeak = S('unknown_peak_bf16_dense_tflops_per_package');
  const asp = S('blended_accelerator_asp_usd');

  const bank = Float64Array.from(bankTotal.subarray(0, n));
  const hbm = new Float64Array(n);
  const model = m.yieldModel;
  const nv = OTHER_VENDORS.length;
  const ni = IMPORTS.length;

  for (let q = 0; q < QUARTER_COUNT; q++) {
    const cap = Q('smic_advanced_capacity_wpm', q);
    const aiShare = Q('smic_ai_accelerator_share_fraction', q);
    const own = Q('huawei_own_fab_capacity_wpm', q);
    const dppH = Q('huawei_dies_per_package', q);
    const d0 = Q('smic_defect_density_per_cm2', q);
    const bankRate = Q('tsmc_die_bank_draw_fraction_per_quarter', q);
    const cxmt = Q('cxmt_hbm_stacks_per_quarter', q);
    const pkgCap = Q('advanced_packaging_capacity_packages_per_quarter', q);
    const demandUsd = Q('china_ai_accelerator_demand_usd_per_year', q);
    const priceB = Q('huawei_910b_price_usd', q);
    const priceC = Q('huawei_910c_price_usd', q);
    const vendorPrice = OTHER_VENDORS.map((v) => Q(`${v.key}_price_usd` as SeriesParam, q));
    const importUnits = IMPORTS.map((v) => Q(`${v.key}_units_to_china_per_quarter` as SeriesParam, q));
    const importPrice = IMPORTS.map((v) => Q(`${v.key}_price_usd` as SeriesParam, q));
    const base = q * stride + offset;
    for (let i = 0; i < n; i++) {
      const k = base + i;
      // 1-2. wafers and good dies
      const wafAI = cap[i] * aiShare[i] * 3;
      const wafH = wafAI * hShare[i] + own[i] * 3;
      const wafO = wafAI * (1 - hShare[i]);
      const yH = yieldOf(model, areaH[i] / 100, d0[i], alpha[i], relY[i], tsmcD0[i]);
      const yO = yieldOf(model, areaO[i] / 100, d0[i], alpha[i], relY[i], tsmcD0[i]);
      const smicH = wafH * gdpwH[i] * yH;
      const diesO = wafO * gdpwO[i] * yO;
      // 3. die bank
      const bankAvail = Math.min(bank[i], bankTotal[i] * bankRate[i]);
      // 4. assemblies and the binding constraint
      const asmH = (smicH + bankAvail) / dppH[i];
      const asmO = diesO / dppO[i];
      const stH = stPerDieH[i] * dppH[i];
      if (q < 4) hbm[i] += stock[i] * (q === 3 ? q4frac[i] : (1 - q4frac[i]) / 3);
      hbm[i] += cxmt[i];
      const needHbm = asmH * stH + asmO * stO[i];
      const rH = needHbm > hbm[i] ? hbm[i] / needHbm : 1;
      const needPkg = asmH + asmO;
      const rP = needPkg > pkgCap[i] ? pkgCap[i] / needPkg : 1;
      const r = Math.min(rH, rP);
      out.binding[k] = r >= 1 ? LOGIC : rH <= rP ? HBM : PACKAGING;
      const aH = asmH * r;
      const aO = asmO * r;
      hbm[i] = Math.max(0, hbm[i] - aH * stH - aO * stO[i]);
      // TSMC-made dies are used first (better, already paid for); unused SMIC dies are lost.
      const draw = Math.min(bankAvail, aH * dppH[i]);
      bank[i] -= draw;
      // 5. packages by vendor: Huawei's mean dies per package 1 + f means a share f of 910Cs
      const pH = aH * pkgYield[i];
      const pO = aO * pkgYield[i];
      const f910c = Math.min(1, Math.max(0, dppH[i] - 1));
      let domVal = pH * ((1 - f910c) * priceB[i] + f910c * priceC[i]);
      let domBf = pH * ((1 - f910c) * pk.huaweiB.bf16 + f910c * pk.huaweiC.bf16);
      let domF8 = pH * ((1 - f910c) * pk.huaweiB.fp8 + f910c * pk.huaweiC.fp8);
      for (let v = 0; v < nv; v++) {
        const units = wsum[i] > 0 ? (pO * weights[v][i]) / wsum[i] : 0;
        vendorOut[v][k] = units;
        domVal += units * vendorPrice[v][i];
        const bf = pk.vendors[v].bf16 ?? unknownPeak[i];
        domBf += units * bf;
        domF8 += units * (pk.vendors[v].fp8 ?? bf);
      }
      const dom = pH + pO;
      // 6. imports by product
      let imp = 0;
      let impVal = 0;
      let nvVal = 0;
      let impBf = 0;
      let impF8 = 0;
      for (let v = 0; v < ni; v++) {
        const units = importUnits[v][i];
        importOut[v][k] = units;
        imp += units;
        const val = units * importPrice[v][i];
        impVal += val;
        if (IMPORTS[v].vendor === 'nvidia') nvVal += val;
        const bf = pk.imports[v].bf16 ?? unknownPeak[i];
        impBf += units * bf;
        impF8 += units * (pk.imports[v].fp8 ?? bf);
      }
      o.wafers[k] = wafH + wafO;
      o.smicGoodDies[k] = smicH + diesO;
      o.dieBankDraw[k] = draw;
      o.huaweiPackages[k] = pH;
      o.domesticUnits[k] = dom;
      o.importUnits[k] = imp;
      // 7. demand, values, shares, compute
      const dUsd = demandUsd[i] / 4;
      const demand = dUsd / asp[i];
      o.demandUnits[k] = demand;
      o.demandUsd[k] = dUsd;
      o.domesticValueUsd[k] = domVal;
      o.importValueUsd[k] = impVal;
      o.nvidiaValueUsd[k] = nvVal;
      o.selfSufficiency[k] = dom + imp > 0 ? dom / (dom + imp) : 0;
      o.shareOfDemand[k] = demand > 0 ? dom / demand : 0;
      o.valueShare[k] = domVal + impVal > 0 ? domVal / (domVal + impVal) : 0;
      o.domesticH100eBf16[k] = domBf / pk.reference.bf16;
      o.domesticH100eFp8[k] = domF8 / pk.reference.fp8;
      o.importH100eBf16[k] = impBf / pk.reference.bf16;
      o.importH100eFp8[k] = impF8 / pk.reference.fp8;
      o.hbmStockEnd[k] = hbm[i];
      o.dieBankEnd[k] = bank[i];
    }
  }
}

/** Gross dies per wafer (same formula as geometry.grossDiesPerWafer). */
function grossDies(d: number, area: number, scribe: number): number {
  const side = Math.sqrt(area) + scribe;
  const s = side * side;
  if (d <= 0) return 0;
  const g = (Math.PI * d * d) / (4 * s) - (Math.PI * d) / Math.sqrt(2 * s);
  return Math.max(g, 0);
}

/** Die yield, inlined form of geometry.dieYield; areaCm2 in cm². */
function yieldOf(
  model: string,
  areaCm2: number,
  d0: number,
  alpha: number,
  rel: number,
  tsmcD0: number,
): number {
  if (model === 'murphy') return murphy(areaCm2 * d0);
  if (model === 'poisson') return Math.exp(-areaCm2 * d0);
  if (model === 'negative-binomial') return (1 + (areaCm2 * d0) / alpha) ** -alpha;
  return rel * murphy(areaCm2 * tsmcD0);
}

function murphy(x: number): number {
  if (x < 1e-9) return 1 - x;
  const f = (1 - Math.exp(-x)) / x;
  return f * f;
}
