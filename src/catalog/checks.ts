/**
 * @module catalog/checks
 * Assertions the JSON Schema cannot express, run at load time after schema validation:
 * figure ranges, plausible magnitudes, monotone precision ladders, unique ids and aliases,
 * systems that point at known chips and add up to their chips, and self-consistent model configs.
 */
import { collectFigures, figureValue } from './figure.js';
import { isFp8, isMxScaled, type NativeFormatInfo, resolveNativeFormat } from './formats.js';
import type { Accelerator, AcceleratorFigureKey, Figure, Model, System, SystemFigureKey } from './types.js';

interface Lists {
  accelerators: readonly Accelerator[];
  systems: readonly System[];
  models: readonly Model[];
}

/** Plausible bounds per accelerator figure (inclusive); a value outside is almost surely a unit slip. */
const PLAUSIBLE: Partial<Record<AcceleratorFigureKey, [number, number]>> = {
  dieCount: [1, 64],
  fp32DenseTflops: [1, 1_000],
  bf16DenseTflops: [10, 50_000],
  fp8DenseTflops: [10, 100_000],
  int8DenseTops: [10, 100_000],
  fp4DenseTflops: [10, 200_000],
  hbmCapacityGB: [8, 4_096],
  hbmBandwidthTBps: [0.1, 50],
  scaleUpGBps: [10, 100_000],
  scaleOutGBps: [0.1, 10_000],
  tdpW: [50, 5_000],
  priceUsd: [500, 10_000_000],
};

/** Lower precision must not be slower: each pair is [slower, faster]. */
const LADDER: [AcceleratorFigureKey, AcceleratorFigureKey][] = [
  ['fp32DenseTflops', 'bf16DenseTflops'],
  ['bf16DenseTflops', 'fp8DenseTflops'],
  ['fp8DenseTflops', 'fp4DenseTflops'],
  ['bf16DenseTflops', 'int8DenseTops'],
];

/** System totals that should equal chips x a per-chip figure (within TOTAL_TOLERANCE). */
const TOTALS: [SystemFigureKey, AcceleratorFigureKey, number][] = [
  ['bf16DensePflops', 'bf16DenseTflops', 1e-3],
  ['fp8DensePflops', 'fp8DenseTflops', 1e-3],
  ['fp4DensePflops', 'fp4DenseTflops', 1e-3],
  ['hbmCapacityTB', 'hbmCapacityGB', 1e-3],
  ['hbmBandwidthTBps', 'hbmBandwidthTBps', 1],
];
const TOTAL_TOLERANCE = 0.1;

/** Checks on one figure's own shape. */
function figureProblems(where: string, f: Figure): string[] {
  const out: string[] = [];
  const hasRange = f.low !== undefined && f.high !== undefined;
  const numbers = [f.value, f.low, f.high].filter((n): n is number => typeof n === 'number');
  if (numbers.some((n) => !(n > 0) || !Number.isFinite(n))) out.push(`${where} must be positive`);
  if (hasRange && f.low! > f.high!) out.push(`${where} has low ${f.low} above high ${f.high}`);
  if (hasRange && f.value !== null && (f.value < f.low! || f.value > f.high!)) {
    out.push(`${where} value ${f.value} lies outside its range ${f.low}-${f.high}`);
  }
  if (f.notSupported && (f.value !== null || hasRange)) out.push(`${where} is notSupported but has a number`);
  if (f.confidence === 'assumption') {
    out.push(`${where} is an assumption: the catalogue holds sourced figures only (mark it unknown)`);
  }
  if (f.confidence === 'unknown' && (f.value !== null || hasRange)) {
    out.push(`${where} has a number but confidence "unknown"`);
  }
  if (f.value === null && !hasRange && !f.notSupported && f.confidence !== 'unknown') {
    out.push(`${where} has no number, so its confidence must be "unknown" (or mark it notSupported)`);
  }
  return out;
}

