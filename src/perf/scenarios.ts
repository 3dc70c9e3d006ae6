/**
 * @module perf/scenarios
 * System comparisons and the article's claims as named scenarios: CloudMatrix 384 against GB200
 * NVL72 (compute, power, FLOPs per watt) and what native FP8/MXFP8 on Ascend 950 changes against
 * the 910C, which must dequantise FP8 to BF16 or requantise to INT8.
 */
import type { Catalog } from '../catalog/catalog.js';
import { figureValue } from '../catalog/figure.js';
import { nativeEightBit } from '../catalog/formats.js';
import type { Accelerator, Confidence, Figure, SystemFigureKey } from '../catalog/types.js';
import { type ChipSpec, parseBuiltSystem, resolveSystem } from './chip.js';
import type { PerfData } from './data.js';
import { type TrainingResult, trainingEstimate } from './energy.js';
import { bytesPerElement, getFormat } from './formats.js';
import { type PerfResult, simulate, type Workload } from './simulate.js';

/** Workloads by name; formats and EP are filled in per system by {@link workloadFor}. */
export const NAMED_WORKLOADS: Record<string, Omit<Workload, 'system'>> = {
  'deepseek-v3-decode': { model: 'deepseek-v3', phase: 'decode', batch: 64, seqLen: 4096 },
  'deepseek-v3-prefill': { model: 'deepseek-v3', phase: 'prefill', batch: 4, seqLen: 4096 },
  'llama-3.1-70b-decode': { model: 'llama-3.1-70b', phase: 'decode', batch: 64, seqLen: 4096, tp: 8 },
  'qwen3-235b-decode': { model: 'qwen3-235b-a22b', phase: 'decode', batch: 64, seqLen: 4096 },
};

/** The best 8-bit weight format a chip runs natively: the catalogue's one rule ({@link nativeEightBit}). */
export function eightBitFormat(chip: ChipSpec): string {
  return nativeEightBit(chip.accelerator.formats.native);
}

/** A named workload on a system: 8-bit weights native to its chip; parallelism left to the smallest that fits. */
export function workloadFor(data: PerfData, cat: Catalog, name: string, systemId: string): Workload {
  const base = Object.hasOwn(NAMED_WORKLOADS, name) ? NAMED_WORKLOADS[name] : undefined;
  if (!base)
    throw new RangeError(`unknown workload "${name}"; known: ${Object.keys(NAMED_WORKLOADS).join(', ')}`);
  const sys = resolveSystem(data, cat, systemId);
  return { weights: eightBitFormat(sys.chip), ...base, system: sys.id };
}

/** One metric of a system against another: values, A / B, how it is computed, and its confidence. */
export interface ComparisonRow {
  metric: string;
  unit: string;
  a: number | null;
  b: number | null;
  /** a / b, or null when either side is unknown. */
  ratio: number | null;
  /** How the row is computed from the catalogue's fields (or the simulator). */
  formula: string;
  confidence: [Confidence | 'mixed' | null, Confidence | 'mixed' | null];
  /** Which side's figure is published as not supported by the chip (its value is null, not unknown). */
  notSupported?: [boolean, boolean];
}

/** The published (or per-chip derived) figures of two systems side by side. */
export interface SystemFigureComparison {
  a: { id: string; name: string };
  b: { id: string; name: string };
  rows: ComparisonRow[];
}

export interface SystemComparison {
  a: string;
  b: string;
  workload: string;
  rows: ComparisonRow[];
  perf: { a: PerfResult; b: PerfResult };
}

const ratioOf = (x: number | null, y: number | null) => (x !== null && y !== null && y !== 0 ? x / y : null);
const usable = (f: Figure | undefined) => (f && !f.notSupported ? f : undefined);

