/**
 * @module supply/registry
 * The parameters the engine reads, by name, and the vendors and products it tracks. Names carry
 * their units; the suffix `_fraction` means the value must lie in [0, 1]. Series vary by quarter;
 * scalars do not. Vendor ids are the catalogue's (`data/accelerators.json`), plus `others` for
 * the remaining domestic designers as one group; peak throughput comes from the catalogue by chip id.
 */

export const SCALAR_PARAMS = [
  'huawei_share_of_ai_wafers_fraction',
  'wafer_diameter_mm',
  'edge_exclusion_mm',
  'scribe_lane_mm',
  'huawei_die_area_mm2',
  'other_vendors_die_area_mm2',
  'other_vendors_dies_per_package',
  'tsmc_die_bank_dies',
  'tsmc_defect_density_per_cm2',
  'yield_relative_to_tsmc_fraction',
  'negbin_clustering_alpha',
  'packaging_yield_fraction',
  'hbm_stockpile_stacks',
  'hbm_stockpile_2024q4_fraction',
  'huawei_hbm_stacks_per_die',
  'other_vendors_hbm_stacks_per_package',
  'cambricon_weight_fraction',
  'kunlunxin_weight_fraction',
  'thead_weight_fraction',
  'metax_weight_fraction',
  'hygon_weight_fraction',
  'others_weight_fraction',
  'unknown_peak_bf16_dense_tflops_per_package',
  'blended_accelerator_asp_usd',
] as const;

export const SERIES_PARAMS = [
  'smic_advanced_capacity_wpm',
  'smic_ai_accelerator_share_fraction',
  'huawei_own_fab_capacity_wpm',
  'huawei_dies_per_package',
  'smic_defect_density_per_cm2',
  'tsmc_die_bank_draw_fraction_per_quarter',
  'cxmt_hbm_stacks_per_quarter',
  'advanced_packaging_capacity_packages_per_quarter',
  'nvidia_h20_units_to_china_per_quarter',
  'nvidia_h200_units_to_china_per_quarter',
  'nvidia_other_units_to_china_per_quarter',
  'amd_units_to_china_per_quarter',
  'china_ai_accelerator_demand_usd_per_year',
  'huawei_910b_price_usd',
  'huawei_910c_price_usd',
  'cambricon_price_usd',
  'kunlunxin_price_usd',
  'thead_price_usd',
  'metax_price_usd',
  'hygon_price_usd',
  'others_price_usd',
  'nvidia_h20_price_usd',
  'nvidia_h200_price_usd',
  'nvidia_other_price_usd',
  'amd_price_usd',
] as const;

export type ScalarParam = (typeof SCALAR_PARAMS)[number];
export type SeriesParam = (typeof SERIES_PARAMS)[number];

/** Parameters that must be strictly positive (they divide something). */
export const POSITIVE_PARAMS: ReadonlySet<string> = new Set([
  'wafer_diameter_mm',
  'huawei_die_area_mm2',
  'other_vendors_die_area_mm2',
  'other_vendors_dies_per_package',
  'huawei_dies_per_package',
  'negbin_clustering_alpha',
  'blended_accelerator_asp_usd',
]);

/**
 * Non-Huawei domestic designers, in display order. `key` prefixes their parameters
 * (`<key>_weight_fraction`, `<key>_price_usd`); `vendor` is the catalogue's vendor id (`others` is
 * not in the catalogue); `chip` is the catalogue id whose peak counts their output (null: unknown).
 */
export const OTHER_VENDORS = [
  { key: 'cambricon', vendor: 'cambricon', metric: 'cambriconUnits', chip: 'mlu590' },
  { key: 'kunlunxin', vendor: 'kunlunxin', metric: 'kunlunxinUnits', chip: 'kunlunxin-p800' },
  { key: 'thead', vendor: 'alibaba', metric: 'theadUnits', chip: 't-head-ppu' },
  { key: 'metax', vendor: 'metax', metric: 'metaxUnits', chip: 'metax-c500' },
  { key: 'hygon', vendor: 'hygon', metric: 'hygonUnits', chip: 'hygon-k100-ai' },
  { key: 'others', vendor: 'others', metric: 'otherDomesticUnits', chip: null },
] as const;

/** Huawei's two packages (catalogue ids): one-die 910B and two-die 910C. */
export const HUAWEI_CHIPS = { b: 'ascend-910b', c: 'ascend-910c' } as const;

/** Imported products, each with its units and price series and its catalogue chip (null: not catalogued). */
export const IMPORTS = [
  { key: 'nvidia_h20', label: 'Nvidia H20', vendor: 'nvidia', metric: 'h20Units', chip: 'h20' },
  { key: 'nvidia_h200', label: 'Nvidia H200', vendor: 'nvidia', metric: 'h200Units', chip: 'h200-sxm' },
  { key: 'nvidia_other', label: 'Nvidia other', vendor: 'nvidia', metric: 'nvidiaOtherUnits', chip: null },
  { key: 'amd', label: 'AMD', vendor: 'amd', metric: 'amdUnits', chip: null },
] as const;

/** The reference for H100-equivalents. */
export const REFERENCE_CHIP = 'h100-sxm';

/** Every catalogue chip the model reads a peak for. */
export const CATALOGUE_CHIPS: readonly string[] = [
  REFERENCE_CHIP,
  HUAWEI_CHIPS.b,
  HUAWEI_CHIPS.c,
  ...OTHER_VENDORS.flatMap((v) => (v.chip ? [v.chip] : [])),
  ...IMPORTS.flatMap((v) => (v.chip ? [v.chip] : [])),
];

/** Vendor ids the model reports units for: catalogue ids plus `others`. */
export const VENDORS = ['huawei', ...OTHER_VENDORS.map((v) => v.vendor), 'nvidia', 'amd'] as const;
export type Vendor = (typeof VENDORS)[number];

/** Groups a target or table can name besides a vendor. */
export const GROUPS = ['all', 'domestic', 'imports'] as const;
