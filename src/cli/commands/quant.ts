/**
 * @module cli/commands/quant
 * `chipstack schemes` and `chipstack compare`: block-scaled schemes and their error on a tensor.
 */
import type { Command } from 'commander';
import { toFloat32 } from '../../convert/tensor.js';
import { openSafetensors } from '../../io/index.js';
import {
  analyze,
  bitsPerElement,
  getScheme,
  SCHEME_ALIASES,
  SCHEMES,
  type SchemeError,
  SYNTHETIC_KINDS,
  type SyntheticKind,
  synthetic,
} from '../../quant/index.js';
import { table, toJson, UsageError } from '../util.js';

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
  'int8-q8_0',
];

function schemeOrUsage(name: string) {
  try {
    return getScheme(name);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

async function loadTensor(path: string, name: string | undefined) {
  let file: Awaited<ReturnType<typeof openSafetensors>>;
  try {
    file = await openSafetensors(path);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  try {
    const floats = file.header.tensors.filter((t) => ['F32', 'F16', 'BF16', 'F64'].includes(t.dtype));
    const info =
      name === undefined
        ? floats.sort((a, b) => b.byteLength - a.byteLength)[0]
        : floats.find((t) => t.name === name);
    if (!info) {
      throw new UsageError(
        name === undefined
          ? `${path}: no F32/F16/BF16 tensor to compare`
          : `${path}: no F32/F16/BF16 tensor named "${name}" (have: ${floats
              .map((t) => t.name)
              .slice(0, 10)
              .join(', ')})`,
      );
    }
    const data = toFloat32(info.dtype, await file.read(info.name), `${path}: ${info.name}`);
    const shape = info.shape.length === 0 ? [1] : info.shape;
    return { label: `${path}:${info.name} ${JSON.stringify(info.shape)} ${info.dtype}`, data, shape };
  } finally {
    await file.close();
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
              r.scaleStorage,
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
      async (o: {
        in?: string;
        tensor?: string;
        synthetic: string;
        shape: string;
        seed: string;
        schemes?: string;
        json?: boolean;
      }) => {
        const schemes = (
          o.schemes
            ? o.schemes
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean)
            : DEFAULT_COMPARE
        ).map(schemeOrUsage);
        let label: string;
        let data: Float32Array;
        let shape: readonly number[];
        if (o.in !== undefined) {
          ({ label, data, shape } = await loadTensor(o.in, o.tensor));
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
          const seed = Number(o.seed);
          if (!Number.isInteger(seed)) throw new UsageError(`--seed "${o.seed}" is not an integer`);
          shape = [Number(m[1]), Number(m[2])];
          data = synthetic(o.synthetic as SyntheticKind, shape[0]!, shape[1]!, seed);
          label = `synthetic ${o.synthetic} ${o.shape} seed ${seed}`;
        }
        const rows: SchemeError[] = schemes
          .map((s) => analyze(data, shape, s, { axis: -1 })) // blocks along the last axis (K of a Linear [out, in])
          .sort((a, b) => b.sqnrDb - a.sqnrDb);
        if (o.json) {
          process.stdout.write(toJson({ input: label, shape, results: rows }) + '\n');
          return;
        }
        const pct = (v: number) => (100 * v).toFixed(2) + '%';
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
                Number(r.sqnrDb.toFixed(2)),
                r.mse.toExponential(3),
                r.maxAbsError.toExponential(3),
                r.maxRelError.toExponential(3),
                pct(r.saturated),
                pct(r.flushedToZero),
              ]),
            ) +
            '\n',
        );
      },
    );
}
