/**
 * @module perf/energy
 * Power, energy and cost. Chip power = idle + (TDP - idle) x (compute, memory and network shares
 * weighted by their utilisation); plus the system's per-chip overhead (CPUs, switches, optics),
 * times PUE. J/token = wall power / tokens per second; $/Mtok = (capital or rental per chip-hour +
 * electricity per chip-hour) / Mtokens per chip-hour. Training: FLOPs / (chips x BF16 peak x MFU).
 */
import type { Catalog } from '../catalog/catalog.js';
import { type Assumed, resolveSystem, type SystemSpec } from './chip.js';
import { num, type PerfData } from './data.js';
import { attentionFlopsPerToken, modelShape } from './shape.js';

export interface EnergyOptions {
  pue?: number;
  electricityUsdPerKWh?: number;
}

/** Bad energy options: PUE below 1 (or absurd), negative or non-finite electricity prices. */
export function checkEnergyOptions(o: EnergyOptions): void {
  if (o.pue !== undefined && !(o.pue >= 1 && o.pue <= 5))
    throw new RangeError(`PUE must be between 1 and 5, got ${o.pue}`);
  if (o.electricityUsdPerKWh !== undefined && !(o.electricityUsdPerKWh >= 0 && o.electricityUsdPerKWh <= 10))
    throw new RangeError(`electricity price must be between 0 and 10 USD/kWh, got ${o.electricityUsdPerKWh}`);
}

export interface EnergyResult {
  chipW: number | null;
  overheadW: number | null;
  pue: number;
  /** Per chip at the wall: (chip + overhead) x PUE. */
  wallW: number | null;
  joulesPerToken: number | null;
  electricityUsdPerKWh: number;
  usdPerChipHour: number | null;
  usdPerMtok: number | null;
  assumptions: string[];
}

const CHINA_MARKET = new Set(['h800-sxm', 'h20', 'a800-sxm']);

/** Electricity price for a system: Chinese tariff for Chinese chips and China-market Nvidia parts, else US. */
export function electricityPrice(data: PerfData, sys: SystemSpec): { price: number; region: string } {
  const v = sys.chip.accelerator.vendor;
  const region =
    v === 'nvidia' || v === 'amd' || v === 'google'
      ? CHINA_MARKET.has(sys.chip.id)
        ? 'china'
        : 'us'
      : 'china';
  return { price: num(data.energy.electricityUsdPerKWh[region]!), region };
}

/** Chip power at the given utilisations (0..1), W. */
export function chipPower(
  data: PerfData,
  tdpW: number,
  u: { compute: number; memory: number; network: number },
): number {
  const pm = data.energy.powerModel;
  const idle = num(pm.idleFraction) * tdpW;
  const dyn =
    num(pm.computeShare) * u.compute + num(pm.memoryShare) * u.memory + num(pm.networkShare) * u.network;
  return idle + (tdpW - idle) * Math.min(1, dyn);
}

/** Energy and cost of inference at a throughput per chip. */
export function inferenceEnergy(
  data: PerfData,
  sys: SystemSpec,
  u: { compute: number; memory: number; network: number },
  tokensPerSecPerChip: number,
  opts: EnergyOptions,
): EnergyResult {
  checkEnergyOptions(opts);
  const pue = opts.pue ?? num(data.energy.pue);
  const elec = electricityPrice(data, sys);
  const price = opts.electricityUsdPerKWh ?? elec.price;
  const assumptions = [
    `PUE ${pue}${opts.pue === undefined ? ` (${data.energy.pue.confidence}: ${data.energy.pue.note})` : ' (given)'}`,
    `electricity ${price} USD/kWh${opts.electricityUsdPerKWh === undefined ? ` (${elec.region})` : ' (given)'}`,
    `power model: idle ${num(data.energy.powerModel.idleFraction)} x TDP, dynamic shares compute/memory/network ${num(data.energy.powerModel.computeShare)}/${num(data.energy.powerModel.memoryShare)}/${num(data.energy.powerModel.networkShare)} (assumptions)`,
  ];
  if (sys.chip.powerW === null || sys.overheadWPerChip === null) {
    assumptions.push(`${sys.chip.id} power unknown: no J/token or $/Mtok`);
    return {
      chipW: null,
      overheadW: null,
      pue,
      wallW: null,
      joulesPerToken: null,
      electricityUsdPerKWh: price,
      usdPerChipHour: sys.usdPerChipHour,
      usdPerMtok: null,
      assumptions,
    };
  }
  const chipW = chipPower(data, sys.chip.powerW, u);
  const wallW = (chipW + sys.overheadWPerChip) * pue;
  const joulesPerToken = wallW / tokensPerSecPerChip;
  let usdPerMtok: number | null = null;
  if (sys.usdPerChipHour !== null) {
    const perHour = sys.usdPerChipHour + (sys.rental ? 0 : (wallW / 1000) * price);
    usdPerMtok = perHour / ((tokensPerSecPerChip * 3600) / 1e6);
    assumptions.push(
      `lifetime ${num(data.energy.lifetimeYears)} years at full use (assumption), capital/rental ${sys.usdPerChipHour.toFixed(3)} USD per chip-hour`,
    );
  } else {
    assumptions.push(`${sys.id}: no price, so no $/Mtok`);
  }
  return {
    chipW,
    overheadW: sys.overheadWPerChip,
    pue,
    wallW,
    joulesPerToken,
    electricityUsdPerKWh: price,
    usdPerChipHour: sys.usdPerChipHour,
    usdPerMtok,
    assumptions,
  };
}

