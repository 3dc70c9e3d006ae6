/**
 * @module supply/registry
 * The parameters the engine reads, by name. Names carry their units; the suffix `_fraction`
 * means the value must lie in [0, 1]. Series vary by quarter; scalars do not.
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
  'hygon_weight_fraction',
  'kunlunxin_weight_fraction',
  'metax_weight_fraction',
  'thead_weight_fraction',
  'h100_bf16_dense_tflops',
  'h100_fp8_dense_tflops',
  'huawei_die_bf16_dense_tflops',
  'huawei_die_fp8_dense_tflops',
  'other_vendors_bf16_dense_tflops_per_package',
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
  'nvidia_units_to_china_per_quarter',
  'nvidia_china_unit_bf16_dense_tflops',
  'nvidia_china_unit_fp8_dense_tflops',
  'china_ai_accelerator_demand_usd_per_year',
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
  'h100_bf16_dense_tflops',
  'h100_fp8_dense_tflops',
  'blended_accelerator_asp_usd',
]);

/** Non-Huawei designers, in display order; each has a `<vendor>_weight_fraction`. */
export const OTHER_VENDORS = ['cambricon', 'hygon', 'kunlunxin', 'metax', 'thead'] as const;
export const VENDORS = ['huawei', ...OTHER_VENDORS] as const;
export type Vendor = (typeof VENDORS)[number];
