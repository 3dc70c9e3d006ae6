/**
 * @module cli/commands/quant
 * `chipstack schemes` and `chipstack compare`: block-scaled schemes and their error on a tensor.
 */
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { compareTensor } from '../../convert/compare.js';
import { ConvertError, type LogicalTensor, logicalTensors } from '../../convert/index.js';
import { escapeControls, printable } from '../../io/errors.js';
import { type Checkpoint, openCheckpoint, SafetensorsError } from '../../io/index.js';
import {
  analyze,
  type BlockScheme,
  bitsPerElement,
  getScheme,
  SCHEME_ALIASES,
  SCHEMES,
  type SchemeError,
  SYNTHETIC_KINDS,
  type SyntheticKind,
  schemeStorage,
  synthetic,
} from '../../quant/index.js';
import { integerArg, table, toJson, UsageError } from '../util.js';

export const DEFAULT_COMPARE = [
  'fp8-per-tensor',
  'fp8-per-channel',
  'deepgemm-token-fp32',
  'deepgemm-token-ue8m0',
  'deepgemm-block-fp32',
  'deepgemm-block-ue8m0',
  'torchao-mxfp8-floor',
  'torchao-mxfp8-rceil',
  'microxcaling-mxfp6-e2m3',
  'torchao-mxfp4-floor',
  'torchao-mxfp4-rceil',
  'nvfp4',
  // Huawei's pair: HiFloat8 per tensor and HiFloat4's 64-element three-level scheme
  'hif8-per-tensor',
  'hifloat4-g64',
  'int8-q8_0',
];

