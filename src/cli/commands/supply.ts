/**
 * @module cli/commands/supply
 * `chipstack supply`: China's AI-accelerator supply against demand, per year and quarter, with 90%
 * intervals and the binding constraint, in three metrics (self-sufficiency, unit share of demand,
 * value share) and vendor by vendor. `--validate` checks the published targets, `--must-be-true`
 * finds the input region for the end-2026 claim, `--open-questions` lists the unknown inputs,
 * `--sensitivity` prints the tornado, `--explain` the 200k vs 805k reconciliation.
 */
import type { Command } from 'commander';
import {
  CLAIMS,
  explainHuawei2025,
  METRIC_DEFINITIONS,
  type MustBeTrueResult,
  mustBeTrue,
  openQuestions,
  resolveScenario,
  runSupply,
  SupplyDataError,
  type SupplyResult,
  type TornadoResult,
  tornado,
  type ValidationResult,
  VENDOR_ROWS,
  validateTargets,
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
  return String(Number(x.toPrecision(3)));
}

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
const range = (i: { p5: number; p50: number; p95: number }, f: (x: number) => string) =>
  `${f(i.p50)} (${f(i.p5)}–${f(i.p95)})`;

/** Fewest Monte Carlo runs the analysis modes accept (as `serve --runs`). */
const MIN_ANALYSIS_RUNS = 100;

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
    range(m.selfSufficiency, pct),
    range(m.shareOfDemand, pct),
    range(m.valueShare, pct),
    range(m.domesticUnits, units),
    units(m.importUnits.p50),
    units(m.demandUnits.p50),
    units(m.domesticH100eBf16.p50),
  ];
  const head = [
    'period',
    'binding (share of runs)',
    'self-sufficiency p50 (p5–p95)',
    'share of demand',
    'value share',
    'domestic units',
    'imports',
    'demand',
    'H100e BF16',
  ];
  const years = r.years.map((y) => cells(`${y.year} total`, '', y.metrics));
  const rows = r.quarters.map((q) =>
    cells(q.quarter, `${q.binding} ${pct(q.bindingShare[q.binding])}`, q.metrics),
  );
  return [
    `scenario ${r.scenario}: ${r.description}`,
    `${r.runs} runs, seed ${r.seed}, yield model ${r.yieldModel}; medians with 90% intervals`,
    ...METRIC_DEFINITIONS.map((d) => `  ${d.name}: ${d.definition}; published by ${d.publishers}`),
    '',
    table(head, years),
    '',
    vendorTable(r),
    '',
    'by quarter (units per quarter)',
    table(head, rows),
  ].join('\n');
}

/** Annual units by vendor and import product, p50. */
export function vendorTable(r: SupplyResult): string {
  const cols = VENDOR_ROWS;
  return [
    'units per year by vendor (p50; imports by product)',
    table(
      ['year', ...cols.map((c) => c.label)],
      r.years.map((y) => [String(y.year), ...cols.map((c) => units(y.metrics[c.metric].p50))]),
    ),
  ].join('\n');
}

const show = (metric: string, x: number) => (metric === 'units' ? units(x) : pct(x));

export function validationTable(v: ValidationResult): string {
  const rows = v.checks.map((c) => [
    c.id,
    c.metric,
    c.vendor,
    c.year,
    `${c.bound === 'at-most' ? '≤' : c.bound === 'at-least' ? '≥' : ''}${show(c.metric, c.target)}`,
    show(c.metric, c.p50),
    `${show(c.metric, c.p25)}–${show(c.metric, c.p75)}`,
    `${show(c.metric, c.p5)}–${show(c.metric, c.p95)}`,
    c.pass ? 'pass' : 'FAIL',
    c.explained
      ? `${c.explained.scenario}: ${show(c.metric, c.explained.p50)} ${c.explained.pass ? 'pass' : 'fail'}`
      : '',
  ]);
  const why = v.checks.filter((c) => c.disagreement).map((c) => `  ${c.id}: ${c.disagreement}`);
  const sourced = v.checks
    .filter((c) => c.reconciliation)
    .map((c) => `  ${c.id} (${c.pass ? 'pass' : 'fail'}): ${c.reconciliation}`);
  return [
    `validation: ${v.passed} of ${v.checks.length} targets pass (p50 within ${v.tolerance * 100}% and target inside the 50% interval); ${v.runs} runs, seed ${v.seed}`,
    '',
    table(
      [
        'target',
        'metric',
        'vendor',
        'year',
        'target',
        'p50',
        '50% interval',
        '90% interval',
        'verdict',
        'explained by',
      ],
      rows,
    ),
    ...(why.length ? ['', 'where a target is not met, the input that disagrees:', ...why] : []),
    ...(sourced.length
      ? ['', 'why the published figure and the model differ (sourced, from targets.json):', ...sourced]
      : []),
  ].join('\n');
}

export function mustBeTrueText(results: MustBeTrueResult[]): string {
  const f = (x: number) => (Math.abs(x) >= 1000 ? units(x) : Number(x.toPrecision(3)).toString());
  return results
    .map((m) => {
      const lines = [
        `claim: ${m.claim.text}`,
        `  holds in ${pct(m.holds)} of ${m.runs} runs (${m.scenario}, seed ${m.seed})`,
      ];
      if (!m.box.length)
        lines.push('  no input cut raises it: the claim does not depend on one region of inputs');
      else {
        lines.push(
          `  it holds in ${pct(m.holdsInBox)} of runs when all of these are true (${pct(m.support)} of runs):`,
        );
        for (const c of m.box)
          lines.push(
            `    ${c.label} (${c.parameter})${c.period ? ` [${c.period}]` : ''} ${c.op === '>=' ? '≥' : '≤'} ${f(c.value)} ${c.unit}  (range ${f(c.low)}–${f(c.high)}, ${c.confidence}; after this cut: ${pct(c.holds)} hold)`,
          );
      }
      return lines.join('\n');
    })
    .join('\n\n');
}

