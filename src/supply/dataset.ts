/**
 * @module supply/dataset
 * Building the model's data from parsed JSON files (pure: the Node loader or a browser fetch
 * supplies the objects) and applying a scenario's overrides.
 */
// the catalogue's modules, not its index: the supply worker's bundle then leaves out the catalogue's validation (ajv)
import { figureValue } from '../catalog/figure.js';
import { isVendor } from '../catalog/ids.js';
import type { Catalog } from '../catalog/index.js';
import { targetQuantity } from './quantities.js';
import { periodStart } from './quarters.js';
import { CATALOGUE_CHIPS, GROUPS, OTHER_VENDORS, VENDORS } from './registry.js';
import {
  type ChipFacts,
  type Entry,
  isSeries,
  type Param,
  type ParameterFile,
  type Scenario,
  type ScenarioFile,
  type Series,
  type Settings,
  type SupplyData,
  TARGET_METRICS,
  type Target,
  type YieldModel,
} from './types.js';
import { SupplyDataError, validateData } from './validate.js';

/** Files with these names are not parameter files. */
const SPECIAL = new Set(['schema.json', 'scenarios.json', 'targets.json']);

/**
 * The peaks of the chips the model counts, read from the catalogue (the one source of chip facts).
 * Throws when a chip is missing or its vendor is not the one the model files it under.
 */
export function chipFacts(catalog: Catalog): Record<string, ChipFacts> {
  const out: Record<string, ChipFacts> = {};
  const vendorOf = new Map<string, string>([
    ['ascend-910b', 'huawei'],
    ['ascend-910c', 'huawei'],
    ['h100-sxm', 'nvidia'],
    ['h20', 'nvidia'],
    ['h200-sxm', 'nvidia'],
    ...OTHER_VENDORS.flatMap((v) => (v.chip ? [[v.chip, v.vendor] as [string, string]] : [])),
  ]);
  for (const id of CATALOGUE_CHIPS) {
    let a: ReturnType<Catalog['getAccelerator']>;
    try {
      a = catalog.getAccelerator(id);
    } catch {
      throw new SupplyDataError(`catalogue has no accelerator "${id}" (needed by the supply model)`, id);
    }
    if (a.vendor !== vendorOf.get(id))
      throw new SupplyDataError(
        `catalogue lists ${id} under ${a.vendor}, supply expects ${vendorOf.get(id)}`,
        id,
      );
    const bf16 = figureValue(a.figures.bf16DenseTflops, 'best');
    const fp8 = a.figures.fp8DenseTflops.notSupported
      ? bf16
      : (figureValue(a.figures.fp8DenseTflops, 'best') ?? bf16);
    out[id] = {
      id,
      vendor: a.vendor,
      name: a.name,
      bf16DenseTflops: bf16,
      fp8DenseTflops: fp8,
      source: a.figures.bf16DenseTflops.source,
    };
  }
  if (!out['h100-sxm']?.bf16DenseTflops || !out['h100-sxm'].fp8DenseTflops)
    throw new SupplyDataError('catalogue h100-sxm needs BF16 and FP8 dense peaks', 'h100-sxm');
  for (const v of VENDORS)
    if (v !== 'others' && !isVendor(v))
      throw new SupplyDataError(`vendor ${v} is not a catalogue vendor id`, v);
  return out;
}

/** Check targets.json's list: known metric, vendor, year, unique ids, scenarios that exist. */
function readTargets(raw: unknown, scenarios: Record<string, unknown>): Target[] {
  if (raw === undefined) return [];
  const list = (raw as { targets?: unknown }).targets;
  if (!Array.isArray(list)) throw new SupplyDataError('targets.json has no "targets" list');
  const seen = new Set<string>();
  const vendors = new Set<string>([...VENDORS, ...GROUPS]);
  for (const t of list as Target[]) {
    if (!t || typeof t.id !== 'string') throw new SupplyDataError('targets.json: a target has no id');
    if (seen.has(t.id)) throw new SupplyDataError(`targets.json: duplicate id ${t.id}`, t.id);
    seen.add(t.id);
    if (!TARGET_METRICS.includes(t.metric))
      throw new SupplyDataError(`target ${t.id}: unknown metric "${t.metric}"`, t.id);
    if (!vendors.has(t.vendor))
      throw new SupplyDataError(`target ${t.id}: unknown vendor "${t.vendor}"`, t.id);
    try {
      targetQuantity(t.metric, t.vendor);
    } catch (err) {
      throw new SupplyDataError(`target ${t.id}: ${(err as Error).message}`, t.id);
    }
    if (!Number.isInteger(t.year) || t.year < 2024 || t.year > 2027)
      throw new SupplyDataError(`target ${t.id}: year must be 2024-2027`, t.id);
    if (!(typeof t.value === 'number' && Number.isFinite(t.value) && t.value >= 0))
      throw new SupplyDataError(`target ${t.id}: value must be a finite number ≥ 0`, t.id);
    if (t.metric !== 'units' && t.value > 1)
      throw new SupplyDataError(`target ${t.id}: a share must be ≤ 1`, t.id);
    for (const s of [t.scenario, t.explained_by])
      if (s !== undefined && !Object.hasOwn(scenarios, s))
        throw new SupplyDataError(`target ${t.id}: unknown scenario "${s}"`, t.id);
  }
  return list as Target[];
}

