// Benchmark: 100,000 Monte Carlo runs x 16 quarters of the supply model on one core.
// Build first (npx tsc -p tsconfig.json), then: node bench/supply.mjs [runs] [repeats]
import { prepareInputs, sampleRuns, summarise } from '../dist/supply/index.js';
import { loadSupplyData } from '../dist/supply/load.js';

const data = loadSupplyData();
const runs = Number(process.argv[2] ?? 100_000);
const repeats = Number(process.argv[3] ?? 5);
const inputs = prepareInputs(data, 'baseline');

sampleRuns(inputs, 4096, 0); // warm-up
const times = [];
for (let k = 0; k < repeats; k++) {
  const t0 = performance.now();
  const samples = sampleRuns(inputs, runs, k + 1);
  const t1 = performance.now();
  summarise(samples);
  const t2 = performance.now();
  times.push({ simulate: t1 - t0, summarise: t2 - t1, total: t2 - t0 });
}
const best = times.reduce((a, b) => (b.total < a.total ? b : a));
const median = [...times].sort((a, b) => a.total - b.total)[Math.floor(times.length / 2)];
const f = (ms) => `${(ms / 1000).toFixed(3)} s`;
console.log(
  `supply Monte Carlo: ${runs} runs x 16 quarters, ${inputs.slots.length} parameter slots, node ${process.version}`,
);
console.log(
  `best   ${f(best.total)} (sample+simulate ${f(best.simulate)}, percentiles ${f(best.summarise)})`,
);
console.log(`median ${f(median.total)}`);
console.log(
  `runs/s ${Math.round(runs / (best.total / 1000))} (best), ${Math.round(runs / (median.total / 1000))} (median)`,
);
