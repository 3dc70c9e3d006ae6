/**
 * @module web/supply-worker
 * The Supply page's Web Worker: the supply Monte Carlo, the tornado and the "what must be true"
 * search. Its own small bundle (src/supply and the data set prepared by the build, no perf or
 * quantization code), so it starts quickly; the page starts it at navigation (supply-state.ts).
 */
import SUPPLY_DATA from 'chipstack:supply-data';
import {
  CLAIMS,
  mustBeTrue,
  type SupplySamples,
  sampleSupply,
  supplyResult,
  tornado,
} from '../../supply/index.js';
import { scaledOverrides } from '../../web/scale.js';
import { serve } from './serve.js';
import { HEADLINE_METRICS, SUPPLY_METRICS } from './supply-metrics.js';
import type { SupplyRequest, SupplyTaskName } from './tasks.js';

const data = SUPPLY_DATA;

/** The last request's runs, kept from its headline answer to its full one (then dropped). */
let kept: { key: string; sampled: SupplySamples } | null = null;

function sampled({ scenario, runs, seed, factors }: SupplyRequest): SupplySamples {
  const key = JSON.stringify([scenario, runs, seed, factors]);
  if (kept?.key === key) return kept.sampled;
  const s = sampleSupply(data, { scenario, runs, seed, overrides: scaledOverrides(data, scenario, factors) });
  kept = { key, sampled: s };
  return s;
}

serve<SupplyTaskName>({
  supplyHeadline(req) {
    return supplyResult(sampled(req), HEADLINE_METRICS);
  },
  supply(req) {
    const s = sampled(req);
    kept = null;
    return supplyResult(s, SUPPLY_METRICS);
  },
  tornado({ scenario, runs, seed, factors }) {
    return tornado(data, { scenario, runs, seed, overrides: scaledOverrides(data, scenario, factors) });
  },
  mustBeTrue({ scenario, runs, seed }) {
    return CLAIMS.map((c) => mustBeTrue(data, c, { scenario, runs, seed }));
  },
});
