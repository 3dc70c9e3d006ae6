/**
 * @module cli/commands/convert
 * `chipstack inspect` and `chipstack convert`: checkpoints in safetensors, plain or quantized.
 */
import type { Command } from 'commander';
import {
  ConvertError,
  type ConvertResult,
  convertCheckpoint,
  type InspectReport,
  inspectCheckpoint,
  NON_FINITE_POLICIES,
  type NonFinitePolicy,
  parseThreads,
  progressBar,
  TARGETS,
  type TargetName,
} from '../../convert/index.js';
import { escapeControls, printable } from '../../io/errors.js';
import { SafetensorsError } from '../../io/index.js';
import { type SystemError, systemErrorLine, toJson, UsageError } from '../util.js';

/** System errors that are about the user's files or disk, not a bug: exit code 2. */
const SYSTEM_ERRORS = new Set([
  'ENOSPC',
  'EDQUOT',
  'EROFS',
  'EACCES',
  'EPERM',
  'EIO',
  'ENOENT',
  'ENOTDIR',
  'EISDIR',
  'EEXIST',
  'EMFILE',
  'ENFILE',
  'ENAMETOOLONG',
  'EFBIG',
  'ELOOP',
]);

/** Bad input, refused output, bad option: one line and exit code 2. */
function asUsage(err: unknown): unknown {
  if (err instanceof ConvertError || err instanceof SafetensorsError || err instanceof RangeError) {
    return new UsageError(printable((err as Error).message.split('\n')[0]!));
  }
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string' && (typeof e.path === 'string' || SYSTEM_ERRORS.has(e.code))) {
    return new UsageError(printable(systemErrorLine(e as SystemError).split('\n')[0]!));
  }
  return err;
}

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** `5GB`, `500MB`, `2GiB`, `1000000` → bytes (decimal units, as transformers' max_shard_size). */
export function parseSize(text: string): number {
  const m = text.trim().match(/^(\d+(?:\.\d+)?)\s*([a-z]*)$/i);
  const key = m ? (m[2] || 'b').toLowerCase() : '';
  const unit = m && Object.hasOwn(UNITS, key) ? UNITS[key] : undefined;
  if (!m || unit === undefined || !(Number(m[1]) * unit >= 1)) {
    throw new UsageError(`--max-shard-size "${printable(text)}" is not a size such as 5GB, 500MB or 2GiB`);
  }
  return Math.floor(Number(m[1]) * unit);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function gb(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : `${(n / 1e6).toFixed(2)} MB`;
}

/** A statistic for the table: NaN (no finite value to average) is '-', infinities 'inf' / '-inf'. */
function fmt(x: number): string {
  if (Number.isNaN(x)) return '-';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  return x === 0 ? '0' : Math.abs(x) >= 1e4 || Math.abs(x) < 1e-3 ? x.toExponential(3) : x.toPrecision(4);
}

/**
 * Rows as aligned text, written in pieces (a checkpoint may have a million tensors: no spread of
 * all rows into one call, no single giant string). Cells are escaped for the terminal.
 */
function writeTable(headers: string[], rows: Iterable<(string | number)[]>, numeric: boolean[]): void {
  const all: string[][] = [];
  const widths = headers.map((h) => h.length);
  for (const r of rows) {
    const cells = r.map((c) => escapeControls(String(c)));
    for (const [i, c] of cells.entries()) if (c.length > widths[i]!) widths[i] = c.length;
    all.push(cells);
  }
  const line = (r: string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  let out = `${line(headers)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`;
  for (const r of all) {
    out += `${line(r)}\n`;
    if (out.length > 1 << 16) {
      process.stdout.write(out);
      out = '';
    }
  }
  process.stdout.write(out);
}

function printInspect(r: InspectReport): void {
  writeTable(
    ['tensor', 'dtype', 'shape', 'bytes'],
    r.tensors.map((t) => [t.name, t.dtype, `[${t.shape.join(', ')}]`, t.bytes]),
    [false, false, false, true],
  );
  process.stdout.write('\n');
  writeTable(
    ['dtype', 'tensors', 'bytes'],
    r.totals.map((t) => [t.dtype, t.tensors, t.bytes]),
    [false, true, true],
  );
  process.stdout.write(
    `\n${r.tensors.length} tensors, ${gb(r.totalBytes)} in ${r.files.length} file(s); layout: ${r.layout}${
      Object.keys(r.quantized).length > 0
        ? ` (${Object.entries(r.quantized)
            .map(([k, v]) => `${v} ${k} weights`)
            .join(', ')})`
        : ''
    }\n`,
  );
  if (r.stats) {
    process.stdout.write('\n');
    writeTable(
      ['tensor', 'layout', 'amax', 'mean', 'std', 'nan', 'inf'],
      r.stats.map((s) => [s.name, s.layout, fmt(s.amax), fmt(s.mean), fmt(s.std), s.nan, s.inf]),
      [false, false, false, false, false, true, true],
    );
  }
}

function printConvert(r: ConvertResult): void {
  const count = (a: string) => r.tensors.filter((t) => t.action === a).length;
  const kept = r.tensors.filter((t) => t.action === 'kept');
  const temps = r.removed.filter((f) => f.endsWith('.tmp'));
  const older = r.removed.filter((f) => !f.endsWith('.tmp'));
  const lines = [
    ...(temps.length > 0
      ? [`removed ${temps.length} temporary file(s) an interrupted run left: ${temps.join(', ')}`]
      : []),
    ...(older.length > 0 ? [`removed ${older.length} file(s) the earlier conversion wrote (--force)`] : []),
    `${r.input} -> ${r.output} (${r.to}${r.scheme ? `, scheme ${r.scheme}` : ''})`,
    `${count('quantized')} quantized, ${count('dequantized')} dequantized, ${count('copied')} copied, ${kept.length} kept unquantized`,
    ...kept.map((t) => `  kept ${escapeControls(t.name)}: ${t.reason}`),
    `${r.shards} shard(s)${r.resumedShards > 0 ? ` (${r.resumedShards} kept from an interrupted run)` : ''}, ${gb(r.inputBytes)} in, ${gb(r.outputBytes)} out, ${r.seconds.toFixed(1)} s`,
    r.files.length > 0
      ? `copied ${r.files.join(', ')}`
      : 'no config.json or tokenizer files beside the input',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function register(program: Command): void {
  program
    .command('inspect')
    .description(
      'List the tensors of a safetensors file or checkpoint folder, totals per dtype and the layout',
    )
    .argument('<path>', '.safetensors file, checkpoint folder or *.safetensors.index.json')
    .option('--stats', 'amax, mean, std and NaN/Inf counts per tensor (quantized weights decoded)')
    .option('--json', 'machine-readable output')
    .action(async (path: string, opts: { stats?: boolean; json?: boolean }) => {
      let r: InspectReport;
      try {
        r = await inspectCheckpoint(path, { stats: opts.stats });
      } catch (err) {
        throw asUsage(err);
      }
      if (opts.json) process.stdout.write(`${toJson(r)}\n`);
      else printInspect(r);
    });

  program
    .command('convert')
    .description('Convert a checkpoint to a quantized layout, or back to BF16, streaming')
    .argument('<in>', 'input: .safetensors file, checkpoint folder or index json')
    .argument('<out>', 'output folder (must be empty or missing, unless --force)')
    .requiredOption('--to <layout>', `target layout: ${TARGETS.join(', ')}`)
    .option('--scale-fmt <fmt>', 'deepseek-fp8 scales: ue8m0 (powers of two, DeepSeek-V3.1) or fp32', 'ue8m0')
    .option('--scale-dtype <dtype>', 'deepseek-fp8 scale storage: f32 or e8m0', 'f32')
    .option(
      '--layout <layout>',
      'mxfp8/mxfp4 scale layout: default (ModelOpt or gpt-oss [out, in/32]) or ascend (CANN MX matmul pairs [out, ceil(in/64), 2] F8_E8M0)',
      'default',
    )
    .option(
      '--scheme <name>',
      'quantization scheme (see `chipstack schemes`); default per layout (deepseek-v4: of its FP4 routed experts)',
    )
    .option('--include <glob>', 'also quantize tensors matching GLOB (repeatable)', collect, [])
    .option('--exclude <glob>', 'do not quantize tensors matching GLOB (repeatable)', collect, [])
    .option('--max-shard-size <size>', 'most tensor bytes per output shard', '5GB')
    .option('--force', 'write into a non-empty output folder')
    .option('--threads <n>', 'worker threads that encode slabs (default 2; 1 encodes in this thread)')
    .option(
      '--on-nonfinite <policy>',
      "NaN/Inf in weights to quantize: keep (as each target's reference does), clamp (NaN to 0, Inf to the block's largest finite value) or error",
      'keep',
    )
    .option('--json', 'machine-readable summary; no progress bar')
    .addHelpText(
      'after',
      [
        '',
        'Blocks run along the reduction axis: the last axis (in_features) of a Linear weight [out, in];',
        'a Conv weight [O, I, kh, kw] (any other tensor of rank >= 3) is blocked as [O, I*kh*kw];',
        'fused experts [E, N, K] per expert over K (gpt-oss [E, in, out] transposed first). A last block',
        'shorter than the block is padded as the reference quantizers do (src/convert/README.md).',
        'deepseek-v4 writes DeepSeek-V4 with expert_dtype fp4: routed experts (.experts.<i>.) as E2M1',
        'packed two per byte (I8, low nibble first) with an F8_E8M0 .scale per 32, other linear weights',
        'as E4M3 with an F8_E8M0 .scale per 128x128 tile.',
        "hifloat4 (or hif4) writes chipstack's own HiFloat4 layout (no public one exists; no other loader",
        'reads it): codes U8 two per byte (low nibble first), and per 64 values an E6M2 byte (_hif4_scale),',
        'a byte of 8 one-bit exponents (_hif4_exp8, bit i: values 8i..8i+7) and a U16 of 16 (_hif4_exp4,',
        'bit j: values 4j..4j+3); config quant_method "chipstack_hifloat4".',
      ].join('\n'),
    )
    .action(async (input: string, output: string, opts: Record<string, unknown>, cmd: Command) => {
      // `hif4` is the scheme's short name (`chipstack schemes`); the layout is `hifloat4`
      const to = opts.to === 'hif4' ? 'hifloat4' : (opts.to as string);
      if (!(TARGETS as readonly string[]).includes(to)) {
        throw new UsageError(`--to ${to}: unknown layout (known: ${TARGETS.join(', ')})`);
      }
      const given = (key: string) => cmd.getOptionValueSource(key) === 'cli';
      for (const [key, flag] of [
        ['scaleFmt', '--scale-fmt'],
        ['scaleDtype', '--scale-dtype'],
      ] as const) {
        if (given(key) && to !== 'deepseek-fp8') {
          throw new UsageError(`${flag} applies to --to deepseek-fp8 only, not ${to}`);
        }
      }
      const layout = opts.layout as string;
      if (layout !== 'default' && layout !== 'ascend')
        throw new UsageError(`--layout must be default or ascend, got ${JSON.stringify(layout)}`);
      if (layout === 'ascend' && to !== 'mxfp8' && to !== 'mxfp4')
        throw new UsageError(`--layout ascend applies to --to mxfp8 and mxfp4 only, not ${to}`);
      if (given('scaleFmt') && opts.scheme !== undefined) {
        throw new UsageError('give --scheme or --scale-fmt, not both');
      }
      if (given('scheme') && to === 'bf16') throw new UsageError('--scheme does not apply to --to bf16');
      for (const flag of ['include', 'exclude'] as const) {
        for (const g of opts[flag] as string[]) {
          if (g.trim() === '')
            throw new UsageError(`--${flag} "${printable(g)}" is empty: give a glob such as "*.mlp.*"`);
        }
      }
      const onNonFinite = opts.onNonfinite as string;
      if (!(NON_FINITE_POLICIES as readonly string[]).includes(onNonFinite)) {
        throw new UsageError(
          `--on-nonfinite must be one of ${NON_FINITE_POLICIES.join(', ')}, got ${JSON.stringify(onNonFinite)}`,
        );
      }
      const scaleFmt = opts.scaleFmt as string;
      const scaleDtype = opts.scaleDtype as string;
      if (scaleFmt !== 'ue8m0' && scaleFmt !== 'fp32')
        throw new UsageError(`--scale-fmt must be ue8m0 or fp32, got ${JSON.stringify(printable(scaleFmt))}`);
      if (scaleDtype !== 'f32' && scaleDtype !== 'e8m0')
        throw new UsageError(
          `--scale-dtype must be f32 or e8m0, got ${JSON.stringify(printable(scaleDtype))}`,
        );
      const scheme =
        (opts.scheme as string | undefined) ??
        (to === 'deepseek-fp8'
          ? scaleFmt === 'ue8m0'
            ? 'deepgemm-block-ue8m0'
            : 'deepgemm-block-fp32'
          : undefined);
      const json = Boolean(opts.json);
      const bar = !json && process.stderr.isTTY ? progressBar(process.stderr) : undefined;
      let r: ConvertResult;
      try {
        r = await convertCheckpoint(input, output, {
          to: to as TargetName,
          scheme,
          scaleDtype: to !== 'deepseek-fp8' ? undefined : scaleDtype === 'e8m0' ? 'F8_E8M0' : 'F32',
          ...(layout === 'ascend' ? { scaleLayout: 'ascend' as const } : {}),
          include: opts.include as string[],
          exclude: opts.exclude as string[],
          maxShardBytes: parseSize(opts.maxShardSize as string),
          force: Boolean(opts.force),
          threads: opts.threads === undefined ? undefined : parseThreads(opts.threads as string),
          onNonFinite: onNonFinite as NonFinitePolicy,
          onProgress: bar?.update,
        });
      } catch (err) {
        throw asUsage(err);
      } finally {
        bar?.done();
      }
      for (const n of r.nonFinite) {
        process.stderr.write(
          `chipstack: warning: tensor "${escapeControls(n.name)}": ${n.count} NaN/Inf input value(s), ${
            n.policy === 'clamp'
              ? "clamped (NaN to 0, Inf to the block's largest finite value)"
              : `encoded as ${r.to} does (see --on-nonfinite)`
          }\n`,
        );
      }
      if (json) process.stdout.write(`${toJson(r)}\n`);
      else printConvert(r);
    });
}
