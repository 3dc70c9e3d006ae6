/**
 * @module cli/commands/report
 * `chipstack report`: the main job on embedded defaults. It prints the format table, then the
 * inputs on which the reference implementations disagree, each computed live by the codecs.
 */
import type { Command } from 'commander';
import { defaultCatalog } from '../../catalog/node.js';
import { codec, PRESETS } from '../../formats/index.js';
import { articleScenarios } from '../../perf/index.js';
import { defaultPerfData } from '../../perf/node.js';
import { analyze, getScheme, synthetic } from '../../quant/index.js';
import { runSupply } from '../../supply/index.js';
import { loadSupplyData } from '../../supply/load.js';
import { table, toJson } from '../util.js';
import { formatRows, formatsTable, showNumber } from './formats.js';

/** Inputs that separate the presets (ties, overflow edges, zero and negatives for E8M0). */
const PROBES: Record<string, number[]> = {
  e2m1: [0.25, 1.25, 2.5, 5, -0.25, 7, Number.NaN],
  e4m3fn: [464, 465, 500, Number.POSITIVE_INFINITY, 1.0625],
  e5m2: [61440, Number.NaN],
  e8m0: [0, -1, 1.5, 3, 2 ** -127 * 1.25, Number.POSITIVE_INFINITY],
  hif8: [1.0625, 40960],
};

export interface Disagreement {
  format: string;
  input: string;
  byPreset: Record<string, { code: number; value: number }>;
}

export function disagreements(): Disagreement[] {
  const out: Disagreement[] = [];
  for (const [format, xs] of Object.entries(PROBES)) {
    const presets = Object.values(PRESETS).filter((p) => p.formats[format as 'e2m1']);
    for (const x of xs) {
      const byPreset: Disagreement['byPreset'] = {};
      for (const p of presets) {
        const c = codec(format, { preset: p.name });
        const code = c.encode(x);
        byPreset[p.name] = { code, value: c.decode(code) };
      }
      const codes = new Set(Object.values(byPreset).map((r) => r.code));
      // the default (RNE, non-saturating) joins when only one preset covers the format
      if (presets.length === 1) {
        const c = codec(format);
        const code = c.encode(x);
        byPreset['default (RNE)'] = { code, value: c.decode(code) };
        codes.add(code);
      }
      if (codes.size > 1) out.push({ format, input: showNumber(x), byPreset });
    }
  }
  return out;
}

/** Headline results of every layer, computed live on embedded defaults. */
export function headlines() {
  const x = synthetic('outliers', 128, 1024, 1);
  const quant = [
    'deepgemm-token-ue8m0',
    'deepgemm-token-fp32',
    'torchao-mxfp8-floor',
    'nvfp4',
    'torchao-mxfp4-floor',
  ].map((n) => {
    const a = analyze(x, [128, 1024], getScheme(n));
    return { scheme: n, bitsPerElement: a.bitsPerElement, sqnrDb: a.sqnrDb };
  });
  const scenarios = articleScenarios(defaultPerfData(), defaultCatalog()).map((s) => ({
    title: s.title,
    claims: s.claims,
    rows: s.rows,
  }));
  const supply = runSupply(loadSupplyData(), { runs: 5000, seed: 1 });
  const y = (year: number) => supply.years.find((r) => r.year === year)!.metrics.shareOfDemand;
  const q = supply.quarters.find((r) => r.quarter === '2026Q4')!;
  return {
    quant,
    scenarios,
    supply: {
      runs: supply.runs,
      share2025: y(2025),
      share2026Q4: q.metrics.shareOfDemand,
      binding2026Q4: q.binding,
    },
  };
}

const pct = (v: number) => `${(100 * v).toFixed(0)}%`;

function headlineText(h: ReturnType<typeof headlines>): string[] {
  const lines = ['Block scaling on a synthetic activation tensor with outlier channels (128x1024):', ''];
  lines.push(
    table(
      ['scheme', 'bits/element', 'SQNR dB'],
      h.quant.map((r) => [r.scheme, Number(r.bitsPerElement.toFixed(4)), Number(r.sqnrDb.toFixed(1))]),
    ),
    '',
  );
  for (const s of h.scenarios) {
    lines.push(`${s.title}:`);
    for (const c of s.claims) {
      lines.push(
        `  ${c.claim}: ours ${c.ours === null ? '?' : c.ours.toFixed(2)}${c.article ? ` (article ${c.article})` : ''}`,
      );
    }
    for (const r of s.rows) {
      lines.push(
        `  ${r.label}: ${r.tokensPerSecPerChip.toFixed(0)} tok/s/chip${r.joulesPerToken === null ? '' : `, ${r.joulesPerToken.toFixed(2)} J/token`} [${r.path}]`,
      );
    }
    lines.push('');
  }
  const s = h.supply;
  lines.push(
    `China's domestic AI accelerators as a share of demand (${s.runs} Monte Carlo runs): 2025 ${pct(s.share2025.p50)} (90% interval ${pct(s.share2025.p5)}-${pct(s.share2025.p95)}); 2026Q4 ${pct(s.share2026Q4.p50)} (${pct(s.share2026Q4.p5)}-${pct(s.share2026Q4.p95)}), bound by ${s.binding2026Q4}.`,
    '',
  );
  return lines;
}

export function register(program: Command): void {
  program
    .command('report')
    .description(
      'The main job on embedded defaults: element formats and where the reference implementations disagree',
    )
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => {
      const d = disagreements();
      const h = headlines();
      if (o.json) {
        process.stdout.write(toJson({ formats: formatRows(), disagreements: d, ...h }) + '\n');
        return;
      }
      const lines = [
        'chipstack: element formats (computed from the format records)',
        '',
        formatsTable(),
        '',
        'Where the reference implementations disagree (code -> decoded value, computed live):',
        '',
      ];
      for (const format of new Set(d.map((r) => r.format))) {
        const rows = d.filter((r) => r.format === format);
        const names = Object.keys(rows[0]!.byPreset);
        lines.push(
          table(
            [format, ...names],
            rows.map((r) => [
              r.input,
              ...names.map((n) => {
                const v = r.byPreset[n]!;
                return `0x${v.code.toString(16).padStart(2, '0')} ${showNumber(v.value)}`;
              }),
            ]),
          ),
          '',
        );
      }
      lines.push(...headlineText(h));
      lines.push('Run `chipstack --help` for every command; `chipstack encode -f e4m3fn 3.14` to try one.');
      process.stdout.write(lines.join('\n') + '\n');
    });
}
