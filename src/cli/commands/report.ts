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
import { loadSupplyData } from '../../supply/load.js';
import { headline } from '../../web/headline.js';
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

/** Headline results of every layer, computed live on embedded defaults (the one headline module). */
export function headlines(runs?: number) {
  const cat = defaultCatalog();
  const h = headline(cat, loadSupplyData(), runs);
  const scenarios = articleScenarios(defaultPerfData(), cat).map((s) => ({
    title: s.title,
    claims: s.claims,
    rows: s.rows,
  }));
  return {
    quant: h.quant.schemes,
    tensor: h.quant.tensor,
    systems: h.systems,
    scenarios,
    supply: {
      runs: h.supply.runs,
      selfSufficiency2025: h.supply.selfSufficiency2025,
      selfSufficiency2026Q4: h.supply.selfSufficiency2026Q4,
      share2025: h.supply.share2025,
      share2026Q4: h.supply.share2026Q4,
      binding2026Q4: h.supply.binding2026Q4,
    },
  };
}

const pct = (v: number) => `${(100 * v).toFixed(0)}%`;
const num = (v: number | null) => (v === null ? '?' : String(Number(v.toPrecision(4))));

function headlineText(h: ReturnType<typeof headlines>): string[] {
  const lines = [`Block scaling on a ${h.tensor} (activations with outlier channels):`, ''];
  lines.push(
    table(
      ['scheme', 'bits/element', 'SQNR dB'],
      h.quant.map((r) => [r.scheme, Number(r.bitsPerElement.toFixed(4)), Number(r.sqnrDb.toFixed(1))]),
    ),
    '',
  );
  const c = h.systems;
  lines.push(
    `${c.a.name} against ${c.b.name} (catalogue figures; chips x chip figure where a system figure is missing):`,
    '',
    table(
      ['metric', c.a.name, c.b.name, 'ratio'],
      c.rows.map((r) => [r.metric, num(r.a), num(r.b), r.ratio === null ? '?' : `${num(r.ratio)}x`]),
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
    `China's self-sufficiency in AI accelerators, domestic / (domestic + imported units delivered) (${s.runs} Monte Carlo runs): 2025 ${pct(s.selfSufficiency2025.p50)} (90% interval ${pct(s.selfSufficiency2025.p5)}-${pct(s.selfSufficiency2025.p95)}); 2026Q4 ${pct(s.selfSufficiency2026Q4.p50)} (${pct(s.selfSufficiency2026Q4.p5)}-${pct(s.selfSufficiency2026Q4.p95)}), bound by ${s.binding2026Q4}.`,
    `Beside it, domestic units as a share of demand (units the USD demand could buy): 2025 ${pct(s.share2025.p50)} (${pct(s.share2025.p5)}-${pct(s.share2025.p95)}); 2026Q4 ${pct(s.share2026Q4.p50)} (${pct(s.share2026Q4.p5)}-${pct(s.share2026Q4.p95)}).`,
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
