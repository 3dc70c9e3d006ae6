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
 *
 * Written for the JIT of a freshly started Web Worker: the per-run loops are small functions
 * (each quarter calls them, so they are optimized early and with complete type feedback), they
 * read every array from locals (out.metrics has 30 keys, a dictionary-mode object in V8), and
 * their conditionals only choose between values already computed, so code compiled after the
 * first quarters meets no untried path later. Each run's arithmetic is the one loop's of before,
 * operation for operation, so the samples are the same to the bit.
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
  const weights = listOf(OTHER_VENDORS, (v) => S(`${v.key}_weight_fraction` as ScalarParam));
  const wsum = new Float64Array(n);
  for (const w of weights) for (let i = 0; i < n; i++) wsum[i] += w[i];
  const vendorOut = listOf(OTHER_VENDORS, (v) => o[v.metric]);
  const importOut = listOf(IMPORTS, (v) => o[v.metric]);
  // Catalogue peaks per vendor and import, NaN where unknown (the run's unknown-peak value is used).
  const vBf = Float64Array.from(pk.vendors, (p) => p.bf16 ?? Number.NaN);
  const vF8 = Float64Array.from(pk.vendors, (p) => p.fp8 ?? Number.NaN);
  const iBf = Float64Array.from(pk.imports, (p) => p.bf16 ?? Number.NaN);
  const iF8 = Float64Array.from(pk.imports, (p) => p.fp8 ?? Number.NaN);
  const bankTotal = S('tsmc_die_bank_dies');
  const unknownPeak = S('unknown_peak_bf16_dense_tflops_per_package');
  const stock = S('hbm_stockpile_stacks');
  const q4frac = S('hbm_stockpile_2024q4_fraction');

  const run: RunState = {
    n,
    model: yieldCode(m.yieldModel),
    hShare: S('huawei_share_of_ai_wafers_fraction'),
    areaH,
    areaO,
    gdpwH,
    gdpwO,
    dppO: S('other_vendors_dies_per_package'),
    bankTotal,
    tsmcD0: S('tsmc_defect_density_per_cm2'),
    relY: S('yield_relative_to_tsmc_fraction'),
    alpha: S('negbin_clustering_alpha'),
    pkgYield: S('packaging_yield_fraction'),
    stPerDieH: S('huawei_hbm_stacks_per_die'),
    stO: S('other_vendors_hbm_stacks_per_package'),
    asp: S('blended_accelerator_asp_usd'),
    bank: Float64Array.from(bankTotal.subarray(0, n)),
    hbm: new Float64Array(n),
    pH: new Float64Array(n),
    pO: new Float64Array(n),
    domVal: new Float64Array(n),
    domBf: new Float64Array(n),
    domF8: new Float64Array(n),
    imp: new Float64Array(n),
    impVal: new Float64Array(n),
    nvVal: new Float64Array(n),
    impBf: new Float64Array(n),
    impF8: new Float64Array(n),
    peaks: [
      pk.huaweiB.bf16,
      pk.huaweiB.fp8,
      pk.huaweiC.bf16,
      pk.huaweiC.fp8,
      pk.reference.bf16,
      pk.reference.fp8,
    ],
    binding: out.binding,
    wafers: o.wafers,
    smicGoodDies: o.smicGoodDies,
    dieBankDraw: o.dieBankDraw,
    huaweiPackages: o.huaweiPackages,
    hbmStockEnd: o.hbmStockEnd,
    dieBankEnd: o.dieBankEnd,
    domesticUnits: o.domesticUnits,
    importUnits: o.importUnits,
    demandUnits: o.demandUnits,
    demandUsd: o.demandUsd,
    domesticValueUsd: o.domesticValueUsd,
    importValueUsd: o.importValueUsd,
    nvidiaValueUsd: o.nvidiaValueUsd,
    selfSufficiency: o.selfSufficiency,
    shareOfDemand: o.shareOfDemand,
    valueShare: o.valueShare,
    domesticH100eBf16: o.domesticH100eBf16,
    domesticH100eFp8: o.domesticH100eFp8,
    importH100eBf16: o.importH100eBf16,
    importH100eFp8: o.importH100eFp8,
  };

  for (let q = 0; q < QUARTER_COUNT; q++) {
    const base = q * stride + offset;
    // the HBM stockpile arrives over 2024 (a share q4frac in Q4, the rest evenly before)
    if (q < 4) addStock(run, stock, q4frac, q === 3);
    const quarter: QuarterInputs = {
      cap: Q('smic_advanced_capacity_wpm', q),
      aiShare: Q('smic_ai_accelerator_share_fraction', q),
      own: Q('huawei_own_fab_capacity_wpm', q),
      dppH: Q('huawei_dies_per_package', q),
      d0: Q('smic_defect_density_per_cm2', q),
      bankRate: Q('tsmc_die_bank_draw_fraction_per_quarter', q),
      cxmt: Q('cxmt_hbm_stacks_per_quarter', q),
      pkgCap: Q('advanced_packaging_capacity_packages_per_quarter', q),
      demandUsd: Q('china_ai_accelerator_demand_usd_per_year', q),
      priceB: Q('huawei_910b_price_usd', q),
      priceC: Q('huawei_910c_price_usd', q),
    };
    huaweiAndPackaging(run, quarter, base);
    // the other designers' packages, split by weight, in OTHER_VENDORS order
    for (let v = 0; v < OTHER_VENDORS.length; v++)
      addVendor(
        run,
        weights[v]!,
        wsum,
        Q(`${OTHER_VENDORS[v]!.key}_price_usd` as SeriesParam, q),
        vendorOut[v]!,
        vBf[v]!,
        vF8[v]!,
        unknownPeak,
        base,
      );
    // 6. imports by product, in IMPORTS order
    run.imp.fill(0);
    run.impVal.fill(0);
    run.nvVal.fill(0);
    run.impBf.fill(0);
    run.impF8.fill(0);
    for (let v = 0; v < IMPORTS.length; v++) {
      const key = IMPORTS[v]!.key;
      addImport(
        run,
        Q(`${key}_units_to_china_per_quarter` as SeriesParam, q),
        Q(`${key}_price_usd` as SeriesParam, q),
        importOut[v]!,
        IMPORTS[v]!.vendor === 'nvidia' ? 1 : 0,
        iBf[v]!,
        iF8[v]!,
        unknownPeak,
        base,
      );
    }
    totals(run, quarter.demandUsd, base);
  }
}

