/**
 * @module cli/commands/perf
 * `chipstack perf` (one workload on one system, or training), `chipstack compare-systems A B`
 * and `chipstack validate` (predicted vs measured, plus the article's scenarios). Text tables by
 * default, --json for everything with every assumption. Unknown names and bad numbers exit 2.
 */
import type { Command } from 'commander';
import { CatalogLookupError } from '../../catalog/catalog.js';
import { defaultCatalog } from '../../catalog/node.js';
import { ASSUMABLE_FIELDS, parseAssume } from '../../perf/chip.js';
import { OVERLAP_KINDS, type OverlapKind } from '../../perf/data.js';
import { checkEnergyOptions, type TrainingResult, trainingEstimate } from '../../perf/energy.js';
import { STORAGE_FORMATS } from '../../perf/formats.js';
import { defaultPerfData } from '../../perf/node.js';
import {
  articleScenarios,
  compareSystems,
  domesticTraining,
  NAMED_WORKLOADS,
  type TrainingScenario,
} from '../../perf/scenarios.js';
import { type ServePoint, type ServeSearch, serveSearch } from '../../perf/search.js';
import { PerfInputError, type PerfResult, simulate, type Workload } from '../../perf/simulate.js';
import { runValidation, type ValidationReport } from '../../perf/validate.js';
import { parseNumberArg, table, toJson, UsageError } from '../util.js';

/** Run `f`, turning lookup and input errors into one-line usage errors. */
function guard<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof CatalogLookupError || err instanceof PerfInputError || err instanceof RangeError) {
      throw new UsageError((err as Error).message);
    }
    throw err;
  }
}

const num = (what: string) => (text: string) => {
  const n = parseNumberArg(text, what);
  if (!Number.isFinite(n)) throw new UsageError(`${what} "${text}" must be finite`);
  return n;
};

const fmt = (x: number | null, digits = 3) =>
  x === null || !Number.isFinite(x) ? '?' : String(Number(x.toPrecision(digits)));
const ms = (s: number | null) => (s === null ? '-' : `${fmt(s * 1000, 4)} ms`);

/** Text report of one inference simulation. */
export function perfText(r: PerfResult): string {
  const w = r.workload;
  const head = [
    `${w.model} on ${w.system} (${r.chip}, class ${r.chipClass}), ${w.phase}, batch ${w.batch}, seq ${w.seqLen}, tp ${w.tp} ep ${w.ep} pp ${w.pp} (${r.parallel.chips} chips${r.parallel.auto.length ? `; ${r.parallel.auto.join('/')} auto: smallest that fits` : ''})`,
    `formats: weights ${w.weights}${w.attentionWeights !== w.weights ? ` (attention projections ${w.attentionWeights})` : ''}, activations ${w.activations}, KV ${w.kv}`,
    `GEMM path: ${r.paths.gemm}`,
    ...(r.paths.attentionProjections !== r.paths.gemm
      ? [`attention projections: ${r.paths.attentionProjections}`]
      : []),
    `attention: ${r.paths.attention}`,
    '',
  ];
  const ops = table(
    ['operation', 'per step', 'ms/step', 'share %', 'bottleneck'],
    r.ops.map((o) => [
      o.name,
      Number(o.count.toFixed(2)),
      Number((o.stepS * 1000).toFixed(3)),
      Number(((o.stepS / r.stepS) * 100).toFixed(1)),
      o.bottleneck,
    ]),
  );
  const e = r.energy;
  const summary = [
    '',
    `tokens/s per chip ${fmt(r.tokensPerSecPerChip, 4)}, per system ${fmt(r.tokensPerSecPerSystem, 4)}`,
    `step ${ms(r.stepS)}, TTFT ${ms(r.ttftS)}, TPOT ${ms(r.tpotS)}, bottleneck ${r.bottleneck}`,
    `utilisation: compute ${fmt(r.utilisation.compute * 100)}%, memory ${fmt(r.utilisation.memory * 100)}%, network ${fmt(r.utilisation.network * 100)}%`,
    `memory per chip: weights ${fmt(r.memory.weightsGB)} + KV ${fmt(r.memory.kvGB)} + activations ${fmt(r.memory.activationsGB)} + workspace ${fmt(r.memory.workspaceGB)} = ${fmt(r.memory.totalGB)} GB of ${r.memory.capacityGB} GB`,
    `energy: ${fmt(e.joulesPerToken)} J/token (chip ${fmt(e.chipW)} W + overhead ${fmt(e.overheadW)} W, PUE ${e.pue}), ${fmt(e.usdPerMtok)} USD per Mtok`,
    '',
    'assumptions:',
    ...r.assumptions.map((a) => `  - ${a}`),
    ...(r.warnings.length ? ['warnings:', ...r.warnings.map((x) => `  ! ${x}`)] : []),
  ];
  return `${[...head, ops, ...summary].join('\n')}\n`;
}

