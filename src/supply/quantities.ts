/**
 * @module supply/quantities
 * What a target or table measures, as stored flow metrics: a vendor's (or group's) units or
 * value, over the deliveries, the demand, or nothing (a plain annual sum). Vendor ids are the
 * catalogue's, plus all / domestic / imports and `others` (the remaining domestic designers).
 */
import type { Metric } from './engine.js';
import { IMPORTS, OTHER_VENDORS } from './registry.js';
import type { TargetMetric } from './types.js';
import { SupplyDataError } from './validate.js';

/** Flow metrics counting each vendor's or group's units. */
export const UNITS_OF: Readonly<Record<string, readonly Metric[]>> = {
  all: ['domesticUnits', 'importUnits'],
  domestic: ['domesticUnits'],
  imports: ['importUnits'],
  huawei: ['huaweiPackages'],
  ...Object.fromEntries(OTHER_VENDORS.map((v) => [v.vendor, [v.metric]])),
  nvidia: IMPORTS.filter((v) => v.vendor === 'nvidia').map((v) => v.metric),
  amd: ['amdUnits'],
};

/** Flow metrics counting value (USD) for the groups the model prices separately. */
export const VALUE_OF: Readonly<Record<string, readonly Metric[]>> = {
  all: ['domesticValueUsd', 'importValueUsd'],
  domestic: ['domesticValueUsd'],
  imports: ['importValueUsd'],
  nvidia: ['nvidiaValueUsd'],
};

/** A target's quantity as Σnum / Σden over a year (den empty: a plain annual sum). */
export function targetQuantity(metric: TargetMetric, vendor: string): { num: Metric[]; den: Metric[] } {
  const units = Object.hasOwn(UNITS_OF, vendor) ? [...UNITS_OF[vendor]] : undefined;
  const value = Object.hasOwn(VALUE_OF, vendor) ? [...VALUE_OF[vendor]] : undefined;
  const need = <T>(x: T | undefined, what: string): T => {
    if (!x) throw new SupplyDataError(`metric ${metric} is not available for vendor "${vendor}" (${what})`);
    return x;
  };
  switch (metric) {
    case 'units':
      return { num: need(units, 'no unit count'), den: [] };
    case 'selfSufficiency':
      return { num: need(units, 'no unit count'), den: ['domesticUnits', 'importUnits'] };
    case 'shareOfDemand':
      return { num: need(units, 'no unit count'), den: ['demandUnits'] };
    case 'valueShare':
      return { num: need(value, 'valued only for all, domestic, imports, nvidia'), den: [...VALUE_OF.all] };
    case 'valueShareOfDemand':
      return { num: need(value, 'valued only for all, domestic, imports, nvidia'), den: ['demandUsd'] };
  }
}