function acceleratorProblems(a: Accelerator): string[] {
  const out: string[] = [];
  const at = (key: string) => `accelerators.json: ${a.id}: figures.${key}`;
  for (const [key, [min, max]] of Object.entries(PLAUSIBLE)) {
    const f = a.figures[key as AcceleratorFigureKey];
    // Non-positive numbers are reported by figureProblems; report each distinct end once.
    for (const n of new Set([figureValue(f, 'low'), figureValue(f, 'high')])) {
      if (n !== null && n > 0 && (n < min || n > max)) {
        out.push(`${at(key)} ${n} is outside the plausible ${min}-${max}`);
      }
    }
  }
  for (const [slow, fast] of LADDER) {
    const s = figureValue(a.figures[slow], 'best');
    const q = figureValue(a.figures[fast], 'best');
    if (s !== null && q !== null && q < s) out.push(`${at(fast)} ${q} is below ${slow} ${s}`);
  }
  const native: NativeFormatInfo[] = [];
  for (const name of a.formats.native) {
    const info = resolveNativeFormat(name);
    if (info) native.push(info);
    else {
      out.push(
        `accelerators.json: ${a.id}: formats.native "${name}" is not a registered format or scheme (formats/spec.ts, quant/presets.ts) nor a name documented in catalog/formats.ts`,
      );
    }
  }
  if (a.formats.mxBlockScaleInHardware === true && !native.some(isMxScaled)) {
    out.push(`accelerators.json: ${a.id}: formats says MX scales in hardware but lists no MX-scaled format`);
  }
  if (a.figures.fp8DenseTflops.notSupported && native.some(isFp8)) {
    out.push(
      `accelerators.json: ${a.id}: formats lists an FP8 format but figures.fp8DenseTflops is notSupported`,
    );
  }
  return out;
}

function systemProblems(s: System, chips: ReadonlyMap<string, Accelerator>): string[] {
  const out: string[] = [];
  const chip = chips.get(s.accelerator);
  if (!chip)
    return [`systems.json: ${s.id}: accelerator "${s.accelerator}" is not a canonical accelerator id`];
  const n = figureValue(s.figures.chips, 'value');
  if (n === null || !Number.isInteger(n))
    return [`systems.json: ${s.id}: figures.chips must be a whole number`];
  for (const [sysKey, chipKey, scale] of TOTALS) {
    const total = s.figures[sysKey];
    const lo = figureValue(total, 'low');
    const hi = figureValue(total, 'high');
    const clo = figureValue(chip.figures[chipKey], 'low');
    const chi = figureValue(chip.figures[chipKey], 'high');
    if (lo === null || hi === null || clo === null || chi === null) continue;
    const [sumLo, sumHi] = [n * clo * scale, n * chi * scale];
    if (sumHi < lo * (1 - TOTAL_TOLERANCE) || sumLo > hi * (1 + TOTAL_TOLERANCE)) {
      out.push(
        `systems.json: ${s.id}: figures.${sysKey} ${lo}-${hi} disagrees with ${n} x ${chip.id} ${chipKey} (${sumLo.toPrecision(4)}-${sumHi.toPrecision(4)})`,
      );
    }
  }
  const domain = figureValue(s.figures.scaleUpDomainChips, 'value');
  if (domain !== null && (!Number.isInteger(domain) || domain > n)) {
    out.push(
      `systems.json: ${s.id}: figures.scaleUpDomainChips must be a whole number no larger than figures.chips (${n})`,
    );
  }
  const power = figureValue(s.figures.allInPowerKW, 'high');
  const tdp = figureValue(chip.figures.tdpW, 'low');
  if (power !== null && tdp !== null && power < (n * tdp) / 1000) {
    out.push(`systems.json: ${s.id}: figures.allInPowerKW ${power} is below ${n} chips x ${tdp} W`);
  }
  return out;
}