/** The per-run arrays of a block: inputs that hold for every quarter, state, partial sums and outputs. */
interface RunState {
  n: number;
  model: number;
  hShare: Float64Array;
  areaH: Float64Array;
  areaO: Float64Array;
  gdpwH: Float64Array;
  gdpwO: Float64Array;
  dppO: Float64Array;
  bankTotal: Float64Array;
  tsmcD0: Float64Array;
  relY: Float64Array;
  alpha: Float64Array;
  pkgYield: Float64Array;
  stPerDieH: Float64Array;
  stO: Float64Array;
  asp: Float64Array;
  /** Dies left in the TSMC bank, HBM stacks in stock (carried from quarter to quarter). */
  bank: Float64Array;
  hbm: Float64Array;
  /** This quarter's Huawei and other packages, and the sums the vendor and import loops add to. */
  pH: Float64Array;
  pO: Float64Array;
  domVal: Float64Array;
  domBf: Float64Array;
  domF8: Float64Array;
  imp: Float64Array;
  impVal: Float64Array;
  nvVal: Float64Array;
  impBf: Float64Array;
  impF8: Float64Array;
  /** 910B bf16, fp8, 910C bf16, fp8, reference bf16, fp8 (dense TFLOPS). */
  peaks: number[];
  binding: Uint8Array;
  wafers: Float32Array;
  smicGoodDies: Float32Array;
  dieBankDraw: Float32Array;
  huaweiPackages: Float32Array;
  hbmStockEnd: Float32Array;
  dieBankEnd: Float32Array;
  domesticUnits: Float32Array;
  importUnits: Float32Array;
  demandUnits: Float32Array;
  demandUsd: Float32Array;
  domesticValueUsd: Float32Array;
  importValueUsd: Float32Array;
  nvidiaValueUsd: Float32Array;
  selfSufficiency: Float32Array;
  shareOfDemand: Float32Array;
  valueShare: Float32Array;
  domesticH100eBf16: Float32Array;
  domesticH100eFp8: Float32Array;
  importH100eBf16: Float32Array;
  importH100eFp8: Float32Array;
}

/** One quarter's values of the series the Huawei and packaging step reads. */
interface QuarterInputs {
  cap: Float64Array;
  aiShare: Float64Array;
  own: Float64Array;
  dppH: Float64Array;
  d0: Float64Array;
  bankRate: Float64Array;
  cxmt: Float64Array;
  pkgCap: Float64Array;
  demandUsd: Float64Array;
  priceB: Float64Array;
  priceC: Float64Array;
}

