/**
 * @module cli/commands/catalog
 * `chipstack chips`, `chipstack systems`, `chipstack models`: the sourced catalogue as text tables
 * or, with --json, as the full records with every figure's source, date and confidence.
 */
import type { Command } from 'commander';
import { type Catalog, CatalogError, CatalogLookupError } from '../../catalog/catalog.js';
import { formatFigure } from '../../catalog/figure.js';
import { displayName, VENDOR_NAMES } from '../../catalog/ids.js';
import { defaultCatalog } from '../../catalog/node.js';
import type { Accelerator, Figure } from '../../catalog/types.js';
import { table, toJson, UsageError } from '../util.js';

const LEGEND =
  'Dense peaks. ~ = analyst estimate or derived, ? = unknown, no = not supported natively. Sources: add --json.';

/** The shipped catalogue, with load failures reported as one-line errors (exit 1) rather than crashes. */
function catalog(): Catalog {
  try {
    return defaultCatalog();
  } catch (err) {
    if (err instanceof CatalogError) throw Object.assign(new Error(err.message), { code: 'ECATALOG' });
    throw err;
  }
}

/** Right-align the given columns so figure strings line up like numbers. */
function alignRight(rows: string[][], cols: number[], headers: string[]): string[][] {
  for (const c of cols) {
    const w = Math.max(headers[c]!.length, ...rows.map((r) => r[c]!.length));
    for (const r of rows) r[c] = r[c]!.padStart(w);
  }
  return rows;
}

const fig = (f: Figure | undefined) => (f ? formatFigure(f) : '');
const mx = (a: Accelerator) =>
  a.formats.mxBlockScaleInHardware === null ? '?' : a.formats.mxBlockScaleInHardware ? 'yes' : 'no';

/** Text table of accelerators, optionally of one vendor. */
export function chipsText(cat: Catalog, vendor?: string): string {
  const headers = [
    'id',
    'vendor',
    'BF16 TF',
    'FP8 TF',
    'INT8 TOPS',
    'FP4 TF',
    'HBM GB',
    'HBM TB/s',
    'up GB/s',
    'TDP W',
    'MX hw',
  ];
  const rows = listChips(cat, vendor).map((a) => {
    const f = a.figures;
    return [
      a.id,
      VENDOR_NAMES[a.vendor],
      fig(f.bf16DenseTflops),
      fig(f.fp8DenseTflops),
      fig(f.int8DenseTops),
      fig(f.fp4DenseTflops),
      fig(f.hbmCapacityGB),
      fig(f.hbmBandwidthTBps),
      fig(f.scaleUpGBps),
      fig(f.tdpW),
      mx(a),
    ];
  });
  return `${table(headers, alignRight(rows, [2, 3, 4, 5, 6, 7, 8, 9], headers))}\n${LEGEND}\n`;
}

function listChips(cat: Catalog, vendor?: string): Accelerator[] {
  try {
    return cat.listAccelerators(vendor === undefined ? {} : { vendor });
  } catch (err) {
    if (err instanceof CatalogLookupError) {
      throw new UsageError(`unknown vendor "${vendor}"; known: ${cat.vendors().join(', ')}`);
    }
    throw err;
  }
}

/** Text table of systems. */
export function systemsText(cat: Catalog): string {
  const headers = ['id', 'chips', 'accelerator', 'BF16 PF', 'FP8 PF', 'HBM TB', 'power kW', 'name'];
  const rows = cat.listSystems().map((s) => {
    const f = s.figures;
    return [
      s.id,
      fig(f.chips),
      s.accelerator,
      fig(f.bf16DensePflops),
      fig(f.fp8DensePflops),
      fig(f.hbmCapacityTB),
      fig(f.allInPowerKW),
      s.name,
    ];
  });
  const note = 'System totals as published; blank = not published (derive from chips x accelerator).';
  return `${table(headers, alignRight(rows, [1, 3, 4, 5, 6], headers))}\n${note}\n${LEGEND}\n`;
}

/** Text table of models. */
export function modelsText(cat: Catalog): string {
  const headers = ['id', 'attn', 'ffn', 'layers', 'hidden', 'heads', 'kv', 'experts', 'params B', 'active B'];
  const rows = cat.listModels().map((m) => {
    const c = m.config;
    const experts =
      c.routedExperts === null ? '-' : `${c.activeExperts}/${c.routedExperts}+${c.sharedExperts}`;
    return [
      m.id,
      m.attention,
      m.ffn,
      String(c.layers),
      String(c.hiddenSize),
      String(c.attentionHeads),
      String(c.kvHeads),
      experts,
      fig(m.totalParamsB),
      fig(m.activeParamsB),
    ];
  });
  const note = 'experts = active/routed+shared. Full config.json fields and sources: add --json.';
  return `${table(headers, alignRight(rows, [3, 4, 5, 6, 8, 9], headers))}\n${note}\n`;
}

/** JSON of accelerators (full records plus a generated displayName). */
export function chipsJson(cat: Catalog, vendor?: string): string {
  return `${toJson(listChips(cat, vendor).map((a) => ({ displayName: displayName(a), ...a })))}\n`;
}

export function register(program: Command): void {
  program
    .command('chips')
    .description('List AI accelerators with sourced peak compute, memory, interconnect and power')
    .option('--vendor <vendor>', `only one vendor (${Object.keys(VENDOR_NAMES).join(', ')})`)
    .option('--json', 'print full records with source, date and confidence of every figure')
    .action((opts: { vendor?: string; json?: boolean }) => {
      const cat = catalog();
      process.stdout.write(opts.json ? chipsJson(cat, opts.vendor) : chipsText(cat, opts.vendor));
    });
  program
    .command('systems')
    .description(
      'List scale-up systems (CloudMatrix 384, GB200 NVL72, HGX nodes) with chips and all-in power',
    )
    .option('--json', 'print full records with sources')
    .action((opts: { json?: boolean }) => {
      const cat = catalog();
      process.stdout.write(opts.json ? `${toJson(cat.listSystems())}\n` : systemsText(cat));
    });
  program
    .command('models')
    .description('List LLM architectures (from their config.json files) known to the simulator')
    .option('--json', 'print full records with sources')
    .action((opts: { json?: boolean }) => {
      const cat = catalog();
      process.stdout.write(opts.json ? `${toJson(cat.listModels())}\n` : modelsText(cat));
    });
}