/** Text report of a training estimate. */
export function trainingText(t: TrainingResult): string {
  return `${[
    `${t.model} training on ${t.system} (${t.chip})`,
    `FLOPs per token ${fmt(t.flopsPerToken)}, total ${fmt(t.totalFlops)}, MFU ${t.mfu}`,
    `${fmt(t.chipHours / 1e6, 4)} M chip-hours, ${fmt(t.days)} days, ${fmt(t.energyMWh)} MWh, ${fmt(t.costUsd === null ? null : t.costUsd / 1e6)} M USD`,
    'assumptions:',
    ...t.assumptions.map((a) => `  - ${a}`),
  ].join('\n')}\n`;
}

/** Text table of a training scenario: days, energy and cost per chip, or the missing figure. */
export function trainingScenarioText(t: TrainingScenario): string {
  const rows = t.rows.map((r) =>
    r.result
      ? [
          r.label,
          fmt(r.result.mfu),
          fmt(r.result.days, 3),
          fmt(r.result.energyMWh, 3),
          fmt(r.result.costUsd === null ? null : r.result.costUsd / 1e6, 3),
          '',
        ]
      : [r.label, '', '', '', '', r.missing ?? ''],
  );
  return `${[
    `${t.id}: ${t.title}`,
    table(['chips', 'MFU', 'days', 'MWh', 'M USD', 'missing'], rows).replace(/^/gm, '  '),
    ...t.notes.map((n) => `  ${n}`),
  ].join('\n')}\n`;
}

/** Text table of the validation report and the scenarios. */
export function validateText(v: ValidationReport, scenarios: ReturnType<typeof articleScenarios>): string {
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;
  const rows = v.rows.map((r) => [
    r.id,
    r.chipClass,
    r.role,
    fmt(r.measured, 4),
    fmt(r.predicted, 4),
    pct(r.errorPct),
    pct(r.looErrorPct),
    r.unit,
  ]);
  const signs = v.signBalance.map(
    (s) => `${s.chipClass} ${s.over}+/${s.under}-${s.oneSided ? ' (one-sided)' : ''}`,
  );
  const out = [
    table(['point', 'class', 'role', 'measured', 'predicted', 'error %', 'LOO error %', 'unit'], rows),
    `${v.counts.points} points (${v.counts.validation} validation, ${v.counts.calibration} calibration)`,
    `median |error| over validation points ${v.validationMedianAbsErrorPct.toFixed(1)}% (goal <= ${v.targetPct}%), largest ${v.maxValidationAbsErrorPct.toFixed(1)}% (goal <= ${v.maxPct}%); leave-one-out median ${v.looMedianAbsErrorPct.toFixed(1)}%; all points in-sample ${v.medianAbsErrorPct.toFixed(1)}%`,
    `sign balance of validation errors per class (model faster than measured +, slower -; chip-hours count inverted): ${signs.join(', ')}`,
    `decode overhead per MoE layer, fitted on the calibration points: ${v.overheads.map((o) => `${o.chipClass} ${o.floorUs} us + ${o.perTokenUs} us per token (${o.points.join(', ')})`).join('; ')}`,
    `goal ${v.goalMet ? 'met' : 'NOT met'}. Sources, setups and assumptions of every point: add --json.`,
    ...v.rows.filter((r) => r.note !== null).map((r) => `note, ${r.id}: ${r.note}`),
    '',
  ];
  for (const s of scenarios) {
    out.push(`${s.id}: ${s.title}`);
    for (const c of s.claims)
      out.push(`  ${c.claim}: ours ${fmt(c.ours)}${Number.isNaN(c.article) ? '' : `, article ${c.article}`}`);
    out.push(
      table(
        ['case', 'tok/s/chip', 'TPOT ms', 'J/token'],
        s.rows.map((r) => [
          r.label,
          Number(r.tokensPerSecPerChip.toFixed(0)),
          r.tpotMs === null ? '-' : r.tpotMs.toFixed(1),
          r.joulesPerToken === null ? '?' : r.joulesPerToken.toFixed(3),
        ]),
      ).replace(/^/gm, '  '),
    );
    for (const n of s.notes) out.push(`  ${n}`);
    out.push('');
  }
  return `${out.join('\n')}`;
}