/**
 * Merge parsed data files (keyed by file name, e.g. `fab.json`) into one data set and validate it.
 * Needs `scenarios.json`; `targets.json` is optional; `schema.json` is ignored. Chip peaks and
 * vendor ids come from `catalog`.
 */
export function dataFromFiles(files: Record<string, unknown>, catalog: Catalog): SupplyData {
  const parameters: Record<string, Entry> = {};
  const origin: Record<string, string> = {};
  for (const file of Object.keys(files).sort()) {
    if (SPECIAL.has(file)) continue;
    const f = files[file] as ParameterFile;
    if (!f || typeof f.parameters !== 'object') throw new SupplyDataError(`${file}: no "parameters" object`);
    for (const [name, e] of Object.entries(f.parameters)) {
      if (Object.hasOwn(origin, name))
        throw new SupplyDataError(`parameter ${name} is defined in both ${origin[name]} and ${file}`, name);
      if (!e || typeof e.label !== 'string' || e.label.length < 3)
        throw new SupplyDataError(
          `parameter ${name} (${file}) needs a "label": plain words with the unit`,
          name,
        );
      parameters[name] = e;
      origin[name] = file;
    }
  }
  const sf = files['scenarios.json'] as ScenarioFile | undefined;
  if (!sf || typeof sf.scenarios !== 'object')
    throw new SupplyDataError('scenarios.json is missing or has no "scenarios"');
  const data: SupplyData = {
    parameters,
    origin,
    baseSettings: sf.base_settings ?? {},
    scenarios: sf.scenarios,
    targets: readTargets(files['targets.json'], sf.scenarios),
    chips: chipFacts(catalog),
  };
  validateData(data);
  return data;
}

/** A parameter's label: plain words with the unit, given once on the base parameter. */
export function labelOf(data: SupplyData, name: string): string {
  const e = Object.hasOwn(data.parameters, name) ? data.parameters[name] : undefined;
  if (!e) throw new SupplyDataError(`unknown parameter ${name}`, name);
  return e.label ?? name;
}

/** A scenario applied: the parameters with overrides merged, and the effective settings. */
export interface ResolvedScenario {
  name: string;
  scenario: Scenario;
  parameters: Record<string, Entry>;
  settings: { yield_model: YieldModel };
}

/** Names of the scenarios, baseline first. */
export function scenarioNames(data: SupplyData): string[] {
  return ['baseline', ...Object.keys(data.scenarios).filter((n) => n !== 'baseline')];
}

/** Look a scenario up (clear error listing the known ones) and merge its overrides. */
export function resolveScenario(
  data: SupplyData,
  name: string,
  extra?: Record<string, Entry>,
): ResolvedScenario {
  const scenario = Object.hasOwn(data.scenarios, name) ? data.scenarios[name] : undefined;
  if (!scenario) {
    throw new SupplyDataError(
      `unknown scenario "${name}"; known: ${scenarioNames(data).join(', ')}`,
      'scenario',
    );
  }
  const parameters = { ...data.parameters };
  const apply = (overrides: Record<string, Entry>) => {
    for (const [p, e] of Object.entries(overrides)) {
      if (!Object.hasOwn(parameters, p)) throw new SupplyDataError(`override of unknown parameter ${p}`, p);
      parameters[p] = mergeEntry(parameters[p], e);
    }
  };
  apply(scenario.overrides);
  if (extra) apply(extra);
  const settings: Settings = { ...data.baseSettings, ...scenario.settings };
  return { name, scenario, parameters, settings: { yield_model: settings.yield_model ?? 'murphy' } };
}

/**
 * Override semantics: a scalar replaces the entry. A series replaces the base series from its
 * earliest period onward; base periods before that are kept.
 */
export function mergeEntry(base: Entry, over: Entry): Entry {
  if (!isSeries(over)) return over;
  const basePeriods: Record<string, Param> = isSeries(base) ? base.by_period : { '2024': base };
  const cut = Math.min(...Object.keys(over.by_period).map(periodStart));
  const by_period: Record<string, Param> = {};
  for (const [p, v] of Object.entries(basePeriods)) if (periodStart(p) < cut) by_period[p] = v;
  Object.assign(by_period, over.by_period);
  const merged: Series = { by_period };
  const note = over.note ?? (isSeries(base) ? base.note : undefined);
  if (note !== undefined) merged.note = note;
  return merged;
}