/** Add a 2024 quarter's part of the HBM stockpile (the share q4frac in Q4, the rest evenly in Q1-Q3). */
function addStock(s: RunState, stock: Float64Array, q4frac: Float64Array, q4: boolean): void {
  const { n, hbm } = s;
  for (let i = 0; i < n; i++) {
    const inQ4 = q4frac[i];
    const before = (1 - inQ4) / 3;
    hbm[i] += stock[i] * (q4 ? inQ4 : before);
  }
}

/** Steps 1-5 for Huawei and the other designers together: wafers, dies, bank, HBM, packaging. */
function huaweiAndPackaging(s: RunState, qi: QuarterInputs, base: number): void {
  const { n, model, hShare, areaH, areaO, gdpwH, gdpwO, dppO, bankTotal, tsmcD0, relY, alpha } = s;
  const { pkgYield, stPerDieH, stO, bank, hbm, pH: pHs, pO: pOs, domVal, domBf, domF8, binding } = s;
  const { wafers, smicGoodDies, dieBankDraw, huaweiPackages, hbmStockEnd, dieBankEnd } = s;
  const [hBbf, hBf8, hCbf, hCf8] = s.peaks as [number, number, number, number];
  const { cap, aiShare, own, dppH, d0, bankRate, cxmt, pkgCap, priceB, priceC } = qi;
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
    const dpp = dppH[i];
    const asmH = (smicH + bankAvail) / dpp;
    const asmO = diesO / dppO[i];
    const stH = stPerDieH[i] * dpp;
    const stock = hbm[i] + cxmt[i];
    const needHbm = asmH * stH + asmO * stO[i];
    const hbmRatio = stock / needHbm;
    const rH = needHbm > stock ? hbmRatio : 1;
    const needPkg = asmH + asmO;
    const pkgRatio = pkgCap[i] / needPkg;
    const rP = needPkg > pkgCap[i] ? pkgRatio : 1;
    const r = Math.min(rH, rP);
    binding[k] = r >= 1 ? LOGIC : rH <= rP ? HBM : PACKAGING;
    const aH = asmH * r;
    const aO = asmO * r;
    const left = Math.max(0, stock - aH * stH - aO * stO[i]);
    hbm[i] = left;
    // TSMC-made dies are used first (better, already paid for); unused SMIC dies are lost.
    const draw = Math.min(bankAvail, aH * dpp);
    const bankLeft = bank[i] - draw;
    bank[i] = bankLeft;
    // 5. packages by vendor: Huawei's mean dies per package 1 + f means a share f of 910Cs
    const pH = aH * pkgYield[i];
    pHs[i] = pH;
    pOs[i] = aO * pkgYield[i];
    const f910c = Math.min(1, Math.max(0, dpp - 1));
    domVal[i] = pH * ((1 - f910c) * priceB[i] + f910c * priceC[i]);
    domBf[i] = pH * ((1 - f910c) * hBbf + f910c * hCbf);
    domF8[i] = pH * ((1 - f910c) * hBf8 + f910c * hCf8);
    wafers[k] = wafH + wafO;
    smicGoodDies[k] = smicH + diesO;
    dieBankDraw[k] = draw;
    huaweiPackages[k] = pH;
    hbmStockEnd[k] = left;
    dieBankEnd[k] = bankLeft;
  }
}

/**
 * One other designer's packages in each run (its weight's share of the other designers' packages),
 * added to the domestic value and compute; a peak of NaN (unknown) takes the run's unknown peak.
 */
function addVendor(
  s: RunState,
  w: Float64Array,
  wsum: Float64Array,
  price: Float64Array,
  out: Float32Array,
  knownBf: number,
  knownF8: number,
  unknownPeak: Float64Array,
  base: number,
): void {
  const { n, pO, domVal, domBf, domF8 } = s;
  const hasBf = !Number.isNaN(knownBf);
  const hasF8 = !Number.isNaN(knownF8);
  for (let i = 0; i < n; i++) {
    const ws = wsum[i];
    const share = (pO[i] * w[i]) / ws;
    const units = ws > 0 ? share : 0;
    out[base + i] = units;
    domVal[i] += units * price[i];
    const unknown = unknownPeak[i];
    const bf = hasBf ? knownBf : unknown;
    domBf[i] += units * bf;
    domF8[i] += units * (hasF8 ? knownF8 : bf);
  }
}

