/**
 * @module web/sliders
 * The supply parameters the dashboard offers as sliders (scaled by src/web/scale.ts). A module of
 * its own, with no imports, so the page's request can be read from the URL before the supply code loads.
 */
/** Parameters the dashboard offers as sliders: the tornado's leaders and the main capacities. */
export const SLIDER_PARAMS = [
  'cxmt_hbm_stacks_per_quarter',
  'hbm_stockpile_stacks',
  'advanced_packaging_capacity_packages_per_quarter',
  'smic_advanced_capacity_wpm',
  'smic_defect_density_per_cm2',
  'tsmc_die_bank_dies',
  'china_ai_accelerator_demand_usd_per_year',
  'blended_accelerator_asp_usd',
] as const;
