/**
 * @module perf/chip
 * From catalogue records to what the simulator needs: per-format peaks of one chip, its class
 * calibration, links, power and price; and the compute path a GEMM takes for given weight and
 * activation formats (native, or what the chip must do instead, named in words).
 */
import type { Catalog } from '../catalog/catalog.js';
import { figureValue } from '../catalog/figure.js';
import type { Accelerator, Figure, NativeFormat, System } from '../catalog/types.js';
import { type ChipClass, num, type PerfData, type PerfFigure } from './data.js';
import { type ElementKind, getFormat, type StorageFormat } from './formats.js';

/** A chip as the simulator sees it; peaks in TFLOPS (or TOPS), bandwidths per direction. */
export interface ChipSpec {
  id: string;
  accelerator: Accelerator;
  cls: ChipClass;
  /** Dense peak per element kind the matrix unit runs natively (and whose peak is known or assumed). */
  peaks: Partial<Record<ElementKind, number>>;
  mxHardware: boolean;
  nvfp4Hardware: boolean;
  hbmTBps: number;
  hbmGB: number;
  /** Per chip per direction, GB/s (catalogue scale-up figures are bidirectional, halved here). */
  scaleUpGBps: number | null;
  scaleOutGBps: number | null;
  powerW: number | null;
  assumptions: string[];
}

export interface SystemSpec {
  id: string;
  system: System;
  chip: ChipSpec;
  chips: number;
  /** Chips sharing one scale-up (NVLink / UB) domain: the whole system for the catalogued systems. */
  scaleUpDomain: number;
  /** Host CPUs, switches, optics and fans per chip, W, drawn at any load. */
  overheadWPerChip: number | null;
  /** Capital cost per chip-hour over the lifetime, or rental. */
  usdPerChipHour: number | null;
  /** true when usdPerChipHour is a rental rate (which already pays for electricity). */
  rental: boolean;
  assumptions: string[];
}

const NATIVE_KIND: Record<NativeFormat, ElementKind | null> = {
  fp32: 'fp32',
  tf32: null,
  fp16: 'fp16',
  bf16: 'bf16',
  'fp8-e4m3': 'fp8',
  'fp8-e5m2': 'fp8',
  'fp8-e4m3fnuz': 'fp8',
  'fp8-e5m2fnuz': 'fp8',
  fp8: 'fp8',
  hif8: 'fp8',
  mxfp8: 'fp8',
  mxfp6: 'fp6',
  mxfp4: 'fp4',
  nvfp4: 'fp4',
  hif4: 'fp4',
  int8: 'int8',
  int4: 'int4',
};

const PEAK_KEY: Record<ElementKind, keyof Accelerator['figures']> = {
  fp32: 'fp32DenseTflops',
  bf16: 'bf16DenseTflops',
  fp16: 'bf16DenseTflops',
  fp8: 'fp8DenseTflops',
  fp6: 'fp8DenseTflops',
  int8: 'int8DenseTops',
  fp4: 'fp4DenseTflops',
  int4: 'int8DenseTops',
};

/** Precision rank: a GEMM runs at the wider of its two operands. */
const RANK: Record<ElementKind, number> = {
  fp4: 1,
  int4: 1,
  fp6: 2,
  fp8: 3,
  int8: 3,
  fp16: 4,
  bf16: 4,
  fp32: 5,
};

const pfx = (f: PerfFigure) => `${f.value} (${f.confidence === 'assumption' ? 'assumption' : f.source})`;

/** The class an accelerator belongs to (the member-less class is the default). */
export function chipClassOf(data: PerfData, acceleratorId: string): ChipClass {
  return (
    data.classes.find((c) => c.members.includes(acceleratorId)) ??
    data.classes.find((c) => !c.members.length)!
  );
}

function best(f: Figure | undefined): number | null {
  return f && !f.notSupported ? figureValue(f, 'best') : null;
}