function schemeOrUsage(name: string) {
  try {
    return getScheme(name);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

const COMPARABLE = new Set(['F32', 'F16', 'BF16', 'F64']);

/** The tensor `name` of the file or checkpoint at `path` (default: the largest float tensor), streamed. */
async function compareIn(path: string, name: string | undefined, schemes: BlockScheme[], explicit: boolean) {
  let ck: Checkpoint;
  try {
    if (path === '') throw new UsageError('--in is empty');
    if (!(await stat(path).catch(() => undefined))) throw new UsageError(`${path}: no such file or folder`);
    ck = await openCheckpoint(path);
  } catch (e) {
    throw new UsageError(printable((e as Error).message.split('\n')[0]!));
  }
  try {
    const floats = logicalTensors(ck).filter((t) => t.layout === 'plain' && COMPARABLE.has(t.dtype));
    const t =
      name === undefined
        ? floats.reduce<LogicalTensor | undefined>(
            (a, b) => (a === undefined || b.bytes > a.bytes ? b : a),
            undefined,
          )
        : floats.find((f) => f.name === name);
    if (!t) {
      throw new UsageError(
        name === undefined
          ? `${path}: no F32/F16/BF16/F64 tensor to compare`
          : `${path}: no F32/F16/BF16/F64 tensor named "${escapeControls(name)}" (have: ${floats
              .slice(0, 10)
              .map((f) => escapeControls(f.name))
              .join(', ')}${floats.length > 10 ? ', ...' : ''})`,
      );
    }
    if (t.shape.some((d) => d === 0)) {
      throw new UsageError(
        `${path}: tensor "${escapeControls(t.name)}" ${JSON.stringify(t.shape)} has no elements to compare`,
      );
    }
    let r: Awaited<ReturnType<typeof compareTensor>>;
    try {
      r = await compareTensor(t, schemes, { explicit });
    } catch (e) {
      if (e instanceof ConvertError || e instanceof SafetensorsError || e instanceof RangeError) {
        throw new UsageError(printable(e.message.split('\n')[0]!));
      }
      throw e;
    }
    const label = `${path}:${escapeControls(t.name)} ${JSON.stringify(t.shape)} ${t.dtype}`;
    return { label, shape: t.shape, ...r };
  } finally {
    await ck.close();
  }
}

export function register(program: Command): void {
  program
    .command('schemes')
    .description(
      'List the block-scaled schemes: element, block, scale rule and storage, bits per element, source',
    )
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => {
      const rows = Object.values(SCHEMES).map((s) => ({
        name: s.name,
        aliases: Object.entries(SCHEME_ALIASES)
          .filter(([, v]) => v === s.name)
          .map(([k]) => k),
        element: s.element,
        block: s.block.join('x'),
        scale:
          s.scale.kind +
          ('pow2' in s.scale && s.scale.pow2 && s.scale.pow2 !== 'none' ? `/${s.scale.pow2}` : ''),
        scaleStorage: s.scaleStorage,
        coarseScale: schemeStorage(s).coarseScale,
        bitsPerElement: bitsPerElement(s),
        source: s.source,
      }));
      if (o.json) process.stdout.write(toJson(rows) + '\n');
      else {
        process.stdout.write(
          table(
            ['scheme', 'element', 'block', 'scale rule', 'stored', 'bits/elem', 'source'],
            rows.map((r) => [
              r.name + (r.aliases.length ? ` (${r.aliases.join(', ')})` : ''),
              r.element,
              r.block,
              r.scale,
              r.scaleStorage +
                (r.coarseScale ? ` + ${r.coarseScale.storage} per 1x${r.coarseScale.elements}` : ''),
              Number(r.bitsPerElement.toFixed(4)),
              r.source,
            ]),
          ) + '\n',
        );
      }
    });

  program
    .command('compare')
    .description('Quantize one tensor with each scheme and compare errors (best SQNR first)')
    .option('--in <file>', 'a .safetensors file (default: synthetic data)')
    .option('--tensor <name>', 'tensor to read from --in (default: the largest float tensor)')
    .option('--synthetic <kind>', `synthetic data: ${SYNTHETIC_KINDS.join(', ')}`, 'outliers')
    .option('--shape <RxC>', 'shape of synthetic data', '256x1024')
    .option('--seed <n>', 'seed of synthetic data', '1')
    .option('--schemes <list>', 'comma-separated scheme names or aliases (see `chipstack schemes`)')
    .option('--json', 'print JSON')
    .action(
      async (
        o: {
          in?: string;
          tensor?: string;
          synthetic: string;
          shape: string;
          seed: string;
          schemes?: string;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        const items = o.schemes === undefined ? DEFAULT_COMPARE : o.schemes.split(',').map((s) => s.trim());
        const names = items.filter(Boolean);
        if (names.length === 0) {
          throw new UsageError(
            `--schemes ${JSON.stringify(o.schemes)} names no scheme (see \`chipstack schemes\`)`,
          );
        }
        if (names.length !== items.length) {
          throw new UsageError(
            `--schemes "${printable(o.schemes ?? '')}" has an empty item (expected a comma-separated list)`,
          );
        }
        const schemes = names.map(schemeOrUsage);
        const given = (key: string) => cmd.getOptionValueSource(key) === 'cli';
        if (o.in === undefined && o.tensor !== undefined) {
          throw new UsageError('--tensor needs --in (a .safetensors file or checkpoint to read it from)');
        }
        if (o.in !== undefined) {
          for (const [key, flag] of [
            ['synthetic', '--synthetic'],
            ['shape', '--shape'],
            ['seed', '--seed'],
          ] as const) {
            if (given(key))
              throw new UsageError(`${flag} is for synthetic data; it does not apply with --in`);
          }
        }
        let label: string;
        let rows: SchemeError[];
        let shape: readonly number[];
        let skipped: { scheme: string; reason: string }[] = [];
        if (o.in !== undefined) {
          const r = await compareIn(o.in, o.tensor, schemes, o.schemes !== undefined);
          ({ label, shape, skipped } = r);
          rows = r.results.sort((a, b) => b.sqnrDb - a.sqnrDb);
        } else {
          if (!(SYNTHETIC_KINDS as readonly string[]).includes(o.synthetic)) {
            throw new UsageError(
              `unknown synthetic kind "${o.synthetic}" (known: ${SYNTHETIC_KINDS.join(', ')})`,
            );
          }
          const m = /^(\d+)x(\d+)$/.exec(o.shape);
          if (!m || Number(m[1]) < 1 || Number(m[2]) < 1 || Number(m[1]) * Number(m[2]) > 1 << 26) {
            throw new UsageError(`--shape "${o.shape}" must be ROWSxCOLS with at most 2^26 elements`);
          }
          const seed = integerArg(o.seed, '--seed', 0, 0xffffffff);
          shape = [Number(m[1]), Number(m[2])];
          const data = synthetic(o.synthetic as SyntheticKind, shape[0]!, shape[1]!, seed);
          label = `synthetic ${o.synthetic} ${o.shape} seed ${seed}`;
          rows = schemes.map((s) => analyze(data, shape, s)).sort((a, b) => b.sqnrDb - a.sqnrDb);
        }
        if (o.json) {
          process.stdout.write(toJson({ input: label, shape, results: rows, skipped }) + '\n');
          return;
        }
        for (const k of skipped) process.stderr.write(`chipstack: skipped ${k.scheme}: it ${k.reason}\n`);
        const pct = (v: number) => (100 * v).toFixed(2) + '%';
        // no NaN or Infinity in the table: an exact reconstruction has SQNR "exact", an error made
        // infinite by an overflow "inf", and a figure a NaN/Inf input leaves undefined "n/a"
        let odd = false;
        const num = <T>(x: number, text: (x: number) => T): T | string => {
          if (Number.isFinite(x)) return text(x);
          odd = true;
          return Number.isNaN(x) ? 'n/a' : x > 0 ? 'inf' : '-inf';
        };
        const sqnr = (x: number) =>
          x === Number.POSITIVE_INFINITY ? 'exact' : num(x, (v) => Number(v.toFixed(2)));
        const exp3 = (x: number) => num(x, (v) => v.toExponential(3));
        process.stdout.write(
          `${label}\n` +
            table(
              [
                'scheme',
                'bits/elem',
                'SQNR dB',
                'MSE',
                'max abs err',
                'max rel err',
                'saturated',
                'flushed to 0',
              ],
              rows.map((r) => [
                r.scheme,
                Number(r.bitsPerElement.toFixed(4)),
                sqnr(r.sqnrDb),
                exp3(r.mse),
                exp3(r.maxAbsError),
                exp3(r.maxRelError),
                pct(r.saturated),
                pct(r.flushedToZero),
              ]),
            ) +
            '\n' +
            (odd
              ? 'n/a: undefined (the tensor holds NaN or Inf); inf: an error is infinite (a value overflowed); exact: no error\n'
              : ''),
        );
      },
    );
}