interface PerfOpts {
  model: string;
  system: string;
  phase: string;
  batch?: number;
  seq?: number;
  weights?: string;
  attentionWeights?: string;
  activations?: string;
  kv?: string;
  tp?: number;
  ep?: number;
  pp?: number;
  mtp?: number;
  mtpAcceptance?: number;
  overlap?: number;
  overlapKind?: string;
  imbalance?: number;
  cacheHit?: number;
  fp8Fallback?: string;
  pue?: number;
  electricity?: number;
  tokens?: number;
  chips?: number;
  mfu?: number;
  assume?: string[];
  tpotMax?: number;
  ttftMax?: number;
  pareto?: boolean;
  outputLen?: number;
  json?: boolean;
}

/** Text report of a serving search. */
export function searchText(s: ServeSearch, pareto: boolean): string {
  const row = (p: ServePoint) => [
    p.batch,
    `${p.tp}/${p.ep}/${p.pp}`,
    p.chips,
    fmt(p.tokensPerSecPerChip, 4),
    fmt(p.tokensPerSecPerUser, 3),
    fmt(p.tpotMs, 3),
    fmt(p.ttftMs, 3),
  ];
  const head = ['batch', 'tp/ep/pp', 'chips', 'tok/s/chip', 'tok/s/user', 'TPOT ms', 'TTFT ms'];
  const lim = [
    s.tpotMaxMs === null ? null : `TPOT <= ${s.tpotMaxMs} ms`,
    s.ttftMaxMs === null ? null : `TTFT <= ${s.ttftMaxMs} ms`,
  ].filter(Boolean);
  const out = [
    `${s.model} on ${s.system}: serving search over ${s.evaluated} fitting (batch, deployment) pairs${lim.length ? `, within ${lim.join(' and ')}` : ''}`,
  ];
  out.push(s.best ? `best: ${table(head, [row(s.best)])}` : 'no batch and deployment meets the limits');
  if (pareto)
    out.push(
      'Pareto frontier (tokens/s per chip against tokens/s per user):',
      table(head, s.pareto.map(row)),
    );
  if (s.prefillDecode) {
    const r = s.prefillDecode;
    out.push(
      `prefill:decode chips = ${fmt(r.prefillChipsPerDecodeChip, 3)} : 1 for ${r.inputLen}-token prompts and ${r.outputLen} output tokens (prefill ${fmt(r.prefillTokensPerSecPerChip, 4)} tok/s/chip)`,
    );
  }
  out.push('assumptions:', ...s.assumptions.map((a) => `  - ${a}`));
  return `${out.join('\n')}\n`;
}

