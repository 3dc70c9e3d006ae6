/**
 * @module supply/geometry
 * Dies per wafer and defect-density yield models, as scalar reference functions.
 * The vectorised engine inlines the same formulas; tests check the two agree.
 */
import type { YieldModel } from './types.js';

/**
 * Gross dies per wafer: DPW = π(d/2)²/S − πd/√(2S), with d the usable diameter
 * (wafer diameter minus twice the edge exclusion) and S the die area grown by the scribe lane
 * (a square die of the same area, each side widened by `scribeMm`).
 */
export function grossDiesPerWafer(waferMm: number, edgeMm: number, dieAreaMm2: number, scribeMm = 0): number {
  const d = waferMm - 2 * edgeMm;
  const side = Math.sqrt(dieAreaMm2) + scribeMm;
  const s = side * side;
  if (d <= 0 || s <= 0) return 0;
  return Math.max(0, (Math.PI * d * d) / (4 * s) - (Math.PI * d) / Math.sqrt(2 * s));
}

/** Poisson yield: Y = e^(−A·D0), A in cm², D0 in defects/cm². */
export function poissonYield(areaCm2: number, d0: number): number {
  return Math.exp(-areaCm2 * d0);
}

/** Murphy yield: Y = ((1 − e^(−A·D0)) / (A·D0))². */
export function murphyYield(areaCm2: number, d0: number): number {
  const x = areaCm2 * d0;
  if (x < 1e-9) return 1 - x;
  const f = (1 - Math.exp(-x)) / x;
  return f * f;
}

/** Negative-binomial yield: Y = (1 + A·D0/α)^(−α); α is the defect clustering parameter. */
export function negativeBinomialYield(areaCm2: number, d0: number, alpha: number): number {
  return (1 + (areaCm2 * d0) / alpha) ** -alpha;
}

export interface YieldOptions {
  model: YieldModel;
  /** Clustering for the negative-binomial model. */
  alpha?: number;
  /** For relative-to-tsmc: the fraction of TSMC's yield, and TSMC's defect density. */
  relativeFraction?: number;
  tsmcD0?: number;
}

/** Die yield for a die of `areaMm2` at defect density `d0` under the chosen model. */
export function dieYield(areaMm2: number, d0: number, o: YieldOptions): number {
  const a = areaMm2 / 100;
  switch (o.model) {
    case 'poisson':
      return poissonYield(a, d0);
    case 'murphy':
      return murphyYield(a, d0);
    case 'negative-binomial':
      return negativeBinomialYield(a, d0, o.alpha ?? 2);
    case 'relative-to-tsmc':
      return (o.relativeFraction ?? 0.5) * murphyYield(a, o.tsmcD0 ?? 0.1);
  }
}

/** The defect density at which `model` gives yield `y` for a die of `areaMm2` (bisection; y in (0, 1)). */
export function impliedDefectDensity(
  y: number,
  areaMm2: number,
  model: Exclude<YieldModel, 'relative-to-tsmc'>,
  alpha = 2,
): number {
  if (!(y > 0 && y < 1)) throw new RangeError(`yield ${y} must be in (0, 1)`);
  let lo = 0;
  let hi = 50;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (dieYield(areaMm2, mid, { model, alpha }) > y) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
