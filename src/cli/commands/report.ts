/**
 * @module cli/commands/report
 * `chipstack report`: the main job on embedded defaults. It prints the format table, then the
 * inputs on which the reference implementations disagree, each computed live by the codecs.
 */
import type { Command } from 'commander';
import { codec, PRESETS } from '../../formats/index.js';
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

export function register(program: Command): void {
  program
    .command('report')
    .description(
      'The main job on embedded defaults: element formats and where the reference implementations disagree',
    )
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => {
      const d = disagreements();
      if (o.json) {
        process.stdout.write(toJson({ formats: formatRows(), disagreements: d }) + '\n');
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
      lines.push('Run `chipstack --help` for every command; `chipstack encode -f e4m3fn 3.14` to try one.');
      process.stdout.write(lines.join('\n') + '\n');
    });
}
