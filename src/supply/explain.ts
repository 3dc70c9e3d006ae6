/**
 * @module supply/explain
 * Why do estimates of Huawei's 2025 Ascend output differ four-fold (US Commerce about 200k,
 * SemiAnalysis about 805k)? Each figure is reproduced by an "explanation" scenario in
 * data/supply/scenarios.json; this module runs them and reports what each one changes.
 */
import { annual, centralRun, prepareInputs } from './montecarlo.js';
import { isSeries, type SupplyData } from './types.js';
import { SupplyDataError } from './validate.js';

export interface Explanation {
  scenario: string;
  description: string;
  /** The published figure and where it comes from. */
  published: { value: number; source: string };
  /** Huawei packages in 2025 with every parameter at its central value under this scenario. */
  modelled: number;
  /** Modelled / published. */
  ratio: number;
  /** The parameters the scenario sets, with the central value it uses. */
  parameters: { name: string; value: number | number[]; unit: string }[];
}

const PAIRS = [
  { scenario: 'us-commerce-200k', target: 'us-commerce-2025-huawei' },
  { scenario: 'semianalysis-805k', target: 'semianalysis-2025-huawei' },
] as const;

/** Run both explanation scenarios at central values and compare with the published figures. */
export function explainHuawei2025(data: SupplyData): Explanation[] {
  return PAIRS.map(({ scenario, target }) => {
    const s = data.scenarios[scenario];
    const pub = data.targets.find((t) => t.id === target);
    if (!s)
      throw new SupplyDataError(`scenarios.json lacks the explanation scenario "${scenario}"`, 'scenario');
    if (!pub) throw new SupplyDataError(`targets.json lacks ${target}`, target);
    const run = centralRun(prepareInputs(data, scenario));
    const modelled = annual(run, 'huaweiPackages', 2025)[0];
    const parameters = Object.entries(s.overrides).map(([name, e]) =>
      isSeries(e)
        ? {
            name,
            value: Object.values(e.by_period).map((p) => p.value),
            unit: Object.values(e.by_period)[0].unit,
          }
        : { name, value: e.value, unit: e.unit },
    );
    return {
      scenario,
      description: s.description,
      published: { value: pub.value, source: pub.source },
      modelled,
      ratio: modelled / pub.value,
      parameters,
    };
  });
}
