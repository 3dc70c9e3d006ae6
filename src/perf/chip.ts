/**
 * @module perf/chip
 * From catalogue records to what the simulator needs: per-format peaks of one chip, its class
 * calibration, links, power and price; and the compute path a GEMM takes for given weight and
 * activation formats (native, or what the chip must do instead, named in words).
 */
import type { Catalog } from '../catalog/catalog.js';
import { figureValue } from '../catalog/figure.js';
import { resolveNativeFormat } from '../catalog/formats.js';
import { ACCELERATOR_FIGURE_KEYS, type Accelerator, type Figure, type System } from '../catalog/types.js';
import { type ChipClass, num, type PerfData } from './data.js';
import { type ElementKind, elementKindOf, getFormat, type StorageFormat } from './formats.js';

/** A chip as the simulator sees it; peaks in TFLOPS (or TOPS), bandwidths per direction. */
export interface ChipSpec {
  id: string;
  accelerator: Accelerator;
  cls: ChipClass;
  /** Dense peak per element kind the matrix unit runs natively (and whose peak is known or assumed). */
  peaks: Partial<Record<ElementKind, number>>;
  /** Element kinds the catalogue lists as native, known peak or not (fp16 with bf16). */
  native: ElementKind[];
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
  /**
   * Chips sharing one scale-up (NVLink / UB / MLU-Link) domain: the system's `scaleUpDomainChips`,
   * else the whole system. When that figure is unknown, one server board ({@link DEFAULT_BOARD_CHIPS}),
   * and a run over more chips stops with {@link checkScaleUpDomain}.
   */
  scaleUpDomain: number;
  /** The system's scale-up domain size is published as unknown (and not given with --assume). */
  scaleUpDomainUnknown: boolean;
  /** Host CPUs, switches, optics and fans per chip, W, drawn at any load. */
  overheadWPerChip: number | null;
  /** Capital cost per chip-hour over the lifetime, or rental. */
  usdPerChipHour: number | null;
  /** true when usdPerChipHour is a rental rate (which already pays for electricity). */
  rental: boolean;
  assumptions: string[];
}

/**
 * The matrix-unit kind of a catalogue native-format name, read from the format registry
 * (`resolveNativeFormat`): the element the unit multiplies; fp32 for FP32; null for TF32 (no peak
 * figure of its own) and for a name that resolves to nothing (the catalogue's load check refuses those).
 */
export function nativeKind(name: string): ElementKind | null {
  const info = resolveNativeFormat(name);
  if (!info) return null;
  if (info.kind === 'wide') return info.element === 'fp32' ? 'fp32' : null;
  return elementKindOf(info.element as Parameters<typeof elementKindOf>[0]);
}

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

/** The one-line message for a catalogue figure the simulator needs but the catalogue does not know. */
export function missingFigure(chip: string, figure: string): string {
  return `${chip}: published figure ${figure} is unknown; give --assume ${figure}=VALUE to simulate anyway`;
}

