/**
 * @module cli/commands/supply
 * `chipstack supply`: China's AI-accelerator supply against demand, by quarter, with 90% intervals
 * and the binding constraint; `--sensitivity` prints the tornado for the end-2026 share instead,
 * `--explain` the 200k vs 805k reconciliation.
 */
import type { Command } from 'commander';
import {
  explainHuawei2025,
  runSupply,
  SupplyDataError,
  type SupplyResult,
  type TornadoResult,
  tornado,
} from '../../supply/index.js';
import { loadSupplyData } from '../../supply/load.js';
import { parseNumberArg, table, toJson, UsageError } from '../util.js';

const MAX_RUNS = 1_000_000;

/** 1234567 → "1.23M", 45600 → "45.6k". */
export function units(x: number): string {
  const a = Math.abs(x);
  if (a >= 1e9) return `${(x / 1e9).toFixed(2)}B`;
  if (a >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (a >= 1e3) return `${(x / 1e3).toFixed(a >= 1e5 ? 0 : 1)}k`;
  return x.toFixed(0);
}

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
const range = (i: { p5: number; p50: number; p95: number }, f: (x: number) => string) =>
  `${f(i.p50)} (${f(i.p5)}–${f(i.p95)})`;

function integerArg(
  text: string | undefined,
  what: string,
  min: number,
  max: number,
  fallback: number,
): number {
  if (text === undefined) return fallback;
  const n = parseNumberArg(text, what);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${what} must be an integer from ${min} to ${max}, got "${text}"`);
  return n;
}

export function quarterTable(r: SupplyResult): string {
  const cells = (period: string, binding: string, m: SupplyResult['years'][number]['metrics']) => [
    period,
    binding,
    range(m.domesticUnits, units),
    units(m.huaweiPackages.p50),
    units(m.importUnits.p50),
    units(m.demandUnits.p50),
    range(m.shareOfDemand, pct),
    pct(m.marketShare.p50),
    units(m.domesticH100eBf16.p50),
  ];
  const rows = r.quarters.map((q) =>
    cells(q.quarter, `${q.binding} ${pct(q.bindingShare[q.binding])}`, q.metrics),
  );
  const years = r.years.map((y) => cells(String(y.year), '', y.metrics));
  const head = [
    'period',
    'binding (share of runs)',
    'domestic units p50 (p5–p95)',
    'Huawei',
    'imports',
    'demand',
    'share of demand p50 (p5–p95)',
    'market share',
    'H100e BF16',
  ];
  return [
    `scenario ${r.scenario}: ${r.description}`,
    `${r.runs} runs, seed ${r.seed}, yield model ${r.yieldModel}; units per quarter (per year below); medians unless a range is shown`,
    '',
    table(head, [...rows, ...years.map((y) => y.map((c, i) => (i === 0 ? `${c} total` : c)))]),
  ].join('\n');
}

export function tornadoTable(t: TornadoResult): string {
  const f = (x: number) => x.toFixed(3);
  const rows = t.rows.map((r, i) => [
    i + 1,
    r.parameter,
    r.unit,
    f(r.atLow),
    f(r.atHigh),
    f(r.swing),
    r.rankCorrelation.toFixed(2),
  ]);
  return [
    `tornado: ${t.metric} in ${t.quarter}, scenario ${t.scenario}; all central = ${f(t.base)}`,
    `one parameter at a time at its low / high value; rank correlation from ${t.runs} Monte Carlo runs, seed ${t.seed}`,
    '',
    table(['#', 'parameter', 'unit', 'at low', 'at high', 'swing', 'rank corr'], rows),
  ].join('\n');
}

export function register(program: Command): void {
  program
    .command('supply')
    .description("China's AI-accelerator supply vs demand by quarter, 2024-2027, with 90% intervals")
    .option('-s, --scenario <name>', 'scenario from data/supply/scenarios.json', 'baseline')
    .option('-n, --runs <n>', 'Monte Carlo runs (default 10000; 20000 with --sensitivity)')
    .option('--seed <s>', 'PRNG seed (unsigned 32-bit integer)', '1')
    .option('--sensitivity', 'print the tornado for the 2026Q4 share of demand instead')
    .option('--explain', 'reproduce the 200k (US Commerce) and 805k (SemiAnalysis) Huawei 2025 figures')
    .option('--json', 'print JSON')
    .action(
      (o: {
        scenario: string;
        runs?: string;
        seed: string;
        sensitivity?: boolean;
        explain?: boolean;
        json?: boolean;
      }) => {
        const seed = integerArg(o.seed, 'seed', 0, 0xffffffff, 1);
        const runs = integerArg(o.runs, 'runs', 1, MAX_RUNS, o.sensitivity ? 20_000 : 10_000);
        try {
          const data = loadSupplyData();
          if (o.explain) {
            const e = explainHuawei2025(data);
            const text = table(
              ['scenario', 'published', 'modelled', 'ratio', 'parameters set'],
              e.map((x) => [
                x.scenario,
                units(x.published.value),
                units(x.modelled),
                x.ratio.toFixed(2),
                x.parameters.map((p) => p.name).join(', '),
              ]),
            );
            process.stdout.write(`${o.json ? toJson(e) : text}\n`);
          } else if (o.sensitivity) {
            const t = tornado(data, { scenario: o.scenario, runs, seed });
            process.stdout.write(`${o.json ? toJson(t) : tornadoTable(t)}\n`);
          } else {
            const r = runSupply(data, { scenario: o.scenario, runs, seed });
            process.stdout.write(`${o.json ? toJson(r) : quarterTable(r)}\n`);
          }
        } catch (err) {
          if (err instanceof SupplyDataError) throw new UsageError(err.message);
          throw err;
        }
      },
    );
}