/** System figures, each as published for the system or else derived: chips x the accelerator's figure. */
const SYSTEM_FIGURES: {
  metric: string;
  unit: string;
  key: SystemFigureKey;
  perChip?: { key: keyof Accelerator['figures']; toSystem: number };
}[] = [
  { metric: 'chips', unit: 'chips', key: 'chips' },
  {
    metric: 'BF16 dense PFLOPS',
    unit: 'PFLOPS',
    key: 'bf16DensePflops',
    perChip: { key: 'bf16DenseTflops', toSystem: 1e-3 },
  },
  {
    metric: 'FP8 dense PFLOPS',
    unit: 'PFLOPS',
    key: 'fp8DensePflops',
    perChip: { key: 'fp8DenseTflops', toSystem: 1e-3 },
  },
  {
    metric: 'HBM capacity TB',
    unit: 'TB',
    key: 'hbmCapacityTB',
    perChip: { key: 'hbmCapacityGB', toSystem: 1e-3 },
  },
  {
    metric: 'HBM bandwidth TB/s',
    unit: 'TB/s',
    key: 'hbmBandwidthTBps',
    perChip: { key: 'hbmBandwidthTBps', toSystem: 1 },
  },
  {
    metric: 'scale-up bandwidth TB/s',
    unit: 'TB/s',
    key: 'scaleUpTBps',
    perChip: { key: 'scaleUpGBps', toSystem: 1e-3 },
  },
  { metric: 'all-in power kW', unit: 'kW', key: 'allInPowerKW' },
];

/**
 * The one system comparison from the catalogue: each published system figure, or chips x the
 * accelerator's figure where the system does not publish it, and BF16 PFLOPS per kW. Unknown
 * stays unknown (null). Used by `compare-systems`, `report`, `serve` and the dashboard.
 */
export function compareSystemFigures(cat: Catalog, a: string, b: string): SystemFigureComparison {
  const sys = [systemToCompare(cat, a), systemToCompare(cat, b)] as const;
  const value = (i: number, f: (typeof SYSTEM_FIGURES)[number]) => {
    const s = sys[i]!;
    const ownRaw = (s.figures as Partial<Record<SystemFigureKey, Figure>>)[f.key];
    const own = usable(ownRaw);
    if (own) return { v: figureValue(own, 'best'), c: own.confidence, from: `figures.${f.key}` };
    const chips = usable(s.figures.chips);
    const accRaw = f.perChip ? cat.getAccelerator(s.accelerator).figures[f.perChip.key] : undefined;
    const acc = usable(accRaw);
    const unsupported = ownRaw?.notSupported ?? (!ownRaw && accRaw?.notSupported) ?? false;
    if (unsupported) {
      const by = ownRaw ?? accRaw!;
      return {
        v: null,
        c: by.confidence,
        from: ownRaw ? `figures.${f.key}` : `accelerator ${f.perChip!.key}`,
        ns: true,
      };
    }
    if (!f.perChip || !acc || !chips) return { v: null, c: null, from: `figures.${f.key}` };
    const n = figureValue(chips, 'best');
    const x = figureValue(acc, 'best');
    return {
      v: n === null || x === null ? null : n * x * f.perChip.toSystem,
      c: acc.confidence === chips.confidence ? acc.confidence : ('mixed' as const),
      from: `chips x accelerator ${f.perChip.key}`,
    };
  };
  const rows: ComparisonRow[] = SYSTEM_FIGURES.map((f) => {
    const [x, y] = [value(0, f), value(1, f)];
    return {
      metric: f.metric,
      unit: f.unit,
      a: x.v,
      b: y.v,
      ratio: ratioOf(x.v, y.v),
      formula: x.from === y.from ? x.from : `${x.from} / ${y.from}`,
      confidence: [x.c, y.c],
      ...('ns' in x || 'ns' in y ? { notSupported: ['ns' in x, 'ns' in y] as [boolean, boolean] } : {}),
    };
  });
  const get = (m: string) => rows.find((r) => r.metric === m)!;
  const pf = get('BF16 dense PFLOPS');
  const kw = get('all-in power kW');
  const per = (p: number | null, w: number | null) => (p !== null && w ? p / w : null);
  const both = (i: 0 | 1) => (pf.confidence[i] === kw.confidence[i] ? pf.confidence[i] : 'mixed');
  const x = per(pf.a, kw.a);
  const y = per(pf.b, kw.b);
  rows.push({
    metric: 'BF16 PFLOPS per kW',
    unit: 'PFLOPS/kW',
    a: x,
    b: y,
    ratio: ratioOf(x, y),
    formula: 'BF16 dense PFLOPS / all-in power kW',
    confidence: [both(0), both(1)],
  });
  return {
    a: { id: sys[0].id, name: sys[0].name },
    b: { id: sys[1].id, name: sys[1].name },
    rows,
  };
}