const pfx = (f: Figure) => `${f.value} (${f.confidence === 'assumption' ? 'assumption' : f.source})`;

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
    const k = nativeKind(n);
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
  if (hbmTBps === null) throw new RangeError(missingFigure(acc.id, 'hbmBandwidthTBps'));
  if (hbmGB === null) throw new RangeError(missingFigure(acc.id, 'hbmCapacityGB'));
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
    native: [...native],
    mxHardware: acc.formats.mxBlockScaleInHardware === true,
    nvfp4Hardware: acc.formats.native.some((n) => resolveNativeFormat(n)?.scheme?.scale.kind === 'nvfp4'),
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
  // a native unit whose peak is unpublished is not a missing unit: name the figure, do not fall back
  if (chip.native.includes(kind)) {
    const key = PEAK_KEY[kind];
    throw new RangeError(
      `${chip.id}: published figure ${key} is unknown (its native ${kind} matrix unit's peak); give --assume ${key}=VALUE to simulate anyway`,
    );
  }
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
  const keys = [...new Set([kind, ...chain[kind]].map((k) => PEAK_KEY[k]))];
  // suggest the figure whose assumption makes the GEMM run: BF16, the fallback of last resort that
  // counts without a native listing (chipSpec), else the kind's own
  const hint = keys.includes('bf16DenseTflops') ? 'bf16DenseTflops' : keys[0];
  throw new RangeError(
    `${chip.id}: published figures ${keys.join(' and ')} are unknown (a ${kind} GEMM needs one); give --assume ${hint}=VALUE to simulate anyway`,
  );
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
  // FP8 attention (FP8 Q x FP8 KV on the FP8 matrix unit) needs an FP8 KV cache and activations of
  // 8 bits or fewer: a run that quantises its activations to FP4 quantises the attention query to
  // FP8 for the kernel (SGLang's GB200 Part II 'FP8 attention' beside NVFP4 MoE).
  const eight = kv.element === 'fp8' && acts.elementBits <= 8;
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
export function systemSpec(
  data: PerfData,
  catalog: Catalog,
  system: System,
  opts: {
    assume?: Assumed;
    scaleUpDomain?: number;
    notes?: string[];
    /** The system whose `scaleOutTbps` a chip without its own scale-out figure falls back to (default: `system`). */
    scaleOutFrom?: System;
  } = {},
): SystemSpec {
  const assume = opts.assume ?? {};
  checkAssumedPlausible(catalog, assume);
  let chip = chipSpec(data, withAssumed(catalog.getAccelerator(system.accelerator), assume));
  const assumptions = [...(opts.notes ?? []), ...chip.assumptions];
  const chips = best(system.figures.chips);
  if (chips === null) throw new RangeError(`${system.id}: chip count unknown`);
  if (chip.scaleOutGBps === null) {
    const from = opts.scaleOutFrom ?? system;
    const tbps = best(from.figures.scaleOutTbps);
    const fromChips = best(from.figures.chips);
    if (tbps !== null && fromChips !== null) {
      chip = { ...chip, scaleOutGBps: (tbps * 1000) / 8 / fromChips };
      assumptions.push(
        `${chip.id} scale-out ${chip.scaleOutGBps} GB/s per chip: ${from.id} scale-out ${tbps} Tb/s / 8 bits / ${fromChips} chips (${from.figures.scaleOutTbps!.source})`,
      );
    }
  }
  let scaleUpDomain = chips;
  let scaleUpDomainUnknown = false;
  const given = opts.scaleUpDomain ?? assume.scaleUpDomain;
  const domainFigure = system.figures.scaleUpDomainChips;
  if (given !== undefined) scaleUpDomain = given;
  else if (domainFigure !== undefined) {
    const d = best(domainFigure);
    if (d === null) {
      scaleUpDomainUnknown = true;
      scaleUpDomain = DEFAULT_BOARD_CHIPS;
      assumptions.push(
        `${system.id} scale-up domain size unknown: runs up to one ${DEFAULT_BOARD_CHIPS}-chip board only`,
      );
    } else {
      scaleUpDomain = d;
      assumptions.push(`${system.id} scale-up domain ${d} chips (${domainFigure.source})`);
    }
  }
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
    scaleUpDomain: Math.min(chips, scaleUpDomain),
    scaleUpDomainUnknown,
    overheadWPerChip,
    usdPerChipHour,
    rental: isRental,
    assumptions,
  };
}

/**
 * Throw (one line naming `scaleUpDomainChips`) when a run over `chips` chips spans more than one
 * server board of a system whose scale-up domain size is unknown: where its links end is not known.
 */
export function checkScaleUpDomain(sys: SystemSpec, chips: number): void {
  if (sys.scaleUpDomainUnknown && chips > sys.scaleUpDomain) {
    throw new RangeError(
      `${sys.id}: published figure scaleUpDomainChips is unknown and the run spans ${chips} chips (more than one ${DEFAULT_BOARD_CHIPS}-chip board); give --assume scaleUpDomain=N to simulate anyway`,
    );
  }
}

