/**
 * @module web/pages/performance
 * Performance: the roofline simulator (`src/perf`) run in the worker for a chosen model, system,
 * formats, batch and sequence length: tokens/s, TTFT, TPOT, J/token, $/Mtok and the per-operation
 * breakdown; and the validation table (predicted against published measurements).
 */
import * as Plot from '@observablehq/plot';
import { type PerfResult, STORAGE_FORMATS, type Workload } from '../../../src/perf/index.js';
import { chartBlock, PLOT_STYLE, plotWidth } from '../chart.js';
import { latest, run } from '../client.js';
import { getCatalog } from '../data.js';
import { debounce, field, fill, fmt, h, select } from '../dom.js';
import { getNumber, getString, update } from '../state.js';
import { dataTable } from '../table.js';

const FORMAT_IDS = STORAGE_FORMATS.map((f) => f.id);

/** The best 8-bit weight format a chip runs natively, as the simulator's named workloads pick it. */
function nativeEightBit(systemId: string): string {
  const cat = getCatalog();
  const acc = cat.getAccelerator(cat.getSystem(systemId).accelerator);
  const n = acc.formats.native as string[];
  if (n.some((f) => f.startsWith('fp8') || f === 'mxfp8')) return 'fp8';
  if (n.includes('int8')) return 'int8';
  return 'bf16';
}

function card(label: string, value: string, formula: string, testid: string): HTMLElement {
  return h(
    'div',
    { class: 'card' },
    h('div', { class: 'card-label' }, label),
    h('div', { class: 'card-value', 'data-metric': testid }, value),
    h('div', { class: 'formula' }, formula),
  );
}

function showResult(out: HTMLElement, r: PerfResult): void {
  const w = r.workload;
  const ms = (s: number | null) => (s === null ? 'n/a' : `${fmt(s * 1e3, 4)} ms`);
  const ops = [...r.ops].sort((a, b) => b.stepS - a.stepS);
  const plot = Plot.plot({
    width: plotWidth(),
    height: 40 + ops.length * 22,
    marginLeft: 230,
    style: PLOT_STYLE,
    x: { label: 'ms per step on one chip (before overlap)', grid: true },
    y: { label: null, domain: ops.map((o) => o.name) },
    color: {
      legend: true,
      domain: ['compute', 'memory', 'network'],
      range: ['#4e79a7', '#f28e2b', '#59a14f'],
    },
    marks: [
      Plot.barX(ops, { x: (o: (typeof ops)[number]) => o.stepS * 1e3, y: 'name', fill: 'bottleneck' }),
      Plot.ruleX([0]),
    ],
  });
  const alt = ops
    .slice(0, 8)
    .map((o) => `${o.name}: ${fmt(o.stepS * 1e3, 3)} ms, ${o.bottleneck}-bound`)
    .join('; ');
  fill(
    out,
    h(
      'div',
      { class: 'cards' },
      card('Tokens/s per chip', fmt(r.tokensPerSecPerChip, 4), 'tokens per step / step time', 'tps-chip'),
      card(
        'Tokens/s per system',
        fmt(r.tokensPerSecPerSystem, 4),
        'per chip x chips in the system',
        'tps-system',
      ),
      card('TTFT', ms(r.ttftS), 'prefill step time for the prompt', 'ttft'),
      card('TPOT', ms(r.tpotS), 'decode step time / accepted tokens per step', 'tpot'),
      card('J/token', fmt(r.energy.joulesPerToken, 4), 'wall W per chip / tokens/s per chip', 'jpt'),
      card('$/Mtok', fmt(r.energy.usdPerMtok, 4), '$ per chip-hour / (tokens/s x 3600) x 10^6', 'usd'),
      card(
        'Bottleneck',
        r.bottleneck,
        `compute ${(r.utilisation.compute * 100).toFixed(0)}%, memory ${(r.utilisation.memory * 100).toFixed(0)}%, network ${(r.utilisation.network * 100).toFixed(0)}%`,
        'bottleneck',
      ),
      card(
        'Memory',
        `${fmt(r.memory.weightsGB + r.memory.kvGB, 4)} / ${fmt(r.memory.capacityGB, 4)} GB`,
        `weights ${fmt(r.memory.weightsGB, 4)} + KV ${fmt(r.memory.kvGB, 4)}; ${r.memory.fits ? 'fits' : 'does NOT fit'}`,
        'memory',
      ),
    ),
    h(
      'p',
      { class: 'note' },
      `${r.chip} (${r.chipClass} class), ${w.phase}, batch ${w.batch}, sequence ${w.seqLen}, weights ${w.weights}, activations ${w.activations}, KV ${w.kv}, TP ${w.tp} EP ${w.ep} PP ${w.pp}. GEMM path: ${r.paths.gemm}; attention: ${r.paths.attention}.`,
    ),
    r.warnings.length
      ? h(
          'ul',
          { class: 'warnings' },
          r.warnings.map((x) => h('li', null, x)),
        )
      : null,
    chartBlock('Time per operation', plot, alt),
    dataTable({
      name: 'perf-ops',
      caption: 'Per-operation breakdown (one chip, one step)',
      columns: [
        { key: 'name', label: 'Operation', value: (o) => o.name },
        { key: 'count', label: 'Count', numeric: true, value: (o) => o.count },
        {
          key: 'flops',
          label: 'FLOPs',
          numeric: true,
          value: (o) => o.flops,
          render: (o) => fmt(o.flops, 3),
        },
        {
          key: 'bytes',
          label: 'Bytes',
          numeric: true,
          value: (o) => o.bytes,
          render: (o) => fmt(o.bytes, 3),
        },
        {
          key: 'stepMs',
          label: 'ms/step',
          numeric: true,
          value: (o) => o.stepS * 1e3,
          render: (o) => fmt(o.stepS * 1e3, 4),
        },
        { key: 'bottleneck', label: 'Bound by', value: (o) => o.bottleneck },
        { key: 'path', label: 'Path', value: (o) => o.path },
      ],
      rows: ops,
      sortable: true,
    }),
    h(
      'details',
      null,
      h('summary', null, 'Assumptions'),
      h(
        'ul',
        null,
        [...r.assumptions, ...r.energy.assumptions].map((x) => h('li', null, x)),
      ),
    ),
  );
}

