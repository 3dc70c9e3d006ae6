/**
 * @module perf/efficiency
 * Reading a calculon-style efficiency curve: fraction of peak at an operation size, interpolated
 * linearly in log(size) between points and held flat beyond the ends.
 */

/** Fraction of peak for an operation of `gflop` GFLOP on one chip. */
export function curveEfficiency(points: readonly (readonly [number, number])[], gflop: number): number {
  if (points.length === 0) throw new RangeError('empty efficiency curve');
  const first = points[0]!;
  const last = points[points.length - 1]!;
  if (!(gflop > first[0])) return first[1];
  if (gflop >= last[0]) return last[1];
  for (let i = 1; i < points.length; i++) {
    const [x1, y1] = points[i]!;
    if (gflop <= x1) {
      const [x0, y0] = points[i - 1]!;
      const t = (Math.log(gflop) - Math.log(x0)) / (Math.log(x1) - Math.log(x0));
      return y0 + t * (y1 - y0);
    }
  }
  return last[1];
}
