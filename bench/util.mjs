// Shared helpers for the benchmark scripts.
import { mkdirSync } from 'node:fs';
import { makeRng } from '../dist/formats/index.js';

mkdirSync('bench/out', { recursive: true });

/** Best wall time in seconds over `reps` runs (one warm-up first). */
export function timeBest(fn, reps = 5) {
  fn();
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    const t = Number(process.hrtime.bigint() - t0) / 1e9;
    if (t < best) best = t;
  }
  return best;
}

/** Median wall time in seconds. */
export function timeMedian(fn, reps = 9) {
  fn();
  const ts = [];
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    ts.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  ts.sort((a, b) => a - b);
  return ts[ts.length >> 1];
}

export function fmtRate(r) {
  if (r >= 1e9) return (r / 1e9).toFixed(2) + 'G';
  if (r >= 1e6) return (r / 1e6).toFixed(1) + 'M';
  return (r / 1e3).toFixed(1) + 'k';
}

export function printTable(headers, rows) {
  const w = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => String(c).padStart(w[i])).join('  ');
  console.log(line(headers));
  console.log(w.map((n) => '-'.repeat(n)).join('  '));
  for (const r of rows) console.log(line(r));
}

/** Seeded standard normal generator (Box-Muller over the formats' mulberry32). */
export function gaussian(seed) {
  const u = makeRng(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}