/**
 * A system to compare: a catalogue record, or `CHIP:N` built from the chip, which publishes no
 * system figure of its own (every row is N x the chip's figure; all-in power stays unknown).
 */
function systemToCompare(
  cat: Catalog,
  id: string,
): { id: string; name: string; accelerator: string; figures: Partial<Record<SystemFigureKey, Figure>> } {
  const built = parseBuiltSystem(id);
  if (!built) {
    const s = cat.getSystem(id);
    return { id: s.id, name: cat.displayName(s), accelerator: s.accelerator, figures: s.figures };
  }
  const acc = cat.getAccelerator(built.chip);
  const chips: Figure = {
    value: built.chips,
    unit: 'chips',
    source: `chipstack: the CHIP:N system ${acc.id}:${built.chips}`,
    date: '',
    confidence: 'derived',
  };
  return {
    id: `${acc.id}:${built.chips}`,
    name: `${built.chips} x ${cat.displayName(acc)} (built from the chip)`,
    accelerator: acc.id,
    figures: { chips },
  };
}

/** {@link compareSystemFigures}, then simulated throughput, J/token and USD/Mtok on a named workload. */
export function compareSystems(
  data: PerfData,
  cat: Catalog,
  a: string,
  b: string,
  workload = 'deepseek-v3-decode',
): SystemComparison {
  const figures = compareSystemFigures(cat, a, b);
  const ids = [figures.a.id, figures.b.id] as const;
  const perf = ids.map((id) => simulate(data, cat, workloadFor(data, cat, workload, id)));
  const row = (metric: string, unit: string, f: (i: number) => number | null): ComparisonRow => {
    const x = f(0);
    const y = f(1);
    return {
      metric,
      unit,
      a: x,
      b: y,
      ratio: ratioOf(x, y),
      formula: 'simulate()',
      confidence: ['mixed', 'mixed'],
    };
  };
  const rows = [
    ...figures.rows,
    row(`${workload} tokens/s per system`, 'tokens/s', (i) => perf[i]!.tokensPerSecPerSystem),
    row(`${workload} tokens/s per chip`, 'tokens/s', (i) => perf[i]!.tokensPerSecPerChip),
    row(`${workload} J/token`, 'J/token', (i) => perf[i]!.energy.joulesPerToken),
    row(`${workload} USD per Mtok`, 'USD/Mtok', (i) => perf[i]!.energy.usdPerMtok),
  ];
  return { a: ids[0], b: ids[1], workload, rows, perf: { a: perf[0]!, b: perf[1]! } };
}

export interface ClaimCheck {
  claim: string;
  article: number;
  ours: number;
}

export interface Scenario {
  id: string;
  title: string;
  claims: ClaimCheck[];
  rows: {
    label: string;
    tokensPerSecPerChip: number;
    tpotMs: number | null;
    joulesPerToken: number | null;
    path: string;
  }[];
  notes: string[];
}

/**
 * J/token from published decode throughputs (validation points) and all-in power per chip at full
 * load (no PUE): the comparison that rests on measurements rather than on the simulator.
 */