export function tornadoTable(t: TornadoResult): string {
  const f = (x: number) => x.toFixed(3);
  const rows = t.rows.map((r, i) => [
    i + 1,
    r.label,
    r.parameter,
    f(r.atLow),
    f(r.atHigh),
    f(r.swing),
    r.rankCorrelation.toFixed(2),
  ]);
  return [
    `tornado: ${t.metric} in ${t.quarter}, scenario ${t.scenario}; base (every input at its value) = ${f(t.base)}`,
    `one parameter at a time at its low / high value; rank correlation from ${t.runs} Monte Carlo runs, seed ${t.seed}`,
    '',
    table(['#', 'input', 'parameter', 'at low', 'at high', 'swing', 'rank corr'], rows),
  ].join('\n');
}

export function register(program: Command): void {
  program
    .command('supply')
    .description("China's AI-accelerator supply vs demand by quarter, 2024-2027, with 90% intervals")
    .option('-s, --scenario <name>', 'scenario from data/supply/scenarios.json', 'baseline')
    .option('-n, --runs <n>', 'Monte Carlo runs (default 10000; 20000 with --sensitivity)')
    .option('--seed <s>', 'PRNG seed (unsigned 32-bit integer)', '1')
    .option('--validate', 'check the model against the published targets (data/supply/targets.json)')
    .option('--must-be-true', 'find the inputs under which "most demand met by end-2026" holds')
    .option('--open-questions', 'list the unknown inputs with their ranges, most decisive first')
    .option('--sensitivity', 'print the tornado for the 2026Q4 share of demand instead')
    .option('--explain', 'reproduce the 200k (US Commerce) and 805k (SemiAnalysis) Huawei 2025 figures')
    .option('--json', 'print JSON')
    .action(
      (
        o: {
          scenario: string;
          runs?: string;
          seed: string;
          sensitivity?: boolean;
          explain?: boolean;
          validate?: boolean;
          mustBeTrue?: boolean;
          openQuestions?: boolean;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        const seed = integerArg(o.seed, 'seed', 0, 0xffffffff, 1);
        const big = o.sensitivity || o.validate || o.mustBeTrue || o.openQuestions;
        const runs = integerArg(o.runs, 'runs', 1, MAX_RUNS, big ? 20_000 : 10_000);
        const modes = [o.validate, o.mustBeTrue, o.openQuestions, o.sensitivity, o.explain].filter(Boolean);
        if (modes.length > 1)
          throw new UsageError(
            'choose one of --validate, --must-be-true, --open-questions, --sensitivity, --explain',
          );
        // what a mode does not read is refused, not silently ignored
        const given = (key: string) => cmd.getOptionValueSource(key) === 'cli';
        if (o.explain) {
          for (const [key, flag] of [
            ['scenario', '--scenario'],
            ['runs', '--runs'],
            ['seed', '--seed'],
          ] as const)
            if (given(key))
              throw new UsageError(
                `${flag} does not apply to --explain (it sets each published scenario's inputs)`,
              );
        }
        if (o.validate && given('scenario'))
          throw new UsageError(
            '--scenario does not apply to --validate (each target names its own scenario)',
          );
        // intervals, deciles and rank correlations from a handful of runs are noise (NaN below 10)
        if (big && runs < MIN_ANALYSIS_RUNS)
          throw new UsageError(
            `runs must be at least ${MIN_ANALYSIS_RUNS} for --validate, --must-be-true, --open-questions and --sensitivity, got ${runs}`,
          );
        try {
          const data = loadSupplyData();
          resolveScenario(data, o.scenario); // an unknown name is one line and exit 2 in every mode
          if (o.validate) {
            const v = validateTargets(data, { runs, seed });
            process.stdout.write(`${o.json ? toJson(v) : validationTable(v)}\n`);
          } else if (o.mustBeTrue) {
            const m = CLAIMS.map((c) => mustBeTrue(data, c, { scenario: o.scenario, runs, seed }));
            process.stdout.write(`${o.json ? toJson(m) : mustBeTrueText(m)}\n`);
          } else if (o.openQuestions) {
            const t = tornado(data, { scenario: o.scenario, runs: Math.min(runs, 5000), seed });
            const q = openQuestions(data, o.scenario, t);
            const text = [
              `inputs no source pins down (confidence unknown), ordered by their tornado swing on ${t.metric} ${t.quarter} (${o.scenario})`,
              '',
              table(
                [
                  'input',
                  'parameter',
                  'swing',
                  'unknown periods (each holds until the next): low / value / high',
                ],
                q.map((x) => [
                  x.label,
                  x.parameter,
                  pct(x.swing ?? 0),
                  x.periods
                    .map(
                      (p) =>
                        `${p.period ? `from ${p.period}` : 'all'}: ${units(p.low)} / ${units(p.value)} / ${units(p.high)}`,
                    )
                    .join('; '),
                ]),
              ),
            ].join('\n');
            process.stdout.write(`${o.json ? toJson(q) : text}\n`);
          } else if (o.explain) {
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
