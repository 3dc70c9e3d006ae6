/**
 * @module cli/commands/kernels
 * `chipstack bench gemv`: GEMV (or GEMM with --m) speed per weight format on this machine, and
 * `chipstack accumulate-study`: DeepSeek-V3's FP8 accumulation-precision finding as a table.
 */
import type { Command } from 'commander';
import { accumulateStudy } from '../../kernels/accumulate.js';
import { benchGemv } from '../../kernels/bench.js';
import { layoutOf, WEIGHT_FORMATS, type WeightFormat } from '../../kernels/weights.js';
import { finiteArg, table, toJson, UsageError } from '../util.js';

function positiveInt(text: string, what: string): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1) throw new UsageError(`${what} "${text}" is not a positive integer`);
  return v;
}

/** Caps on the benchmark shape: every format's copy of W is resident at once (fp32 4 B/element). */
export const MAX_SHAPE_ELEMENTS = 2 ** 27; // 128 Mi elements: 512 MiB of fp32 W (14336x4096 is 58.7 Mi)
export const MAX_SHAPE_SIDE = 65536;
export const MAX_M = 1024;

function parseShape(text: string): [number, number] {
  const m = /^(\d+)x(\d+)$/i.exec(text.trim());
  if (!m) throw new UsageError(`--shape "${text}" is not NxK (e.g. 14336x4096)`);
  const n = positiveInt(m[1]!, 'N');
  const k = positiveInt(m[2]!, 'K');
  if (n > MAX_SHAPE_SIDE || k > MAX_SHAPE_SIDE || n * k > MAX_SHAPE_ELEMENTS)
    throw new UsageError(
      `--shape ${n}x${k} is too large: at most ${MAX_SHAPE_SIDE} per side and ${MAX_SHAPE_ELEMENTS} elements (${(MAX_SHAPE_ELEMENTS * 4) / 2 ** 20} MiB of fp32 W; e.g. 14336x4096 or 7168x18432)`,
    );
  return [n, k];
}

function parseFormats(text: string): WeightFormat[] {
  const list = text === 'all' ? [...WEIGHT_FORMATS] : text.split(',').map((s) => s.trim());
  for (const f of list) {
    try {
      layoutOf(f);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  return list as WeightFormat[];
}

const sig = (v: number, d = 3) => Number(v.toPrecision(d));

export function register(program: Command): void {
  const bench = program.command('bench').description('benchmarks of the WebAssembly kernels on this machine');
  bench
    .command('gemv')
    .description(
      'GEMV y = W x per weight format: ms per call (median), bytes of W read, GB/s, GFLOP/s, speed-up',
    )
    .option('--shape <NxK>', 'W shape, N outputs by K inputs', '4096x4096')
    .option('--formats <list>', `comma-separated formats or "all" (${WEIGHT_FORMATS.join(', ')})`, 'all')
    .option('--threads <T>', 'threads (worker pool over shared memory)', '1')
    .option('--m <M>', 'rows of activations: above 1 runs the GEMM kernel (fp32 activations)', '1')
    .option('--seconds <s>', 'minimum timed seconds per format', '0.5')
    .option('--variant <v>', 'kernel build: auto (relaxed SIMD where available), relaxed, simd128', 'auto')
    .option('--json', 'print JSON')
    .action(
      async (o: {
        shape: string;
        formats: string;
        threads: string;
        m: string;
        seconds: string;
        variant: string;
        json?: boolean;
      }) => {
        const [n, k] = parseShape(o.shape);
        const formats = parseFormats(o.formats);
        const threads = positiveInt(o.threads, '--threads');
        if (threads > 32) throw new UsageError(`--threads ${threads} is above 32`);
        const m = positiveInt(o.m, '--m');
        if (m > MAX_M) throw new UsageError(`--m ${m} is above ${MAX_M}`);
        if (m * k > MAX_SHAPE_ELEMENTS || m * n > MAX_SHAPE_ELEMENTS)
          throw new UsageError(
            `--m ${m} with --shape ${n}x${k} is too large (A or C above ${MAX_SHAPE_ELEMENTS} elements)`,
          );
        const seconds = finiteArg(o.seconds, '--seconds', 0, 3600);
        const variant = o.variant;
        if (variant !== 'auto' && variant !== 'relaxed' && variant !== 'simd128')
          throw new UsageError(`--variant "${o.variant}" is not auto, relaxed or simd128`);
        const rows = await benchGemv({ n, k, formats, threads, m, seconds, variant });
        if (o.json) {
          process.stdout.write(
            `${toJson({ n, k, m, threads: rows[0]?.threads ?? threads, variant: rows[0]?.variant, results: rows })}\n`,
          );
          return;
        }
        process.stdout.write(
          `${m === 1 ? 'GEMV' : `GEMM M=${m}`} ${n}x${k}, ${rows[0]?.threads ?? threads} thread(s), ${rows[0]?.variant} kernels; activations fp32, int8 per 32 for ${WEIGHT_FORMATS.filter((f) => layoutOf(f).act === 'int8' && m === 1).join(', ') || 'none'}\n`,
        );
        process.stdout.write(
          `${table(
            ['format', 'ms', 'best ms', 'W MB', 'GB/s', 'GFLOP/s', 'elem/s/thread', 'vs fp32'],
            rows.map((r) => [
              r.format,
              sig(r.ms),
              sig(r.msBest),
              sig(r.weightBytes / 1e6),
              sig(r.GBps),
              sig(r.GFLOPps),
              `${sig(r.elementsPerSecPerThread / 1e9)}e9`,
              `${sig(r.speedup)}x`,
            ]),
          )}\n`,
        );
      },
    );

  program
    .command('accumulate-study')
    .description(
      "DeepSeek-V3's FP8 GEMM accumulation finding: relative error vs float64 for a 14-bit accumulator, by K and promotion interval N_C",
    )
    .option('--bits <b>', 'mantissa bits kept by the limited accumulator', '14')
    .option('--rounding <mode>', 'truncate or nearest', 'truncate')
    .option('--json', 'print JSON')
    .action((o: { bits: string; rounding: string; json?: boolean }) => {
      const bits = positiveInt(o.bits, '--bits');
      if (bits > 52) throw new UsageError(`--bits ${bits} is above 52`);
      if (o.rounding !== 'truncate' && o.rounding !== 'nearest')
        throw new UsageError(`--rounding "${o.rounding}" is not truncate or nearest`);
      const ncs = [32, 64, 128, 256];
      const rows = accumulateStudy({ ncs, mantissaBits: bits, rounding: o.rounding });
      if (o.json) {
        process.stdout.write(`${toJson({ mantissaBits: bits, rounding: o.rounding, rows })}\n`);
        return;
      }
      const pct = (v: number) => `${sig(v * 100, 2)}%`;
      process.stdout.write(
        `FP8 x FP8 GEMM, DeepSeek tiles (A 1x128, W 128x128, UE8M0 scales), 8x8 outputs, N(0,1) data.\n` +
          `Relative Frobenius error vs float64 of the same FP8 operands; accumulator keeps ${bits} mantissa bits (${o.rounding}).\n`,
      );
      process.stdout.write(
        `${table(
          ['K', 'fp32', 'no promotion', ...ncs.map((n) => `N_C=${n}`)],
          rows.map((r) => [r.k, pct(r.fp32), pct(r.noPromotion), ...ncs.map((n) => pct(r.byNc[n]!))]),
        )}\n`,
      );
    });
}