export function measuredDecodeEnergy(
  data: PerfData,
  c: SystemComparison,
): { point: string; system: string; tokensPerSecPerChip: number; joulesPerToken: number }[] {
  const chips = c.rows.find((x) => x.metric === 'chips')!;
  const kw = c.rows.find((x) => x.metric === 'all-in power kW')!;
  const out: { point: string; system: string; tokensPerSecPerChip: number; joulesPerToken: number }[] = [];
  for (const p of data.validation) {
    if (p.setup.kind !== 'inference' || p.setup.phase !== 'decode') continue;
    // a measured comparison rests on measurements: an unconfirmed report (analyst-estimate) is left out
    if (p.confidence !== 'measured') continue;
    const i = p.setup.system === c.a ? 0 : p.setup.system === c.b ? 1 : -1;
    const power = i === 0 ? kw.a : i === 1 ? kw.b : null;
    const n = i === 0 ? chips.a : i === 1 ? chips.b : null;
    if (power === null || !n) continue;
    const perChip = p.measured.value / p.measured.chipsPerUnit;
    out.push({
      point: p.id,
      system: p.setup.system,
      tokensPerSecPerChip: perChip,
      joulesPerToken: (power * 1000) / n / perChip,
    });
  }
  return out;
}

function measuredEnergyNote(data: PerfData, c: SystemComparison): string {
  const m = measuredDecodeEnergy(data, c);
  const a = m.filter((x) => x.system === c.a);
  const b = m.filter((x) => x.system === c.b);
  if (!a.length || !b.length) return 'No published decode throughput on both systems.';
  const best = (xs: typeof m) => xs.reduce((u, v) => (v.tokensPerSecPerChip > u.tokensPerSecPerChip ? v : u));
  const eightBit = (xs: typeof m) => {
    const ys = xs.filter((x) => {
      const p = data.validation.find((q) => q.id === x.point)!;
      return (
        bytesPerElement(getFormat(p.setup.weights ?? 'bf16')) <= 1.01 &&
        bytesPerElement(getFormat(p.setup.weights ?? 'bf16')) >= 0.99
      );
    });
    return ys.length ? best(ys) : null;
  };
  const f = (x: (typeof m)[number]) =>
    `${x.point} ${x.tokensPerSecPerChip.toFixed(0)} tok/s/chip, ${x.joulesPerToken.toFixed(3)} J/token`;
  const [ba, bb] = [best(a), best(b)];
  const [ea, eb] = [eightBit(a), eightBit(b)];
  const eight =
    ea && eb
      ? `; both with 8-bit weights (${f(ea)} vs ${f(eb)}): ${(ea.joulesPerToken / eb.joulesPerToken).toFixed(2)}x`
      : '';
  const setupOf = (x: (typeof m)[number]) => data.validation.find((q) => q.id === x.point)!.setup;
  const [sa, sb] = [setupOf(ba), setupOf(bb)];
  const mtp = (s: typeof sa) => (s.mtp?.draftTokens ?? 0) > 0;
  const mtpText =
    mtp(sa) === mtp(sb)
      ? mtp(sa)
        ? 'MTP on both'
        : 'no MTP on either'
      : `MTP on ${mtp(sa) ? 'CM384' : 'NVL72'} only`;
  return `Measured, not simulated: J/token at each system's highest published decode throughput (measured points; unconfirmed reports left out) and all-in power per chip at full load (no PUE), CM384 / NVL72 = ${(ba.joulesPerToken / bb.joulesPerToken).toFixed(2)}x (${f(ba)} vs ${f(bb)})${eight}; different software, decode context ${sa.seqLen ?? '?'} vs ${sb.seqLen ?? '?'} tokens, ${mtpText}.`;
}