function validationSection(): HTMLElement {
  const out = h('div', null, h('p', { class: 'status' }, 'Running the validation points in the worker...'));
  run('validation', {}).then(
    (v) =>
      fill(
        out,
        h(
          'p',
          { class: 'formula' },
          `error = (predicted - measured) / measured; median |error| ${v.medianAbsErrorPct.toFixed(1)}% over all points, ${v.independentMedianAbsErrorPct.toFixed(1)}% over points that calibrated nothing (target ${v.targetPct}%).`,
        ),
        dataTable({
          name: 'perf-validation',
          caption: 'Predicted against published measurements',
          columns: [
            {
              key: 'id',
              label: 'Point',
              value: (r) => r.id,
              render: (r) => h('abbr', { title: `${r.title}. ${r.setupFacts}` }, r.id),
            },
            { key: 'unit', label: 'Unit', value: (r) => r.unit },
            {
              key: 'measured',
              label: 'Measured',
              numeric: true,
              value: (r) => r.measured,
              render: (r) => fmt(r.measured, 4),
            },
            {
              key: 'predicted',
              label: 'Predicted',
              numeric: true,
              value: (r) => r.predicted,
              render: (r) => fmt(r.predicted, 4),
            },
            {
              key: 'errorPct',
              label: 'Error %',
              numeric: true,
              value: (r) => r.errorPct,
              render: (r) => r.errorPct.toFixed(1),
            },
            { key: 'calibrates', label: 'Calibrates', value: (r) => r.calibrates ?? '' },
            { key: 'source', label: 'Source', value: (r) => r.source },
          ],
          rows: v.rows,
          sortable: true,
        }),
      ),
    (err: Error) => fill(out, h('p', { class: 'error', role: 'alert' }, err.message)),
  );
  return h('section', { 'aria-labelledby': 'val-h' }, h('h2', { id: 'val-h' }, 'Validation'), out);
}

