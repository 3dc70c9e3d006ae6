/**
 * @module supply/dataset
 * Building the model's data from parsed JSON files (pure: the Node loader or a browser fetch
 * supplies the objects) and applying a scenario's overrides.
 */
import { periodStart } from './quarters.js';
import {
  type Entry,
  isSeries,
  type Param,
  type ParameterFile,
  type Scenario,
  type ScenarioFile,
  type Series,
  type Settings,
  type SupplyData,
  type YieldModel,
} from './types.js';
import { SupplyDataError, validateData } from './validate.js';

/** Files with these names are not parameter files. */
const SPECIAL = new Set(['schema.json', 'scenarios.json', 'validation.json']);

/**
 * Merge parsed data files (keyed by file name, e.g. `fab.json`) into one data set and validate it.
 * Needs `scenarios.json`; `validation.json` is optional; `schema.json` is ignored.
 */
export function dataFromFiles(files: Record<string, unknown>): SupplyData {
  const parameters: Record<string, Entry> = {};
  const origin: Record<string, string> = {};
  for (const file of Object.keys(files).sort()) {
    if (SPECIAL.has(file)) continue;
    const f = files[file] as ParameterFile;
    if (!f || typeof f.parameters !== 'object') throw new SupplyDataError(`${file}: no "parameters" object`);
    for (const [name, e] of Object.entries(f.parameters)) {
      if (origin[name])
        throw new SupplyDataError(`parameter ${name} is defined in both ${origin[name]} and ${file}`, name);
      parameters[name] = e;
      origin[name] = file;
    }
  }
  const sf = files['scenarios.json'] as ScenarioFile | undefined;
  if (!sf || typeof sf.scenarios !== 'object')
    throw new SupplyDataError('scenarios.json is missing or has no "scenarios"');
  const vf = files['validation.json'] as ParameterFile | undefined;
  const validation: Record<string, Param> = {};
  for (const [name, e] of Object.entries(vf?.parameters ?? {})) if (!isSeries(e)) validation[name] = e;
  const data: SupplyData = {
    parameters,
    origin,
    baseSettings: sf.base_settings ?? {},
    scenarios: sf.scenarios,
    validation,
  };
  validateData(data);
  return data;
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
  const scenario = data.scenarios[name];
  if (!scenario) {
    throw new SupplyDataError(
      `unknown scenario "${name}"; known: ${scenarioNames(data).join(', ')}`,
      'scenario',
    );
  }
  const parameters = { ...data.parameters };
  const apply = (overrides: Record<string, Entry>) => {
    for (const [p, e] of Object.entries(overrides)) {
      if (!parameters[p]) throw new SupplyDataError(`override of unknown parameter ${p}`, p);
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