/** Options that only some modes read, by flag: given elsewhere they are refused, never ignored. */
const INFERENCE_ONLY: readonly (readonly [keyof PerfOpts, string])[] = [
  ['batch', '--batch'],
  ['weights', '--weights'],
  ['attentionWeights', '--attention-weights'],
  ['activations', '--activations'],
  ['kv', '--kv'],
  ['tp', '--tp'],
  ['ep', '--ep'],
  ['pp', '--pp'],
  ['mtp', '--mtp'],
  ['mtpAcceptance', '--mtp-acceptance'],
  ['overlap', '--overlap'],
  ['overlapKind', '--overlap-kind'],
  ['imbalance', '--imbalance'],
  ['cacheHit', '--cache-hit'],
  ['fp8Fallback', '--fp8-fallback'],
  ['tpotMax', '--tpot-max'],
  ['ttftMax', '--ttft-max'],
  ['pareto', '--pareto'],
  ['outputLen', '--output-len'],
];
const TRAINING_ONLY: readonly (readonly [keyof PerfOpts, string])[] = [
  ['tokens', '--tokens'],
  ['chips', '--chips'],
  ['mfu', '--mfu'],
];

/** Refuse option combinations that would be silently ignored. */
function checkModeOptions(o: PerfOpts): void {
  const given = (k: keyof PerfOpts) => o[k] !== undefined;
  if (o.phase === 'training') {
    for (const [k, flag] of INFERENCE_ONLY)
      if (given(k)) throw new UsageError(`${flag} does not apply to --phase training`);
    return;
  }
  for (const [k, flag] of TRAINING_ONLY)
    if (given(k)) throw new UsageError(`${flag} applies to --phase training only`);
  if (given('mtpAcceptance') && !o.mtp)
    throw new UsageError('--mtp-acceptance needs --mtp N (draft tokens per step, 1 to 8)');
  if (given('mtpAcceptance') && !(o.mtpAcceptance! >= 0 && o.mtpAcceptance! <= 1))
    throw new UsageError(`--mtp-acceptance must be a number from 0 to 1, got ${o.mtpAcceptance}`);
  if (given('cacheHit') && o.phase !== 'prefill')
    throw new UsageError('--cache-hit applies to --phase prefill only');
  const search = given('tpotMax') || given('ttftMax') || o.pareto === true;
  if (given('outputLen') && !search)
    throw new UsageError('--output-len is for the serving search (--tpot-max, --ttft-max or --pareto)');
  if (o.fp8Fallback !== undefined && o.fp8Fallback !== 'bf16' && o.fp8Fallback !== 'int8')
    throw new UsageError(`--fp8-fallback must be bf16 or int8, got "${o.fp8Fallback}"`);
}

