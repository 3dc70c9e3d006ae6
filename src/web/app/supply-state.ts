/**
 * @module web/supply-state
 * The Supply page's request, read from the URL: scenario, runs, seed and slider factors. The
 * router reads it at navigation and sends the first Monte Carlo to the supply worker while the
 * page's code loads (`startSupply`: this module imports nothing heavy); the page reads the same
 * state and its identical request takes that answer.
 */
import { SLIDER_PARAMS } from '../../web/sliders.js';
import { prefetch } from './client.js';
import { current } from './state.js';
import type { SupplyRequest } from './tasks.js';

/** The run counts offered; the default is runSupply's own (10,000). */
export const RUNS = ['2000', '5000', '10000', '20000', '50000'];
export const DEFAULT_RUNS = '10000';

/** The page's request from the URL, and what in the link is not valid (kept as given, by parameter). */
export interface SupplyState {
  req: SupplyRequest;
  problems: Map<string, string>;
}

/**
 * The page's request from the URL. A value that is not valid is kept as given and listed in
 * `problems` (the page shows it and runs nothing until it is fixed); without `scenarios` (at
 * navigation, before the data is loaded) the scenario is not checked.
 */
export function supplyState(scenarios?: readonly string[]): SupplyState {
  const params = current().params;
  const problems = new Map<string, string>();
  const scenario = params.get('scenario') ?? 'baseline';
  if (scenarios && !scenarios.includes(scenario))
    problems.set(
      'scenario',
      `scenario "${scenario}" (from the link) is not one of the ${scenarios.length} scenarios`,
    );
  const runsRaw = params.get('runs') ?? DEFAULT_RUNS;
  if (!RUNS.includes(runsRaw))
    problems.set('runs', `runs "${runsRaw}" (from the link) is not one of ${RUNS.join(', ')}`);
  const seedRaw = params.get('seed') ?? '1';
  const seed = Number(seedRaw);
  if (!(seedRaw.trim() !== '' && Number.isInteger(seed) && seed >= 0 && seed <= 2 ** 31))
    problems.set('seed', `seed "${seedRaw}" (from the link) must be a whole number from 0 to 2^31`);
  const factors: Record<string, number> = {};
  for (const p of SLIDER_PARAMS) {
    const raw = params.get(p);
    factors[p] = raw === null ? 1 : Number(raw);
    if (raw !== null && !(raw.trim() !== '' && factors[p]! >= 0.25 && factors[p]! <= 4))
      problems.set(p, `${p} "${raw}" (from the link) must be a factor from 0.25 to 4`);
  }
  return { req: { scenario, runs: Number(runsRaw), seed, factors }, problems };
}

let startedAt = 0;

/** When `startSupply` last sent the first request (page clock, ms). */
export const supplyStartedAt = (): number => startedAt;

/** At navigation: start the supply worker on the page's first request (the page takes its answer). */
export function startSupply(): void {
  startedAt = performance.now();
  const { req, problems } = supplyState();
  if (problems.size > 0) return; // the page shows them; nothing runs until they are fixed
  prefetch('supplyHeadline', req);
  prefetch('supply', req);
}