function modelProblems(m: Model): string[] {
  const c = m.config;
  const bad = (text: string) => `models.json: ${m.id}: ${text}`;
  const out: string[] = [];
  if (c.attentionHeads % c.kvHeads !== 0)
    out.push(bad('config.attentionHeads must be a multiple of config.kvHeads'));
  if (m.attention === 'mha' && c.kvHeads !== c.attentionHeads)
    out.push(bad('MHA needs kvHeads = attentionHeads'));
  if (m.attention === 'gqa' && c.kvHeads >= c.attentionHeads)
    out.push(bad('GQA needs kvHeads < attentionHeads'));
  if (m.attention !== 'mla' && c.headDim === null) out.push(bad('config.headDim is required for MHA/GQA'));
  if (m.attention === 'mla') {
    for (const k of ['kvLoraRank', 'qkNopeHeadDim', 'qkRopeHeadDim', 'vHeadDim'] as const) {
      if (c[k] === null) out.push(bad(`config.${k} is required for MLA`));
    }
  }
  if (m.ffn === 'moe') {
    for (const k of ['routedExperts', 'activeExperts', 'moeIntermediateSize', 'denseLayers'] as const) {
      if (c[k] === null) out.push(bad(`config.${k} is required for MoE`));
    }
    if (c.activeExperts !== null && c.routedExperts !== null && c.activeExperts > c.routedExperts) {
      out.push(bad('config.activeExperts exceeds config.routedExperts'));
    }
    if (c.denseLayers !== null && c.denseLayers > 0 && c.intermediateSize === null) {
      out.push(bad('config.intermediateSize is required when there are dense layers'));
    }
  } else if (c.intermediateSize === null || c.routedExperts !== null) {
    out.push(bad('a dense model needs config.intermediateSize and no experts'));
  }
  if (c.denseLayers !== null && c.denseLayers > c.layers)
    out.push(bad('config.denseLayers exceeds config.layers'));
  const total = figureValue(m.totalParamsB, 'best');
  const active = figureValue(m.activeParamsB, 'best');
  if (total !== null && active !== null && active > total)
    out.push(bad('activeParamsB exceeds totalParamsB'));
  return out;
}

/** Every id and alias must be unique across all three files; aliases must not shadow ids. */
function vocabularyProblems(lists: Lists): string[] {
  const out: string[] = [];
  const owner = new Map<string, string>();
  const entries = [
    ...lists.accelerators.map((e) => ['accelerators.json', e] as const),
    ...lists.systems.map((e) => ['systems.json', e] as const),
    ...lists.models.map((e) => ['models.json', e] as const),
  ];
  for (const [file, e] of entries) {
    if (owner.has(e.id)) out.push(`${file}: ${e.id}: id is also used by ${owner.get(e.id)}`);
    else owner.set(e.id, `${file} ${e.id}`);
  }
  for (const [file, e] of entries) {
    for (const alias of e.aliases) {
      const prev = owner.get(alias);
      if (prev && prev !== `${file} ${e.id}`)
        out.push(`${file}: ${e.id}: alias "${alias}" is already taken by ${prev}`);
      else owner.set(alias, `${file} ${e.id}`);
    }
  }
  return out;
}

/** Run every semantic check; returns one line per problem (empty when consistent). */
export function consistencyProblems(lists: Lists): string[] {
  const out = vocabularyProblems(lists);
  for (const site of collectFigures(lists)) {
    out.push(...figureProblems(`${site.file}: ${site.id}: ${site.path}`, site.figure));
  }
  const provenances = [
    ...lists.accelerators.flatMap((a) =>
      (['released', 'process', 'memoryType', 'formats'] as const).map(
        (k) => [`accelerators.json: ${a.id}: ${k}`, a[k]] as const,
      ),
    ),
    ...lists.models.map((m) => [`models.json: ${m.id}: config`, m.config] as const),
  ];
  for (const [where, p] of provenances) {
    if (p.confidence === 'assumption')
      out.push(`${where} is an assumption: the catalogue holds sourced facts only`);
  }
  const chips = new Map(lists.accelerators.map((a) => [a.id, a]));
  for (const a of lists.accelerators) out.push(...acceleratorProblems(a));
  for (const s of lists.systems) out.push(...systemProblems(s, chips));
  for (const m of lists.models) out.push(...modelProblems(m));
  return out;
}
