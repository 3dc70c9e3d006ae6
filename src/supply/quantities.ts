/**
 * @module supply/quantities
 * What a target or table measures, as stored flow metrics: a vendor's (or group's) units or
 * value, over the deliveries, the demand, or nothing (a plain annual sum). Vendor ids are the
 * catalogue's, plus all / domestic / imports and `others` (the remaining domestic designers).
 */
import { isVendor, VENDOR_NAMES } from '../catalog/ids.js';
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

/** "Huawei", "Alibaba (T-Head)", "others": the catalogue's vendor names. */
export function vendorLabel(vendor: string): string {
  if (vendor === 'alibaba') return 'Alibaba (T-Head)';
  return isVendor(vendor) ? VENDOR_NAMES[vendor] : vendor;
}

/** Rows of a per-vendor split: each domestic designer, then each imported product. */
export const VENDOR_ROWS: readonly { label: string; vendor: string; metric: Metric; domestic: boolean }[] = [
  { label: vendorLabel('huawei'), vendor: 'huawei', metric: 'huaweiPackages', domestic: true },
  ...OTHER_VENDORS.map((v) => ({
    label: vendorLabel(v.vendor),
    vendor: v.vendor,
    metric: v.metric,
    domestic: true,
  })),
  ...IMPORTS.map((v) => ({ label: v.label, vendor: v.vendor, metric: v.metric, domestic: false })),
];

/** The three shares, defined once (the CLI and the dashboard print these). */
export const METRIC_DEFINITIONS = [
  {
    metric: 'selfSufficiency',
    name: 'Self-sufficiency (headline)',
    definition: 'domestic units / (domestic + imported units delivered in China)',
    publishers:
      'IDC (41% of accelerator cards shipped in 2025, counted after the year); TrendForce forecast it as the imported share of AI servers (63% in 2024, 42% in 2025, May 2025)',
  },
  {
    metric: 'shareOfDemand',
    name: 'Unit share of demand',
    definition: 'domestic units / demand units, demand units = USD demand / blended ASP',
    publishers: 'none directly; the literal reading of "share of demand met"',
  },
  {
    metric: 'valueShare',
    name: 'Value share',
    definition: "domestic value / (domestic + imported value), each vendor's units at its own price per year",
    publishers: 'Bernstein (shares of the market in dollars: Nvidia 66% in 2024, about 8% in 2026)',
  },
] as const;
