/**
 * @module web/supply-metrics
 * What the Supply page shows of a supply result: the rows of its per-year table, and the metrics
 * it reads by quarter and by year. The supply worker summarises only these (`SUPPLY_METRICS`).
 */
import { METRIC_DEFINITIONS, type Metric, type MetricSelection, VENDOR_ROWS } from '../../supply/index.js';

/** Rows of the per-year table: each metric with how its figures read. */
export const ANNUAL_ROWS: readonly { label: string; metric: Metric; kind: 'share' | 'units' | 'usd' }[] = [
  ...METRIC_DEFINITIONS.map((d) => ({ label: d.name, metric: d.metric, kind: 'share' as const })),
  { label: 'Domestic units', metric: 'domesticUnits', kind: 'units' },
  { label: 'Imported units', metric: 'importUnits', kind: 'units' },
  { label: 'Demand units (USD / ASP)', metric: 'demandUnits', kind: 'units' },
  { label: 'Domestic value', metric: 'domesticValueUsd', kind: 'usd' },
  { label: 'Imported value', metric: 'importValueUsd', kind: 'usd' },
  { label: 'Demand (USD)', metric: 'demandUsd', kind: 'usd' },
  { label: 'Domestic H100e (BF16)', metric: 'domesticH100eBf16', kind: 'units' },
];

/** Metrics shown per quarter: the fan charts, the quarterly table and the 2026Q4 cards. */
export const QUARTER_METRICS: readonly Metric[] = ['selfSufficiency', 'domesticUnits', 'shareOfDemand'];

/** What the page summarises: the quarterly metrics, and per year the annual and vendor tables' and the cards'. */
export const SUPPLY_METRICS: MetricSelection = {
  quarters: QUARTER_METRICS,
  years: [
    ...new Set<Metric>([
      ...ANNUAL_ROWS.map((r) => r.metric),
      ...VENDOR_ROWS.map((r) => r.metric),
      'huaweiPackages',
      'valueShare',
    ]),
  ],
};

/** The headline cards' metrics (pages/supply.ts `headline`): 2026Q4 by quarter, 2025 by year. */
export const HEADLINE_METRICS: MetricSelection = {
  quarters: ['selfSufficiency', 'shareOfDemand'],
  years: ['selfSufficiency', 'valueShare', 'huaweiPackages', 'domesticUnits'],
  onlyQuarters: ['2026Q4'],
  onlyYears: [2025],
};
