/**
 * @module cli/commands/onnx
 * `chipstack onnx inspect|quantize|eval|probe`: ONNX models in and out.
 */
import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import {
  calibrate,
  evaluate,
  type Feed,
  findWeights,
  type LoadedModel,
  loadModel,
  OnnxError,
  type QdqEncoding,
  quantizeModel,
  randomFeeds,
  readInputsDir,
} from '../../onnx/index.js';
import { probeRuntime } from '../../onnx/runtime.js';
import { getScheme, SCHEMES } from '../../quant/index.js';
import { integerArg, listArg, printable, table, toJson, UsageError } from '../util.js';

function asUsage(err: unknown): unknown {
  if (err instanceof OnnxError || err instanceof RangeError)
    return new UsageError((err as Error).message.split('\n')[0]!);
  return err;
}
async function guard<T>(f: () => Promise<T> | T): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw asUsage(e);
  }
}

/** A progress bar on a terminal's stderr; silent when piped or with --json. */
function progress(enabled: boolean, label: string) {
  const tty = enabled && process.stderr.isTTY;
  let drawn = false;
  return {
    update(done: number, total: number, what = '') {
      if (!tty) return;
      const w = 24;
      const k = total ? Math.round((w * done) / total) : w;
      process.stderr.write(
        `\r${label} [${'#'.repeat(k)}${' '.repeat(w - k)}] ${done}/${total} ${what.slice(0, 40)}\x1b[K`,
      );
      drawn = true;
    },
    done() {
      if (drawn) process.stderr.write('\r\x1b[K');
    },
  };
}

function parseShapes(list: string[] | undefined): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const s of list ?? []) {
    const m = /^(.+)=(\d+(?:x\d+)*)$/.exec(s);
    if (!m) throw new UsageError(`--shape "${printable(s)}" must be NAME=AxBxC`);
    const dims = m[2]!.split('x').map(Number);
    if (dims.some((d) => !Number.isSafeInteger(d) || d < 1))
      throw new UsageError(`--shape "${printable(s)}": every dimension must be a positive integer`);
    if (out.has(m[1]!)) throw new UsageError(`--shape ${printable(m[1]!)} is given twice`);
    out.set(m[1]!, dims);
  }
  return out;
}

function positiveInt(text: string, what: string, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > max)
    throw new UsageError(`${what} "${text}" must be an integer from 1 to ${max}`);
  return n;
}

function feedsFrom(
  m: LoadedModel,
  o: { inputs?: string; random?: string; shape?: string[]; seed?: string },
): { names: string[]; feeds: Feed[] } {
  if ((o.inputs === undefined) === (o.random === undefined))
    throw new UsageError('give one of --inputs DIR or --random N');
  const shapes = parseShapes(o.shape);
  if (o.inputs !== undefined) {
    if (shapes.size > 0) throw new UsageError('--shape is for random inputs; the .npy files give their own');
    return readInputsDir(m, o.inputs);
  }
  const n = positiveInt(o.random!, '--random', 10000);
  const seed = integerArg(o.seed, '--seed', 0, 0xffffffff, 1);
  const feeds = randomFeeds(m, n, seed, shapes);
  return { names: feeds.map((_, i) => `random-${i}`), feeds };
}

function readLabels(path: string, names: string[]): (number | null)[] {
  let j: unknown;
  try {
    // a FIFO would block the read forever
    if (!statSync(path).isFile()) throw new UsageError(`${path}: labels must be a regular JSON file`);
    j = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      `${path}: cannot read labels (${code ?? 'not JSON'}); expected a JSON object {sample: class id}`,
    );
  }
  if (j === null || typeof j !== 'object' || Array.isArray(j))
    throw new UsageError(`${path}: labels must be a JSON object {sample: class id}`);
  const rec = j as Record<string, unknown>;
  return names.map((n) => {
    if (!Object.hasOwn(rec, n)) return null;
    const v = rec[n];
    if (!Number.isInteger(v) || (v as number) < 0)
      throw new UsageError(`${path}: label of "${n}" is not a class id`);
    return v as number;
  });
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** A table cell: no NaN or Infinity (undefined is 'n/a', an infinite value 'inf'). */
const fixed = (x: number, digits: number): number | string =>
  Number.isFinite(x) ? Number(x.toFixed(digits)) : Number.isNaN(x) ? 'n/a' : x > 0 ? 'inf' : '-inf';
/** SQNR in dB: an exact reconstruction (no error) is 'exact', not Infinity. */
const sqnr = (x: number): number | string => (x === Number.POSITIVE_INFINITY ? 'exact' : fixed(x, 2));

