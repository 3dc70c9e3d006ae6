/**
 * @module web/tco
 * The Compare page's cost of ownership per chip, from one simulated setup and four editable
 * assumptions. perf (`inferenceEnergy`) prices a chip at full use over the data's lifetime; this
 * view lets the share of hours spent serving and the amortisation period vary:
 *
 *   average wall W   = u x serving wall W + (1 - u) x idle wall W
 *   J/token          = average wall W / (tokens/s per chip x u)
 *   capital $/h      = capital per chip / (lifetime years x 8760)      (a rental rate is kept as is)
 *   electricity $/h  = average wall W / 1000 x USD/kWh                 (0 for a rental: it pays for power)
 *   $/Mtok           = (capital $/h + electricity $/h) / (tokens/s per chip x 3600 x u / 10^6)
 *
 * With u = 1 and perf's lifetime it gives perf's own J/token and $/Mtok (tested).
 */

export interface TcoInput {
  /** Simulated tokens/s per chip while serving. */
  tokensPerSecPerChip: number;
  /** Per chip at the wall while serving (chip + overhead) x PUE, W (perf's `wallW`). */
  servingWallW: number;
  /** Per chip at the wall when idle: (idle chip power + overhead) x PUE, W. */
  idleWallW: number;
  /** perf's price per chip-hour (capital over `lifetimeYears0`, or a rental rate), or null when unknown. */
  usdPerChipHour: number | null;
  rental: boolean;
  /** The lifetime perf amortised over (data/perf/energy.json). */
  lifetimeYears0: number;
}

export interface TcoAssumptions {
  electricityUsdPerKWh: number;
  /** Share of hours spent serving at the simulated throughput, 0 < u <= 1. */
  utilisation: number;
  lifetimeYears: number;
}

export interface TcoResult {
  averageWallW: number;
  joulesPerToken: number;
  capitalUsdPerHour: number | null;
  electricityUsdPerHour: number;
  usdPerMtok: number | null;
}

/** Cost and energy per token of one setup under the assumptions (see the module comment). */
export function tco(x: TcoInput, a: TcoAssumptions): TcoResult {
  if (!(a.utilisation > 0 && a.utilisation <= 1))
    throw new RangeError(`utilisation must be above 0 and at most 100%, got ${a.utilisation * 100}%`);
  if (!(a.lifetimeYears > 0 && a.lifetimeYears <= 30))
    throw new RangeError(`lifetime must be above 0 and at most 30 years, got ${a.lifetimeYears}`);
  if (!(a.electricityUsdPerKWh >= 0 && a.electricityUsdPerKWh <= 10))
    throw new RangeError(`electricity price must be from 0 to 10 USD/kWh, got ${a.electricityUsdPerKWh}`);
  const u = a.utilisation;
  const averageWallW = u * x.servingWallW + (1 - u) * x.idleWallW;
  const joulesPerToken = averageWallW / (x.tokensPerSecPerChip * u);
  const electricityUsdPerHour = x.rental ? 0 : (averageWallW / 1000) * a.electricityUsdPerKWh;
  const capitalUsdPerHour =
    x.usdPerChipHour === null
      ? null
      : x.rental
        ? x.usdPerChipHour
        : (x.usdPerChipHour * x.lifetimeYears0) / a.lifetimeYears;
  const mtokPerHour = (x.tokensPerSecPerChip * 3600 * u) / 1e6;
  return {
    averageWallW,
    joulesPerToken,
    capitalUsdPerHour,
    electricityUsdPerHour,
    usdPerMtok: capitalUsdPerHour === null ? null : (capitalUsdPerHour + electricityUsdPerHour) / mtokPerHour,
  };
}