/** One imported product's units in each run, added to the import sums (its value to Nvidia's when `nvidia` is 1). */
function addImport(
  s: RunState,
  units: Float64Array,
  price: Float64Array,
  out: Float32Array,
  nvidia: number,
  knownBf: number,
  knownF8: number,
  unknownPeak: Float64Array,
  base: number,
): void {
  const { n, imp, impVal, nvVal, impBf, impF8 } = s;
  const hasBf = !Number.isNaN(knownBf);
  const hasF8 = !Number.isNaN(knownF8);
  for (let i = 0; i < n; i++) {
    const u = units[i];
    out[base + i] = u;
    imp[i] += u;
    const val = u * price[i];
    impVal[i] += val;
    if (nvidia === 1) nvVal[i] += val;
    const unknown = unknownPeak[i];
    const bf = hasBf ? knownBf : unknown;
    impBf[i] += u * bf;
    impF8[i] += u * (hasF8 ? knownF8 : bf);
  }
}

/** Step 7: totals, demand, values, the three shares and compute in H100-equivalents. */
function totals(s: RunState, demandUsd: Float64Array, base: number): void {
  const { n, asp, pH, pO, imp, domVal, impVal, nvVal, domBf, domF8, impBf, impF8 } = s;
  const { domesticUnits, importUnits, demandUnits, demandUsd: dOut, domesticValueUsd, importValueUsd } = s;
  const { nvidiaValueUsd, selfSufficiency, shareOfDemand, valueShare } = s;
  const { domesticH100eBf16, domesticH100eFp8, importH100eBf16, importH100eFp8 } = s;
  const refBf16 = s.peaks[4]!;
  const refFp8 = s.peaks[5]!;
  for (let i = 0; i < n; i++) {
    const k = base + i;
    const dom = pH[i] + pO[i];
    const im = imp[i];
    const dv = domVal[i];
    const iv = impVal[i];
    domesticUnits[k] = dom;
    importUnits[k] = im;
    const dUsd = demandUsd[i] / 4;
    const demand = dUsd / asp[i];
    demandUnits[k] = demand;
    dOut[k] = dUsd;
    domesticValueUsd[k] = dv;
    importValueUsd[k] = iv;
    nvidiaValueUsd[k] = nvVal[i];
    const ss = dom / (dom + im);
    selfSufficiency[k] = dom + im > 0 ? ss : 0;
    const sd = dom / demand;
    shareOfDemand[k] = demand > 0 ? sd : 0;
    const vs = dv / (dv + iv);
    valueShare[k] = dv + iv > 0 ? vs : 0;
    domesticH100eBf16[k] = domBf[i] / refBf16;
    domesticH100eFp8[k] = domF8[i] / refFp8;
    importH100eBf16[k] = impBf[i] / refBf16;
    importH100eFp8[k] = impF8[i] / refFp8;
  }
}

/** `f` over a list into an array built by push (one array shape every time, unlike `map`'s). */
function listOf<T, U>(items: readonly T[], f: (item: T) => U): U[] {
  const out: U[] = [];
  for (const x of items) out.push(f(x));
  return out;
}

/** Gross dies per wafer (same formula as geometry.grossDiesPerWafer). */
function grossDies(d: number, area: number, scribe: number): number {
  const side = Math.sqrt(area) + scribe;
  const s = side * side;
  if (d <= 0) return 0;
  const g = (Math.PI * d * d) / (4 * s) - (Math.PI * d) / Math.sqrt(2 * s);
  return Math.max(g, 0);
}

/** The yield model as a small integer, so the per-run branch compares numbers. */
function yieldCode(model: string): number {
  return model === 'murphy' ? 0 : model === 'poisson' ? 1 : model === 'negative-binomial' ? 2 : 3;
}

/** Die yield, inlined form of geometry.dieYield; areaCm2 in cm²; `model` from yieldCode. */
function yieldOf(
  model: number,
  areaCm2: number,
  d0: number,
  alpha: number,
  rel: number,
  tsmcD0: number,
): number {
  if (model === 0) return murphy(areaCm2 * d0);
  if (model === 1) return Math.exp(-areaCm2 * d0);
  if (model === 2) return (1 + (areaCm2 * d0) / alpha) ** -alpha;
  return rel * murphy(areaCm2 * tsmcD0);
}

function murphy(x: number): number {
  if (x < 1e-9) return 1 - x;
  const f = (1 - Math.exp(-x)) / x;
  return f * f;
}
