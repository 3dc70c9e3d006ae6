/**
 * @module web/supply-worker
 * The Supply page's Web Worker: the supply Monte Carlo, the tornado and the "what must be true"
 * search. Its own small bundle (src/supply and the data set prepared by the build, no perf or
 * quantization code), so it starts quickly; the page starts it at navigation (supply-state.ts).
 */
import SUPPLY_DATA from 'chipstack:supply-data';
import { CLAIMS, mustBeTrue, runSupply, tornado } from '../../supply/index.js';
import { scaledOverrides } from '../../web/scale.js';
import { serve } from './serve.js';
import { SUPPLY_METRICS } from './supply-metrics.js';
import type { SupplyTaskName } from './tasks.js';

const data = SUPPLY_DATA;

serve<SupplyTaskName>({
  supply({ scenario, runs, seed, factors }) {
    const overrides = scaledOverrides(data, scenario, factors);
    return runSupply(data, { scenario, runs, seed, overrides, metrics: SUPPLY_METRICS });
  },
  tornado({ scenario, runs, seed, factors }) {
    return tornado(data, { scenario, runs, seed, overrides: scaledOverrides(data, scenario, factors) });
  },
  mustBeTrue({ scenario, runs, seed }) {
    return CLAIMS.map((c) => mustBeTrue(data, c, { scenario, runs, seed }));
  },
});