/** The Performance page. */
export function renderPerformance(root: HTMLElement): void {
  const cat = getCatalog();
  const models = cat.models.map((m) => m.id);
  const systems = cat.systems.map((s) => s.id);
  const st = {
    model: getString('model', 'deepseek-v3', models),
    system: getString('system', 'cloudmatrix-384', systems),
    phase: getString('phase', 'decode', ['decode', 'prefill']) as 'decode' | 'prefill',
    batch: getNumber('batch', 64, 1, 1e6),
    seq: getNumber('seq', 4096, 1, 1e7),
    weights: getString('weights', 'auto', ['auto', ...FORMAT_IDS]),
    acts: getString('acts', 'same', ['same', ...FORMAT_IDS]),
    kv: getString('kv', 'bf16', FORMAT_IDS),
    tp: getNumber('tp', 1, 1, 1024),
    ep: getString('ep', 'auto'),
  };
  const status = h('p', { class: 'status', 'aria-live': 'polite' });
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const out = h('div');
  const perf = latest('perf');
  const go = () => {
    const moe = cat.getModel(st.model).ffn === 'moe';
    const chips = cat.getSystem(st.system).figures.chips.value ?? 1;
    const epN = st.ep === 'auto' ? (moe ? chips : 1) : Number(st.ep);
    const w: Workload = {
      model: st.model,
      system: st.system,
      phase: st.phase,
      batch: st.batch,
      seqLen: st.seq,
      weights: st.weights === 'auto' ? nativeEightBit(st.system) : st.weights,
      kv: st.kv,
      tp: st.tp,
      ep: epN,
    };
    if (st.acts !== 'same') w.activations = st.acts;
    status.textContent = 'Simulating in the worker...';
    perf(w).then(
      (r) => {
        error.hidden = true;
        status.textContent = `Simulated ${r.ops.length} operations.`;
        showResult(out, r);
      },
      (err: Error) => {
        status.textContent = '';
        error.hidden = false;
        error.textContent = err.message;
      },
    );
  };
  const later = debounce(go, 150);
  const set = (k: keyof typeof st, urlKey: string) => (v: string) => {
    (st as Record<string, unknown>)[k] = typeof st[k] === 'number' ? Number(v) : v;
    update({ [urlKey]: v });
    later();
  };
  const num = (k: 'batch' | 'seq' | 'tp', min: number) => {
    const el = h('input', { type: 'number', min, step: 1, value: String(st[k]), id: `perf-${k}` });
    el.addEventListener('input', () => {
      const v = Number(el.value);
      if (Number.isFinite(v) && v >= min) set(k, k)(String(v));
    });
    return el;
  };
  root.append(
    h('h1', { id: 'page-title', tabindex: -1 }, 'Performance'),
    h(
      'p',
      { class: 'lede' },
      'An analytical roofline simulator per operation, calibrated per chip class (src/perf); every number below is computed in your browser.',
    ),
    h(
      'div',
      { class: 'controls' },
      field('Model', select(models, st.model, set('model', 'model'))),
      field('System', select(systems, st.system, set('system', 'system'))),
      field('Phase', select(['decode', 'prefill'], st.phase, set('phase', 'phase'))),
      field('Batch', num('batch', 1), 'sequences per TP group'),
      field('Sequence length', num('seq', 1), 'prompt (prefill) or KV length (decode)'),
      field(
        'Weights',
        select(
          [['auto', 'auto (native 8-bit)'], ...FORMAT_IDS.map((f): [string, string] => [f, f])],
          st.weights,
          set('weights', 'weights'),
        ),
      ),
      field(
        'Activations',
        select(
          [['same', 'same as weights'], ...FORMAT_IDS.map((f): [string, string] => [f, f])],
          st.acts,
          set('acts', 'acts'),
        ),
      ),
      field('KV cache', select(FORMAT_IDS, st.kv, set('kv', 'kv'))),
      field('TP', num('tp', 1)),
      field(
        'EP',
        select(
          [['auto', 'auto (all chips for MoE)'], '1', '8', '16', '32', '64', '72', '128', '256', '384'],
          st.ep,
          set('ep', 'ep'),
        ),
      ),
    ),
    error,
    status,
    out,
    validationSection(),
  );
  go();
}