/** CloudMatrix 384 vs GB200 NVL72: the SemiAnalysis ratios the article repeats. */
export function cloudMatrixVsNvl72(data: PerfData, cat: Catalog): Scenario {
  const c = compareSystems(data, cat, 'cloudmatrix-384', 'gb200-nvl72');
  const r = (m: string) => c.rows.find((x) => x.metric === m)!.ratio!;
  const rows = [c.perf.a, c.perf.b].map((p) => ({
    label: `${p.workload.system} (${p.workload.weights})`,
    tokensPerSecPerChip: p.tokensPerSecPerChip,
    tpotMs: p.tpotS === null ? null : p.tpotS * 1000,
    joulesPerToken: p.energy.joulesPerToken,
    path: p.paths.gemm,
  }));
  return {
    id: 'cm384-vs-nvl72',
    title: 'Huawei CloudMatrix 384 vs Nvidia GB200 NVL72',
    claims: [
      { claim: 'compute (BF16 dense), CM384 / NVL72', article: 1.7, ours: r('BF16 dense PFLOPS') },
      { claim: 'all-in power, CM384 / NVL72', article: 3.9, ours: r('all-in power kW') },
      { claim: 'FLOPs per watt, NVL72 / CM384', article: 2.3, ours: 1 / r('BF16 PFLOPS per kW') },
    ],
    rows,
    notes: [
      'System figures are SemiAnalysis estimates carried by the catalogue (300 vs 180 PF, 559 vs 145 kW).',
      `On ${c.workload} the simulated J/token ratio CM384 / NVL72 is ${(r(`${c.workload} J/token`) ?? Number.NaN).toFixed(2)}: indicative only: each class's decode overhead (a floor and a cost per token) is fitted on two deployments of particular software (Ascend on CloudMatrix-Infer at batch 8 and 96; Blackwell on TensorRT-LLM at one sequence and SGLang's early GB200 Part I at 768 per GPU), so other software is predicted with its own error (GB200 Part II runs 13-27% faster than modelled, SGLang on Ascend 34-39% slower; see validate).`,
      measuredEnergyNote(data, c),
    ],
  };
}

/** Ascend 950DT with native FP8/MXFP8 against the 910C, which must dequantise FP8 to BF16 or requantise to INT8. */
export function ascend950VsAscend910c(
  data: PerfData,
  cat: Catalog,
  phase: 'decode' | 'prefill' = 'decode',
): Scenario {
  const base = NAMED_WORKLOADS[phase === 'decode' ? 'deepseek-v3-decode' : 'deepseek-v3-prefill']!;
  const cases: { label: string; w: Partial<Workload> }[] = [
    {
      label: '910C, FP8 weights dequantised to BF16',
      w: { system: 'cloudmatrix-384', weights: 'fp8-1x128-ue8m0', activations: 'bf16', fp8Fallback: 'bf16' },
    },
    {
      label: '910C, FP8 requantised to INT8 (W8A8)',
      w: { system: 'cloudmatrix-384', weights: 'fp8-1x128-ue8m0', fp8Fallback: 'int8' },
    },
    {
      label: '950DT, FP8 1x128 UE8M0 native',
      w: { system: 'atlas-950-superpod', weights: 'fp8-1x128-ue8m0' },
    },
    { label: '950DT, MXFP8 native', w: { system: 'atlas-950-superpod', weights: 'mxfp8' } },
    {
      label: '950DT, MXFP8 with FP8 KV cache (FP8 attention)',
      w: { system: 'atlas-950-superpod', weights: 'mxfp8', kv: 'fp8' },
    },
    {
      label: '950DT, MXFP4 weights x MXFP8 activations',
      w: { system: 'atlas-950-superpod', weights: 'mxfp4', activations: 'mxfp8' },
    },
  ];
  const rows = cases.map(({ label, w }) => {
    const p = simulate(data, cat, { ...base, ep: 320, ...w } as Workload);
    return {
      label,
      tokensPerSecPerChip: p.tokensPerSecPerChip,
      tpotMs: p.tpotS === null ? null : p.tpotS * 1000,
      joulesPerToken: p.energy.joulesPerToken,
      path: p.paths.gemm,
    };
  });
  return {
    id: `ascend-950-vs-910c-${phase}`,
    title: `DeepSeek-V3 ${phase} per chip: Ascend 950DT (native FP8/MX) vs 910C (no FP8)`,
    claims: [
      {
        claim: '950DT MXFP8 / 910C FP8-as-BF16 tokens/s per chip',
        article: Number.NaN,
        ours: rows[3]!.tokensPerSecPerChip / rows[0]!.tokensPerSecPerChip,
      },
    ],
    rows,
    notes: [
      'The article makes no number for this; the ratio is ours. 950DT peaks, power and efficiencies include assumptions (see energy.json and efficiency.json).',
      'EP 320 on both; the 950DT sits in an Atlas 950 SuperPoD (one UB domain).',
    ],
  };
}