/** Fields `--assume FIELD=VALUE` may set: a chip's catalogue figures, and the scale-up domain size. */
type ChipFigure = Exclude<(typeof ACCELERATOR_FIGURE_KEYS)[number], 'dieCount'>;
export type AssumableField = ChipFigure | 'scaleUpDomain';
export const ASSUMABLE_FIELDS: readonly AssumableField[] = [
  ...ACCELERATOR_FIGURE_KEYS.filter((k): k is ChipFigure => k !== 'dieCount'),
  'scaleUpDomain',
];
export type Assumed = Partial<Record<AssumableField, number>>;

/** Parse `FIELD=VALUE` items; unknown fields and non-positive or non-finite values throw RangeError. */
export function parseAssume(items: readonly string[]): Assumed {
  const out: Assumed = {};
  for (const item of items) {
    const m = /^([^=]+)=(.*)$/.exec(item.trim());
    if (!m) throw new RangeError(`--assume "${item}": expected FIELD=VALUE`);
    const field = m[1]!;
    if (Object.hasOwn(out, field)) throw new RangeError(`--assume ${field} is given twice`);
    if (!(ASSUMABLE_FIELDS as readonly string[]).includes(field))
      throw new RangeError(`--assume: unknown field "${field}"; known: ${ASSUMABLE_FIELDS.join(', ')}`);
    const v = Number(m[2]);
    if (!Number.isFinite(v) || v <= 0 || v > 1e9)
      throw new RangeError(`--assume ${field}: value must be a positive number up to 1e9, got "${m[2]}"`);
    if (field === 'scaleUpDomain' && !Number.isInteger(v))
      throw new RangeError(`--assume scaleUpDomain: must be a positive integer, got "${m[2]}"`);
    out[field as AssumableField] = v;
  }
  return out;
}

/** Lines naming each user assumption, for the output and the JSON. */
export function assumedLines(a: Assumed): string[] {
  return Object.entries(a).map(([k, v]) => `assumed by the user (--assume): ${k} = ${v}`);
}

/** A copy of the accelerator with the assumed figures replacing the catalogue's. */
/** How far past the catalogue's largest published figure an `--assume` value may go. */
export const ASSUME_HEADROOM = 100;

/**
 * Refuse an `--assume` chip figure more than {@link ASSUME_HEADROOM} x the largest value the
 * catalogue publishes for that figure on any chip (the bound is read from the catalogue, so it moves
 * with it): a typo (TB/s for GB/s, W for kW) or an absurd size gets one line naming the figure, the
 * value and the largest published one, instead of a table of meaningless speeds.
 */
export function checkAssumedPlausible(catalog: Catalog, a: Assumed): void {
  for (const k of Object.keys(a) as AssumableField[]) {
    if (k === 'scaleUpDomain') continue;
    let top = 0;
    let topChip = '';
    for (const acc of catalog.accelerators) {
      const f = acc.figures[k];
      const v = f && !f.notSupported ? figureValue(f, 'high') : null;
      if (v !== null && v > top) {
        top = v;
        topChip = acc.id;
      }
    }
    const v = a[k]!;
    if (top > 0 && v > ASSUME_HEADROOM * top)
      throw new RangeError(
        `--assume ${k}=${v}: over ${ASSUME_HEADROOM} x the largest published ${k} in the catalogue (${top}, ${topChip}); check the unit`,
      );
  }
}

export function withAssumed(acc: Accelerator, a: Assumed): Accelerator {
  const keys = Object.keys(a).filter((k) => k !== 'scaleUpDomain') as (keyof Accelerator['figures'])[];
  if (!keys.length) return acc;
  const figures = { ...acc.figures };
  for (const k of keys) {
    figures[k] = {
      value: a[k as AssumableField]!,
      source: 'assumed by the user (--assume)',
      date: figures[k].date,
      confidence: 'assumption',
      note: 'given with --assume',
    };
  }
  return { ...acc, figures };
}