/** Resolve an accelerator into a {@link ChipSpec}; missing peaks or power come from `energy.json` assumptions. */
export function chipSpec(data: PerfData, acc: Accelerator): ChipSpec {
  const f = acc.figures;
  const assumptions: string[] = [];
  const native = new Set<ElementKind>();
  for (const n of acc.formats.native) {
    const k = NATIVE_KIND[n];
    if (k) native.add(k);
  }
  if (native.has('bf16')) native.add('fp16');
  const assumed = data.energy.assumedPeaks[acc.id] ?? {};
  const peaks: Partial<Record<ElementKind, number>> = {};
  // BF16 is the fallback of last resort, so an assumed BF16 peak also counts for chips that do not list it.
  for (const kind of [...native, 'bf16' as ElementKind]) {
    const key = PEAK_KEY[kind];
    let v = best(f[key]);
    if (v === null && assumed[key]) {
      v = num(assumed[key]!);
      assumptions.push(`${acc.id} ${key} = ${pfx(assumed[key]!)}: ${assumed[key]!.note ?? ''}`);
    }
    if (v !== null && (native.has(kind) || kind === 'bf16')) peaks[kind] = v;
  }
  const hbmTBps = best(f.hbmBandwidthTBps);
  const hbmGB = best(f.hbmCapacityGB);
  if (hbmTBps === null || hbmGB === null)
    throw new RangeError(`${acc.id}: HBM bandwidth or capacity unknown`);
  const up = best(f.scaleUpGBps);
  let powerW = best(f.tdpW);
  const pw = data.energy.chipPowerW[acc.id];
  if (powerW === null && pw) {
    powerW = num(pw);
    assumptions.push(`${acc.id} chip power ${pfx(pw)} W: ${pw.note ?? ''}`);
  }
  return {
    id: acc.id,
    accelerator: acc,
    cls: chipClassOf(data, acc.id),
    peaks,
    mxHardware: acc.formats.mxBlockScaleInHardware === true,
    nvfp4Hardware: acc.formats.native.includes('nvfp4'),
    hbmTBps,
    hbmGB,
    scaleUpGBps: up === null ? null : up / 2,
    scaleOutGBps: best(f.scaleOutGBps),
    powerW,
    assumptions,
  };
}

/** What a GEMM runs as on a chip, and why. */
export interface ComputePath {
  kind: ElementKind;
  peakTflops: number;
  /** Multiplier on the efficiency curve for block scales applied in software (1 when none or in hardware). */
  scaleFactor: number;
  /** Weight storage after any offline requantisation (FP8 -> INT8 changes the bytes too). */
  weightStorage: StorageFormat;
  label: string;
}

export type Fp8Fallback = 'bf16' | 'int8';

function fallbackKind(
  chip: ChipSpec,
  kind: ElementKind,
  fp8Fallback: Fp8Fallback,
): { kind: ElementKind; how: string } {
  const has = (k: ElementKind) => chip.peaks[k] !== undefined;
  if (has(kind)) return { kind, how: 'native' };
  const chain: Record<ElementKind, ElementKind[]> = {
    fp8: fp8Fallback === 'int8' ? ['int8', 'bf16'] : ['bf16'],
    fp6: ['fp8', 'bf16'],
    fp4: ['fp8', 'bf16'],
    int4: ['int8', 'bf16'],
    int8: ['fp8', 'bf16'],
    fp16: ['bf16'],
    bf16: ['fp16', 'fp32'],
    fp32: ['bf16'],
  };
  for (const k of chain[kind]) {
    if (has(k)) {
      const how = RANK[k] === RANK[kind] ? `requantised to ${k}` : `dequantised to ${k}`;
      return { kind: k, how };
    }
  }
  throw new RangeError(`${chip.id} has no known peak for ${kind} or any fallback`);
}

/**
 * The path of a GEMM with the given weight and activation formats on a chip: the matrix unit runs
 * the wider of the two operands after each falls back to what the chip has (FP8 on Ascend 910C:
 * dequantised to BF16, or requantised offline to INT8 when `fp8Fallback` is 'int8').
 */
