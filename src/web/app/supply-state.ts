/**
 * @module web/supply-state
 * The Supply page's request, read from the URL: scenario, runs, seed and slider factors. The
 * router reads it at navigation and sends the first Monte Carlo to the supply worker while the
 * page's code loads (`startSupply`: this module imports nothing heavy); the page reads the same
 * state and its identical request takes that answer.
 */
import { SLIDER_PARAMS } from '../../web/sliders.js';
import { prefetch } from './client.js';
import { getNumber, getString } from './state.js';
import type { SupplyRequest } from './tasks.js';

/** The run counts offered; the default is runSupply's own (10,000). */
export const RUNS = ['2000', '5000', '10000', '20000', '50000'];
export const DEFAULT_RUNS = '10000';

/**
 * The page's request from the URL (values outside the allowed ones fall back to the defaults);
 * without `scenarios` (at navigation, before the data is loaded) the scenario is taken as given.
 */
export function supplyState(scenarios?: readonly string[]): SupplyRequest {
  const factors: Record<string, number> = {};
  for (const p of SLIDER_PARAMS) factors[p] = getNumber(p, 1, 0.25, 4);
  return {
    scenario: getString('scenario', 'baseline', scenarios),
    runs: Number(getString('runs', DEFAULT_RUNS, RUNS)),
    seed: getNumber('seed', 1, 0, 2 ** 31),
    factors,
  };
}

let startedAt = 0;

/** When `startSupply` last sent the first request (page clock, ms). */
export const supplyStartedAt = (): number => startedAt;

/** At navigation: start the supply worker on the page's first request (the page takes its answer). */
export function startSupply(): void {
  startedAt = performance.now();
  const req = supplyState();
  prefetch('supplyHeadline', req);
  prefetch('supply', req);
}