/** Every named scenario. */
export function articleScenarios(data: PerfData, cat: Catalog): Scenario[] {
  return [
    cloudMatrixVsNvl72(data, cat),
    ascend950VsAscend910c(data, cat, 'decode'),
    ascend950VsAscend910c(data, cat, 'prefill'),
  ];
}

export interface TrainingScenarioRow {
  label: string;
  system: string;
  /** The estimate, or null when a needed published figure is missing (named in `missing`). */
  result: TrainingResult | null;
  missing: string | null;
}

export interface TrainingScenario {
  id: string;
  title: string;
  model: string;
  tokens: number;
  chips: number;
  rows: TrainingScenarioRow[];
  notes: string[];
}

/** Training tokens of the Qwen-class scenario: Qwen3 pre-training, about 36 trillion tokens. */
export const QWEN3_TRAINING_TOKENS = 36e12;
/** Chips per run in the training scenarios: an illustrative size, not a published cluster. */
export const TRAINING_SCENARIO_CHIPS = 4096;

/**
 * Qwen-class MoE pre-training on domestic chips against H800: time, energy and cost at the same
 * chip count, or the published figure each chip lacks. ERNIE-class models are not in the catalogue.
 */
export function domesticTraining(data: PerfData, cat: Catalog): TrainingScenario {
  const model = 'qwen3-235b-a22b';
  const cases: [string, string][] = [
    ['H800 (HGX H800 nodes)', 'hgx-h800-8'],
    ['Ascend 910C (CloudMatrix 384)', 'cloudmatrix-384'],
    ['Ascend 910B (Atlas 800-class 8-NPU servers)', `ascend-910b:${TRAINING_SCENARIO_CHIPS}`],
    ['Kunlunxin P800', `kunlunxin-p800:${TRAINING_SCENARIO_CHIPS}`],
    ['T-Head PPU', `t-head-ppu:${TRAINING_SCENARIO_CHIPS}`],
  ];
  const rows = cases.map(([label, system]) => {
    try {
      const result = trainingEstimate(data, cat, {
        model,
        system,
        tokens: QWEN3_TRAINING_TOKENS,
        chips: TRAINING_SCENARIO_CHIPS,
        seqLen: 4096,
      });
      return { label, system, result, missing: null };
    } catch (e) {
      if (e instanceof RangeError) return { label, system, result: null, missing: e.message };
      throw e;
    }
  });
  return {
    id: 'qwen-class-training-domestic',
    title: `Qwen3-235B-A22B pre-training (${QWEN3_TRAINING_TOKENS / 1e12}T tokens) on ${TRAINING_SCENARIO_CHIPS} chips`,
    model,
    tokens: QWEN3_TRAINING_TOKENS,
    chips: TRAINING_SCENARIO_CHIPS,
    rows,
    notes: [
      'Tokens: Qwen Team, Qwen3 Technical Report, arXiv 2505.09388 (about 36 trillion pre-training tokens).',
      `${TRAINING_SCENARIO_CHIPS} chips is an illustrative size: no public cluster size for Qwen or ERNIE training on domestic chips was confirmed.`,
      'MFU from the chip class (Hopper 40% from Llama 3; Ascend 30% from Pangu Ultra MoE); chips without a class use the generic assumption.',
      'ERNIE-class (Baidu, Kunlunxin) scenario not built: no ERNIE model in the catalogue.',
    ],
  };
}