export function gemmPath(
  chip: ChipSpec,
  weights: StorageFormat,
  acts: StorageFormat,
  fp8Fallback: Fp8Fallback,
): ComputePath {
  const w = fallbackKind(chip, weights.element, fp8Fallback);
  const a = fallbackKind(chip, acts.element, fp8Fallback);
  const kind = RANK[a.kind] > RANK[w.kind] ? a.kind : w.kind;
  const requant = w.how.startsWith('requantised');
  const weightStorage = requant ? getFormat(w.kind) : weights;
  let software = false;
  for (const f of [weights, acts]) {
    if (!f.block) continue;
    const hw = (f.scaleStyle === 'mx' && chip.mxHardware) || (f.scaleStyle === 'nvfp4' && chip.nvfp4Hardware);
    if (!hw) software = true;
  }
  const scaleFactor = software ? num(chip.cls.softwareBlockScale) : 1;
  const parts = [`${weights.id} weights x ${acts.id} activations -> ${kind} matrix unit`];
  if (w.how !== 'native') parts.push(`weights ${w.how} (${chip.id} has no ${weights.element} matrix unit)`);
  if (a.how !== 'native' && acts.element !== weights.element) parts.push(`activations ${a.how}`);
  if (software) parts.push('block scales applied in software');
  else if (weights.block || acts.block) parts.push('block scales applied in hardware');
  return { kind, peakTflops: chip.peaks[kind]!, scaleFactor, weightStorage, label: parts.join('; ') };
}

/** Attention core (QK and PV) path: FP8 only where KV and activations are 8-bit and the chip has FP8, else BF16. */
export function attentionPath(chip: ChipSpec, kv: StorageFormat, acts: StorageFormat): ComputePath {
  const eight = kv.element === 'fp8' && (acts.element === 'fp8' || acts.element === 'int8');
  const want: ElementKind = eight && chip.peaks.fp8 !== undefined ? 'fp8' : 'bf16';
  const k = fallbackKind(chip, want, 'bf16');
  return {
    kind: k.kind,
    peakTflops: chip.peaks[k.kind]!,
    scaleFactor: 1,
    weightStorage: kv,
    label: `attention core in ${k.kind} with ${kv.id} KV cache`,
  };
}

/** Resolve a catalogue system into a {@link SystemSpec} with per-chip overhead power and price. */
export function systemSpec(data: PerfData, catalog: Catalog, system: System): SystemSpec {
  const chip = chipSpec(data, catalog.getAccelerator(system.accelerator));
  const assumptions = [...chip.assumptions];
  const chips = best(system.figures.chips);
  if (chips === null) throw new RangeError(`${system.id}: chip count unknown`);
  const allIn = best(system.figures.allInPowerKW);
  let overheadWPerChip: number | null = null;
  if (chip.powerW !== null) {
    if (allIn !== null) {
      overheadWPerChip = Math.max(0, (allIn * 1000) / chips - chip.powerW);
    } else {
      const fr = data.energy.powerModel.overheadFractionOfChip;
      overheadWPerChip = chip.powerW * num(fr);
      assumptions.push(
        `${system.id} all-in power unknown: overhead per chip = ${num(fr)} x chip power (${fr.source})`,
      );
    }
  }
  const lifetimeH = num(data.energy.lifetimeYears) * 8760;
  let usdPerChipHour: number | null = null;
  let isRental = false;
  const sysPrice = best(system.figures.priceUsd);
  const chipPrice = best(chip.accelerator.figures.priceUsd);
  const rental = data.energy.rentalUsdPerChipHour[chip.id];
  if (sysPrice !== null) {
    usdPerChipHour = sysPrice / chips / lifetimeH;
  } else if (rental) {
    usdPerChipHour = num(rental);
    isRental = true;
    assumptions.push(`${chip.id} priced at rental ${num(rental)} USD/chip-hour (${rental.source})`);
  } else if (chipPrice !== null) {
    usdPerChipHour = (chipPrice * (1 + num(data.energy.powerModel.overheadFractionOfChip))) / lifetimeH;
    assumptions.push(`${system.id} price unknown: chip price x (1 + overhead fraction) over the lifetime`);
  }
  return {
    id: system.id,
    system,
    chip,
    chips,
    scaleUpDomain: chips,
    overheadWPerChip,
    usdPerChipHour,
    rental: isRental,
    assumptions,
  };
}
