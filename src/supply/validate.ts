/**
 * @module supply/validate
 * Load-time checks on the supply data: every triplet ordered and finite, no negative quantity,
 * fractions within [0, 1], the engine's parameters present with the right shape, and scenario
 * overrides naming real parameters. Errors name the parameter.
 */
import { periodStart, QUARTER_COUNT } from './quarters.js';
import { POSITIVE_PARAMS, SCALAR_PARAMS, SERIES_PARAMS } from './registry.js';
import { type Entry, isSeries, type Param, type SupplyData, YIELD_MODELS } from './types.js';

/** Bad supply data or an unknown scenario; `parameter` names the culprit when there is one. */
export class SupplyDataError extends Error {
  override readonly name = 'SupplyDataError';
  constructor(
    message: string,
    readonly parameter?: string,
  ) {
    super(message);
  }
}

/** Check one triplet; `label` is how the error names it, e.g. `smic_advanced_capacity_wpm[2025]`. */
export function checkParam(name: string, label: string, p: Param): void {
  for (const k of ['low', 'value', 'high'] as const) {
    const v = p[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new SupplyDataError(`parameter ${label}: ${k} must be a finite number, got ${String(v)}`, name);
    }
    if (v < 0) {
      throw new SupplyDataError(
        `parameter ${label}: ${k} = ${v} is negative; a ${p.unit} quantity cannot be`,
        name,
      );
    }
    if (name.endsWith('_fraction') && v > 1) {
      throw new SupplyDataError(
        `parameter ${label}: ${k} = ${v} is above 1; a fraction (yield, share) must be ≤ 1`,
        name,
      );
    }
    if (POSITIVE_PARAMS.has(name) && v === 0) {
      throw new SupplyDataError(`parameter ${label}: ${k} must be > 0`, name);
    }
  }
  if (!(p.low <= p.value && p.value <= p.high)) {
    throw new SupplyDataError(
      `parameter ${label}: need low ≤ value ≤ high, got ${p.low} / ${p.value} / ${p.high}`,
      name,
    );
  }
  if (p.dist === 'lognormal' && p.low <= 0) {
    throw new SupplyDataError(`parameter ${label}: a log-normal needs low > 0`, name);
  }
}

/** Check every triplet of an entry (scalar or series). */
export function checkEntry(name: string, e: Entry, where = ''): void {
  if (!isSeries(e)) {
    checkParam(name, `${name}${where}`, e);
    return;
  }
  const periods = Object.keys(e.by_period);
  if (periods.length === 0)
    throw new SupplyDataError(`parameter ${name}${where}: series has no periods`, name);
  for (const period of periods) {
    try {
      periodStart(period);
    } catch {
      throw new SupplyDataError(
        `parameter ${name}${where}: "${period}" is not a period (YYYY or YYYYQn)`,
        name,
      );
    }
    checkParam(name, `${name}${where}[${period}]`, e.by_period[period]);
  }
}

/** Validate the whole data set; throws SupplyDataError at the first problem. */
export function validateData(data: SupplyData): void {
  for (const [name, e] of Object.entries(data.parameters)) checkEntry(name, e);
  for (const name of SCALAR_PARAMS) {
    const e = Object.hasOwn(data.parameters, name) ? data.parameters[name] : undefined;
    if (!e) throw new SupplyDataError(`parameter ${name} is missing from data/supply`, name);
    if (isSeries(e))
      throw new SupplyDataError(`parameter ${name} must be a single triplet, not a series`, name);
  }
  for (const name of SERIES_PARAMS) {
    const e = Object.hasOwn(data.parameters, name) ? data.parameters[name] : undefined;
    if (!e) throw new SupplyDataError(`parameter ${name} is missing from data/supply`, name);
    if (isSeries(e) && Math.min(...Object.keys(e.by_period).map(periodStart)) > 0) {
      throw new SupplyDataError(`parameter ${name}: series must start at or before 2024Q1`, name);
    }
  }
  if (!data.scenarios.baseline) throw new SupplyDataError('scenarios.json has no "baseline" scenario');
  checkSettings('base_settings', data.baseSettings);
  for (const [sname, s] of Object.entries(data.scenarios)) {
    checkSettings(`scenario ${sname}`, s.settings ?? {});
    for (const [name, e] of Object.entries(s.overrides)) {
      if (!Object.hasOwn(data.parameters, name)) {
        throw new SupplyDataError(`scenario ${sname} overrides unknown parameter ${name}`, name);
      }
      checkEntry(name, e, ` (scenario ${sname})`);
      if (isSeries(e) && Math.max(...Object.keys(e.by_period).map(periodStart)) >= QUARTER_COUNT) {
        throw new SupplyDataError(`scenario ${sname}: override of ${name} starts after 2027Q4`, name);
      }
    }
  }
}

function checkSettings(where: string, s: { yield_model?: string }): void {
  if (s.yield_model !== undefined && !YIELD_MODELS.includes(s.yield_model as never)) {
    throw new SupplyDataError(
      `${where}: yield_model "${s.yield_model}" is not one of ${YIELD_MODELS.join(', ')}`,
      'yield_model',
    );
  }
}