export function register(program: Command): void {
  const onnx = program
    .command('onnx')
    .description('ONNX models: inspect, quantize weights, evaluate against the reference');

  onnx
    .command('inspect <model>')
    .description(
      'List the quantizable weights (Conv, ConvTranspose, MatMul, Gemm, Gather) with shape and reduction axis',
    )
    .option('--json', 'print JSON')
    .action((model: string, o: { json?: boolean }) =>
      guard(() => {
        const m = loadModel(model);
        const ws = findWeights(m);
        if (o.json) {
          process.stdout.write(
            `${toJson({ model, opset: m.opset, irVersion: Number(m.model.irVersion), producer: m.model.producerName, weights: ws })}\n`,
          );
          return;
        }
        const total = ws.reduce((a, w) => a + w.view[0] * w.view[1], 0);
        process.stdout.write(
          `${model}: opset ${m.opset}, ${ws.length} quantizable weights, ${total} elements\n` +
            table(
              ['weight', 'op', 'source', 'shape', 'dtype', 'reduction axes', 'view [rows, K]'],
              ws.map((w) => [
                w.name,
                w.kind + (w.kind === 'Gemm' ? (w.transB ? ' transB' : '') : ''),
                w.source,
                JSON.stringify(w.shape),
                w.dataType,
                JSON.stringify(w.reductionAxes),
                `${w.view[0]} x ${w.view[1]}`,
              ]),
            ) +
            '\n',
        );
      }),
    );

  onnx
    .command('quantize <in> <out>')
    .description(
      "Quantize the weights of a model with a block scheme, blocks along each weight's reduction axis",
    )
    .requiredOption('--scheme <name>', 'a scheme or alias from `chipstack schemes`')
    .option(
      '--mode <mode>',
      'fake: dequantized float32 weights; qdq: codes + scales and a dequantization subgraph',
      'fake',
    )
    .option('--include <glob>', 'only weights whose name matches (repeatable)', collect)
    .option('--exclude <glob>', 'skip weights whose name matches (repeatable)', collect)
    .option(
      '--four-over-six',
      'NVFP4: per block, scale amax to 6 or 4, whichever errs less (arXiv 2512.02010)',
    )
    .option(
      '--rotate',
      'block Hadamard rotation, size = block size, inverse fused (fake) or in the graph (qdq) (arXiv 2511.04214)',
    )
    .option('--gptq', 'GPTQ error-compensating rounding (arXiv 2210.17323); needs --calib or --calib-random')
    .option('--calib <dir>', 'calibration inputs for --gptq (.npy files, as `onnx eval --inputs`)')
    .option('--calib-random <n>', 'random calibration inputs for --gptq')
    .option('--shape <name=AxB>', 'shape of an input with symbolic dimensions (repeatable)', collect)
    .option(
      '--qdq-encoding <enc>',
      'auto | dq (DequantizeLinear, needs the opset) | lookup (Gather table, any opset >= 9)',
      'auto',
    )
    .option(
      '--force',
      'replace an existing output file that onnx quantize wrote (listed in .chipstack-onnx.json; never the input model or its external data)',
    )
    .option('--json', 'print JSON')
    .action(
      (
        input: string,
        out: string,
        o: {
          scheme: string;
          mode: string;
          include?: string[];
          exclude?: string[];
          fourOverSix?: boolean;
          rotate?: boolean;
          gptq?: boolean;
          calib?: string;
          calibRandom?: string;
          shape?: string[];
          qdqEncoding: string;
          force?: boolean;
          json?: boolean;
        },
      ) =>
        guard(async () => {
          if (o.mode !== 'fake' && o.mode !== 'qdq')
            throw new UsageError(`--mode "${o.mode}" must be fake or qdq`);
          if (!['auto', 'dq', 'lookup'].includes(o.qdqEncoding))
            throw new UsageError(`--qdq-encoding "${o.qdqEncoding}" must be auto, dq or lookup`);
          const scheme = getScheme(o.scheme);
          if (out === '') throw new UsageError('the output path is empty; give a file name');
          if (o.shape !== undefined && o.calibRandom === undefined)
            throw new UsageError('--shape is for --calib-random (random calibration inputs)');
          const m = loadModel(input);
          let hessians: Map<string, Float64Array> | undefined;
          if (o.gptq) {
            if (o.calib === undefined && o.calibRandom === undefined)
              throw new UsageError('--gptq needs --calib DIR or --calib-random N');
            const { feeds } = feedsFrom(m, { inputs: o.calib, random: o.calibRandom, shape: o.shape });
            const bar = progress(!o.json, 'calibrate');
            hessians = await calibrate(m, findWeights(m), feeds, 2048, (d, t) => bar.update(d, t));
            bar.done();
          } else if (o.calib !== undefined || o.calibRandom !== undefined)
            throw new UsageError('--calib and --calib-random are for --gptq');
          const bar = progress(!o.json, 'quantize');
          const r = quantizeModel(m, out, {
            scheme,
            mode: o.mode,
            include: o.include,
            exclude: o.exclude,
            fourOverSix: o.fourOverSix,
            rotate: o.rotate,
            hessians,
            qdqEncoding: o.qdqEncoding as QdqEncoding,
            force: o.force === true,
            onProgress: (d, t, n) => bar.update(d, t, n),
          });
          bar.done();
          if (o.json) {
            process.stdout.write(`${toJson({ in: input, out, ...r })}\n`);
            return;
          }
          process.stdout.write(
            `${input} -> ${out}: ${scheme.name}, ${r.mode}, ${r.weights.length} weights (${r.quantizedElements} elements), ` +
              `${r.bitsPerWeight.toFixed(3)} bits/weight, ${r.bytesIn} -> ${r.bytesOut} bytes\n` +
              table(
                [
                  'weight',
                  'op',
                  'view [rows, K]',
                  'method',
                  'rotated',
                  ...(r.mode === 'qdq' ? ['encoding'] : []),
                  'rel err',
                  'SQNR dB',
                ],
                r.weights.map((w) => [
                  w.name,
                  w.kind,
                  `${w.view[0]} x ${w.view[1]}`,
                  w.method,
                  w.rotated ? 'yes' : 'no',
                  ...(r.mode === 'qdq' ? [w.encoding ?? ''] : []),
                  fixed(w.relError, 5),
                  sqnr(w.sqnrDb),
                ]),
              ) +
              '\n' +
              (r.skipped.length
                ? `skipped: ${r.skipped.map((s) => `${s.name} (${s.reason})`).join('; ')}\n`
                : ''),
          );
        }),
    );

  onnx
    .command('eval <ref> <quant>')
    .description(
      'Run both models with onnxruntime-node: per-output relative error, cosine, top-1 agreement; per-layer weight error',
    )
    .option('--inputs <dir>', 'samples: DIR/NAME.npy (one input) or DIR/NAME/INPUT.npy')
    .option('--random <n>', 'n random samples (floats in [-1, 1))')
    .option(
      '--shape <name=AxB>',
      'shape of an input with symbolic dimensions (repeatable; default 1)',
      collect,
    )
    .option('--seed <n>', 'seed of --random', '1')
    .option(
      '--labels <file>',
      'JSON {sample: class id}: adds top-1 accuracy of both models on the first output',
    )
    .option('--json', 'print JSON')
    .action(
      (
        ref: string,
        quant: string,
        o: {
          inputs?: string;
          random?: string;
          shape?: string[];
          seed: string;
          labels?: string;
          json?: boolean;
        },
      ) =>
        guard(async () => {
          const a = loadModel(ref);
          const b = loadModel(quant);
          const { names, feeds } = feedsFrom(a, o);
          const labels = o.labels ? readLabels(o.labels, names) : undefined;
          const bar = progress(!o.json, 'eval');
          const r = await evaluate(a, b, feeds, { labels, onProgress: (d, t) => bar.update(d, t) });
          bar.done();
          if (o.json) {
            process.stdout.write(`${toJson({ reference: ref, quantized: quant, ...r })}\n`);
            return;
          }
          const worst = [...r.weights].sort((x, y) => y.relError - x.relError).slice(0, 10);
          process.stdout.write(
            `${r.samples} samples, ${r.seconds.toFixed(1)} s\n` +
              table(
                ['output', 'rel err', 'cosine', 'top-1 agree', 'vectors'],
                r.outputs.map((x) => [
                  x.output,
                  fixed(x.relError, 5),
                  fixed(x.cosine, 6),
                  Number.isNaN(x.top1) ? '-' : `${(100 * x.top1).toFixed(2)}%`,
                  x.vectors,
                ]),
              ) +
              '\n' +
              (r.task
                ? `task: top-1 accuracy on ${r.task.labeled} labeled samples: reference ${(100 * r.task.reference).toFixed(2)}%, quantized ${(100 * r.task.quantized).toFixed(2)}%\n`
                : '') +
              `weights (${r.weights.length}, worst first):\n` +
              table(
                ['weight', 'rel err', 'SQNR dB'],
                worst.map((w) => [w.name, fixed(w.relError, 5), sqnr(w.sqnrDb)]),
              ) +
              '\n',
          );
        }),
    );

  onnx
    .command('probe')
    .description(
      'Which dequantization graphs (DequantizeLinear per type, table lookup) the installed onnxruntime runs, checked bit for bit',
    )
    .option('--schemes <list>', 'comma-separated schemes (default: all)')
    .option('--json', 'print JSON')
    .action((o: { schemes?: string; json?: boolean }) =>
      guard(async () => {
        const schemes =
          o.schemes !== undefined
            ? listArg(o.schemes, '--schemes').map((s) => getScheme(s))
            : Object.values(SCHEMES);
        const r = await probeRuntime(schemes);
        if (o.json) {
          process.stdout.write(`${toJson({ onnxruntime: r.version, results: r.results })}\n`);
          return;
        }
        process.stdout.write(
          `onnxruntime-node ${r.version}\n` +
            table(
              ['scheme', 'encoding', 'opset', 'status', 'detail'],
              r.results.map((x) => [
                x.scheme,
                x.encoding === 'dq' ? 'DequantizeLinear' : 'lookup',
                x.opset,
                x.status,
                x.detail ?? '',
              ]),
            ) +
            '\n',
        );
      }),
    );
}