export interface TrainingWorkload {
  model: string;
  system: string;
  tokens: number;
  chips: number;
  seqLen?: number;
  /** Override the class MFU (fraction of BF16 dense peak). */
  mfu?: number;
  energy?: EnergyOptions;
  assume?: Assumed;
}

/** Largest training run accepted: 1e16 tokens and a million chips. */
export const MAX_TRAINING_TOKENS = 1e16;
export const MAX_TRAINING_CHIPS = 1_000_000;

export interface TrainingResult {
  model: string;
  system: string;
  chip: string;
  flopsPerToken: number;
  totalFlops: number;
  mfu: number;
  chipHours: number;
  days: number;
  energyMWh: number | null;
  costUsd: number | null;
  assumptions: string[];
}

/** Time, energy and cost to train `tokens` tokens: (6 x active params + 3 x attention) FLOPs per token at MFU x BF16 peak. */
export function trainingEstimate(data: PerfData, cat: Catalog, t: TrainingWorkload): TrainingResult {
  if (!(t.tokens > 0 && t.tokens <= MAX_TRAINING_TOKENS))
    throw new RangeError(`tokens must be positive and at most ${MAX_TRAINING_TOKENS}, got ${t.tokens}`);
  if (!Number.isInteger(t.chips) || t.chips < 1 || t.chips > MAX_TRAINING_CHIPS)
    throw new RangeError(`chips must be a positive integer up to ${MAX_TRAINING_CHIPS}, got ${t.chips}`);
  if (t.mfu !== undefined && !(t.mfu > 0 && t.mfu <= 1))
    throw new RangeError(`MFU must be in (0, 1], got ${t.mfu}`);
  if (t.seqLen !== undefined && !(Number.isInteger(t.seqLen) && t.seqLen >= 1 && t.seqLen <= 10_000_000))
    throw new RangeError(
      `training sequence length must be a positive integer up to 10,000,000, got ${t.seqLen}`,
    );
  checkEnergyOptions(t.energy ?? {});
  const model = cat.getModel(t.model);
  const sys = resolveSystem(data, cat, t.system, t.assume);
  const shape = modelShape(model);
  const seq = t.seqLen ?? 4096;
  const flopsPerToken = 6 * shape.activeParams + 3 * attentionFlopsPerToken(shape, seq);
  const totalFlops = flopsPerToken * t.tokens;
  const mfu = t.mfu ?? num(sys.chip.cls.trainingMfu);
  const peak = sys.chip.peaks.bf16;
  if (peak === undefined) throw new RangeError(`${sys.chip.id}: BF16 peak unknown`);
  const chipSeconds = totalFlops / (peak * 1e12 * mfu);
  const chipHours = chipSeconds / 3600;
  const assumptions = [
    ...sys.assumptions,
    `FLOPs per token = 6 x ${(shape.activeParams / 1e9).toFixed(1)}B active parameters + 3 x attention forward at ${seq} tokens`,
    `MFU ${mfu} of BF16 dense peak ${t.mfu === undefined ? `(${sys.chip.cls.id} class: ${sys.chip.cls.trainingMfu.source})` : '(given)'}`,
  ];
  let energyMWh: number | null = null;
  let costUsd: number | null = null;
  if (sys.chip.powerW !== null && sys.overheadWPerChip !== null) {
    const pue = t.energy?.pue ?? num(data.energy.pue);
    const wallW =
      (chipPower(data, sys.chip.powerW, { compute: 1, memory: 0.5, network: 0.5 }) + sys.overheadWPerChip) *
      pue;
    energyMWh = (wallW * chipSeconds) / 3.6e9;
    const price = t.energy?.electricityUsdPerKWh ?? electricityPrice(data, sys).price;
    if (sys.usdPerChipHour !== null) {
      costUsd = chipHours * sys.usdPerChipHour + (sys.rental ? 0 : energyMWh * 1000 * price);
    }
    assumptions.push(
      `training power: compute fully, memory and network half utilised; PUE ${pue}; ${price} USD/kWh`,
    );
  }
  return {
    model: model.id,
    system: sys.id,
    chip: sys.chip.id,
    flopsPerToken,
    totalFlops,
    mfu,
    chipHours,
    days: chipSeconds / t.chips / 86400,
    energyMWh,
    costUsd,
    assumptions,
  };
}