/** Chips per server board assumed for a chip in no catalogued system (HGX, Atlas 800, MI300X platform: 8). */
export const DEFAULT_BOARD_CHIPS = 8;

/**
 * A `CHIP:N` system name split into the chip and its checked count (a decimal integer from 1 to
 * 1,000,000); null for a catalogue system id (no colon).
 */
export function parseBuiltSystem(spec: string): { chip: string; chips: number } | null {
  const m = /^(.+):([^:]*)$/.exec(spec.trim());
  if (!m) return null;
  const n = /^\d+$/.test(m[2]!) ? Number(m[2]) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > 1_000_000)
    throw new RangeError(`--system ${spec}: chip count must be an integer from 1 to 1,000,000`);
  return { chip: m[1]!, chips: n };
}

/**
 * A system by catalogue id/alias, or `CHIP:N` built from the chip's own figures: N chips, a scale-up
 * domain as large as the largest catalogued scale-up domain of that chip (a system's
 * `scaleUpDomainChips`, else the whole system; else one 8-chip board), scale-out beyond it per chip
 * (the chip's figure, else per chip of a catalogued system's `scaleOutTbps`), power from the chip's
 * TDP plus the overhead fraction. Unknown needed figures are reported by name when the simulation
 * needs them.
 */
export function resolveSystem(
  data: PerfData,
  catalog: Catalog,
  spec: string,
  assume: Assumed = {},
): SystemSpec {
  const notes = assumedLines(assume);
  const built = parseBuiltSystem(spec);
  if (!built) return systemSpec(data, catalog, catalog.getSystem(spec), { assume, notes });
  const acc = catalog.getAccelerator(built.chip);
  const n = built.chips;
  const homes = catalog.systems.filter((s) => s.accelerator === acc.id);
  let largest = 0;
  let largestIn = '';
  for (const h of homes) {
    // A domain smaller than the system is its scaleUpDomainChips; absent, the whole system; unknown, none.
    const d =
      h.figures.scaleUpDomainChips === undefined ? best(h.figures.chips) : best(h.figures.scaleUpDomainChips);
    if (d !== null && d > largest) {
      largest = d;
      largestIn = h.id;
    }
  }
  const domain = assume.scaleUpDomain ?? Math.min(n, largest || DEFAULT_BOARD_CHIPS);
  if (assume.scaleUpDomain === undefined) {
    notes.push(
      largest
        ? `scale-up domain ${domain} chips: up to the largest catalogued ${acc.id} scale-up domain (${largest} chips, ${largestIn})`
        : `scale-up domain ${domain} chips: one ${DEFAULT_BOARD_CHIPS}-chip server board (assumption: no catalogued ${acc.id} scale-up domain)`,
    );
  }
  // Scale-out fallback for a chip without its own figure: the largest-per-chip catalogued system figure.
  let scaleOutFrom: System | undefined;
  let perChip = 0;
  for (const h of homes) {
    const t = best(h.figures.scaleOutTbps);
    const c = best(h.figures.chips);
    if (t !== null && c !== null && t / c > perChip) {
      perChip = t / c;
      scaleOutFrom = h;
    }
  }
  const unknown = (what: string) => ({
    value: null,
    source: `none: built from ${acc.id} figures`,
    date: '2026-11',
    confidence: 'unknown' as const,
    note: what,
  });
  const system: System = {
    id: `${acc.id}:${n}`,
    vendor: acc.vendor,
    name: `${n} x ${acc.name}`,
    aliases: [],
    accelerator: acc.id,
    status: acc.status,
    figures: {
      chips: { value: n, source: `--system ${acc.id}:${n}`, date: '2026-11', confidence: 'derived' },
      allInPowerKW: unknown('all-in power of a system built from a chip'),
    },
  };
  return systemSpec(data, catalog, system, { assume, scaleUpDomain: domain, notes, scaleOutFrom });
}