function runPerf(o: PerfOpts): string {
  const cat = defaultCatalog();
  const data = defaultPerfData();
  const energy = { pue: o.pue, electricityUsdPerKWh: o.electricity };
  const assume = guard(() => parseAssume(o.assume ?? []));
  guard(() => checkEnergyOptions(energy));
  if (o.phase !== 'prefill' && o.phase !== 'decode' && o.phase !== 'training')
    throw new UsageError(`--phase must be prefill, decode or training, got "${o.phase}"`);
  checkModeOptions(o);
  if (o.phase === 'training') {
    if (o.tokens === undefined || o.chips === undefined)
      throw new UsageError('training needs --tokens and --chips');
    if (!Number.isInteger(o.chips) || o.chips < 1)
      throw new UsageError(`--chips must be a positive integer, got ${o.chips}`);
    const t = guard(() =>
      trainingEstimate(data, cat, {
        model: o.model,
        system: o.system,
        tokens: o.tokens!,
        chips: o.chips!,
        seqLen: o.seq,
        mfu: o.mfu,
        energy,
        assume,
      }),
    );
    return o.json ? `${toJson(t)}\n` : trainingText(t);
  }
  if (o.overlapKind !== undefined && !(OVERLAP_KINDS as readonly string[]).includes(o.overlapKind))
    throw new UsageError(`--overlap-kind must be ${OVERLAP_KINDS.join(', ')}, got "${o.overlapKind}"`);
  /** The workload fields the serving search and one simulation share. */
  const common = {
    model: o.model,
    system: o.system,
    seqLen: o.seq ?? 4096,
    weights: o.weights,
    attentionWeights: o.attentionWeights,
    activations: o.activations,
    kv: o.kv,
    tp: o.tp,
    ep: o.ep,
    pp: o.pp,
    mtp: o.mtp !== undefined ? { draftTokens: o.mtp, acceptance: o.mtpAcceptance ?? 0.7 } : undefined,
    overlap: o.overlap,
    overlapKind: o.overlapKind as OverlapKind | undefined,
    expertImbalance: o.imbalance,
    fp8Fallback: o.fp8Fallback as 'bf16' | 'int8' | undefined,
    energy,
    assume,
  };
  if (o.tpotMax !== undefined || o.ttftMax !== undefined || o.pareto) {
    if (o.phase !== 'decode')
      throw new UsageError('--tpot-max, --ttft-max and --pareto search decode serving; drop --phase');
    if (o.batch !== undefined) throw new UsageError('--tpot-max/--pareto search the batch; drop --batch');
    const s = guard(() =>
      serveSearch(data, cat, common, { tpotMaxMs: o.tpotMax, ttftMaxMs: o.ttftMax, outputLen: o.outputLen }),
    );
    return o.json ? `${toJson(s)}\n` : searchText(s, o.pareto === true);
  }
  const r = guard(() => {
    const w: Workload = {
      ...common,
      phase: o.phase as 'prefill' | 'decode',
      batch: o.batch ?? (o.phase === 'decode' ? 64 : 1),
      cacheHitRate: o.cacheHit,
    };
    return simulate(data, cat, w);
  });
  return o.json ? `${toJson(r)}\n` : perfText(r);
}

export function register(program: Command): void {
  program
    .command('perf')
    .description(
      'Per-operation roofline of an LLM on a system: tokens/s, TTFT, TPOT, J/token, $/Mtok, bottlenecks',
    )
    .requiredOption('--model <id>', 'model id or alias (see `chipstack models`)')
    .requiredOption(
      '--system <id>',
      'system id or alias (see `chipstack systems`), or CHIP:N to build N chips from the catalogue chip (e.g. ascend-910b:8)',
    )
    .option(
      '--assume <FIELD=VALUE>',
      `replace or supply a chip figure the catalogue lacks (repeatable): ${ASSUMABLE_FIELDS.join(', ')}`,
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--phase <phase>', 'prefill, decode or training', 'decode')
    .option(
      '--batch <n>',
      'sequences per TP group (decode: concurrent; prefill: prompts per forward)',
      num('--batch'),
    )
    .option(
      '--seq <n>',
      'prompt length (prefill) or KV length (decode); training sequence length',
      num('--seq'),
    )
    .option('--weights <format>', `weight format: ${STORAGE_FORMATS.map((f) => f.id).join(', ')}`)
    .option(
      '--attention-weights <format>',
      'attention-projection weight format, e.g. bf16 in an NVFP4 checkpoint (default: as weights)',
    )
    .option('--activations <format>', 'activation format (default: as weights)')
    .option('--kv <format>', 'KV-cache format (default bf16)')
    .option(
      '--tp <n>',
      'tensor-parallel degree (default: auto, the smallest deployment that fits)',
      num('--tp'),
    )
    .option(
      '--ep <n>',
      'expert-parallel degree (default: auto, the smallest deployment that fits)',
      num('--ep'),
    )
    .option(
      '--pp <n>',
      'pipeline-parallel stages (default: auto, the smallest deployment that fits)',
      num('--pp'),
    )
    .option('--mtp <n>', 'multi-token-prediction draft tokens per step', num('--mtp'))
    .option('--mtp-acceptance <x>', 'acceptance rate of draft tokens (default 0.7)', num('--mtp-acceptance'))
    .option(
      '--overlap <x>',
      'fraction of collective time hidden by micro-batch overlap (default 0)',
      num('--overlap'),
    )
    .option(
      '--overlap-kind <kind>',
      "micro-batch (default: two micro-batches hide each other's collectives), single-batch (SGLang SBO: shared experts hide the dispatch, the down projection hides the combine) or dispatch-only (CloudMatrix-Infer decode: only the dispatch is hidden), or shared-expert (shared experts on a second stream hide the dispatch)",
    )
    .option('--imbalance <x>', 'busiest expert rank over the mean (default 1)', num('--imbalance'))
    .option('--cache-hit <x>', 'prefill: share of prompt tokens served from a KV cache', num('--cache-hit'))
    .option(
      '--fp8-fallback <path>',
      'FP8 on a chip without FP8: bf16 (dequantise, default) or int8 (requantise)',
    )
    .option('--pue <x>', 'power usage effectiveness (default from data/perf/energy.json)', num('--pue'))
    .option('--electricity <usd>', 'USD per kWh (default by region)', num('--electricity'))
    .option('--tokens <n>', 'training: tokens to train on', num('--tokens'))
    .option('--chips <n>', 'training: chips used', num('--chips'))
    .option('--mfu <x>', 'training: model FLOPs utilisation (default from the chip class)', num('--mfu'))
    .option(
      '--tpot-max <ms>',
      'serving search: most tokens/s per chip with TPOT at most this (ms)',
      num('--tpot-max'),
    )
    .option('--ttft-max <ms>', 'serving search: also TTFT at most this (ms)', num('--ttft-max'))
    .option('--pareto', 'serving search: print the frontier of tokens/s per chip against tokens/s per user')
    .option(
      '--output-len <n>',
      'serving search: output tokens per request for the prefill:decode ratio (default 1000)',
      num('--output-len'),
    )
    .option('--json', 'print the full result with every operation and assumption')
    .action((o: PerfOpts) => {
      process.stdout.write(runPerf(o));
    });
  program
    .command('compare-systems')
    .description(
      'Ratios of two systems: compute, HBM, bandwidth, power, FLOPs per watt, and J/token on a workload',
    )
    .argument('<a>', 'first system: a catalogue system or CHIP:N (N chips built from the chip)')
    .argument('<b>', 'second system (the same forms)')
    .option(
      '--workload <name>',
      `named workload: ${Object.keys(NAMED_WORKLOADS).join(', ')}`,
      'deepseek-v3-decode',
    )
    .option('--json', 'print ratios and both simulations with their assumptions')
    .action((a: string, b: string, o: { workload: string; json?: boolean }) => {
      const c = guard(() => compareSystems(defaultPerfData(), defaultCatalog(), a, b, o.workload));
      if (o.json) {
        process.stdout.write(`${toJson(c)}\n`);
        return;
      }
      // 'no': published as not supported by the chip (unknown figures print '?')
      const side = (r: (typeof c.rows)[number], i: 0 | 1) =>
        r.notSupported?.[i] ? 'no' : fmt(i === 0 ? r.a : r.b, 4);
      const rows = c.rows.map((r) => [r.metric, side(r, 0), side(r, 1), r.notSupported ? '-' : fmt(r.ratio)]);
      process.stdout.write(
        `${table(['metric', c.a, c.b, `${c.a} / ${c.b}`], rows)}\nWorkload formats: ${c.perf.a.workload.weights} on ${c.a}, ${c.perf.b.workload.weights} on ${c.b}. Assumptions: add --json.\n`,
      );
    });
  program
    .command('validate')
    .description(
      'Predicted vs measured for every published calibration point, with error %, and the named scenarios',
    )
    .option('--json', 'print every point with its setup, assumptions and prediction')
    .action((o: { json?: boolean }) => {
      const data = defaultPerfData();
      const cat = defaultCatalog();
      const v = runValidation(data, cat);
      const s = articleScenarios(data, cat);
      const t = domesticTraining(data, cat);
      process.stdout.write(
        o.json
          ? `${toJson({ validation: v, scenarios: s, training: t })}\n`
          : validateText(v, s) + trainingScenarioText(t),
      );
    });
}
