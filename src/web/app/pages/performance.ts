/**
 * @module web/pages/performance
 * Performance: the roofline simulator (`src/perf`) run in the worker for a chosen model, system,
 * formats, batch and sequence length: tokens/s, TTFT, TPOT, J/token, $/Mtok and the per-operation
 * breakdown; and the validation table (predicted against published measurements). The first
 * simulation was sent at navigation (perf-state.ts); the cards are drawn as soon as it answers,
 * the charts once Plot has loaded, the serving search and the validation table after.
 */

import type { Assumed, PerfResult, ServeSearch } from '../../../perf/index.js';
import { BOTTLENECK_COLOURS } from '../../../web/palette.js';
import {
  AXES,
  COLOURS,
  chartBlock,
  chartSlot,
  loadPlot,
  narrow,
  PLOT_STYLE,
  type PlotModule,
  plotWidth,
  X_LABEL,
} from '../chart.js';
import { latest, run } from '../client.js';
import { card, debounce, field, fill, fmt, h, select } from '../dom.js';
import {
  chipName,
  choices,
  FORMAT_IDS,
  isMoe,
  limitMs,
  modelName,
  numberProblems,
  type PerfState,
  perfWorkload,
  readPerfState,
  systemName,
} from '../perf-state.js';
import { update } from '../state.js';
import { dataTable } from '../table.js';
import type { PerfOutcome, Tasks } from '../tasks.js';

/** perf's `--assume` parser (`parseAssume`), loaded when an assumption is typed or in the link. */
let assumeParser: ((items: readonly string[]) => Assumed) | undefined;
const loadAssumeParser = () =>
  import('../../../perf/chip.js').then((m) => {
    assumeParser = m.parseAssume;
  });

function showResult(out: HTMLElement, r: PerfResult): void {
  const w = r.workload;
  const names = { model: modelName(w.model), system: systemName(w.system), chip: chipName(r.chip) };
  const ms = (s: number | null) => (s === null ? 'n/a' : `${fmt(s * 1e3, 4)} ms`);
  const ops = [...r.ops].sort((a, b) => b.stepS - a.stepS);
  const width = plotWidth();
  const small = narrow();
  const short = (n: string) => (small && n.length > 20 ? `${n.slice(0, 19)}…` : n);
  const opsPlot = (Plot: PlotModule) =>
    Plot.plot({
      width,
      height: AXES.marginTop + AXES.marginBottom + ops.length * 22,
      ...AXES,
      marginLeft: small ? 130 : 230,
      style: PLOT_STYLE,
      x: {
        label: 'ms per step on one chip (before overlap)',
        grid: true,
        ticks: Math.max(3, Math.floor(width / 90)),
        ...X_LABEL,
      },
      y: { label: null, domain: ops.map((o) => o.name), tickFormat: short },
      color: {
        legend: true,
        domain: ['compute', 'memory', 'network'],
        range: [BOTTLENECK_COLOURS.compute, BOTTLENECK_COLOURS.memory, BOTTLENECK_COLOURS.network],
      },
      marks: [
        Plot.barX(ops, {
          x: (o: (typeof ops)[number]) => o.stepS * 1e3,
          y: 'name',
          fill: 'bottleneck',
          tip: true,
          title: (o: (typeof ops)[number]) =>
            `${o.name}\n${fmt(o.stepS * 1e3, 4)} ms per step (${o.count} runs)\n${o.bottleneck}-bound; ${o.path}`,
        }),
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
        `${fmt(r.memory.totalGB, 4)} / ${fmt(r.memory.capacityGB, 4)} GB`,
        `weights ${fmt(r.memory.weightsGB, 4)} + KV ${fmt(r.memory.kvGB, 4)} + activations ${fmt(r.memory.activationsGB, 3)} + workspace ${fmt(r.memory.workspaceGB, 3)}; fits`,
        'memory',
      ),
    ),
    h(
      'p',
      { class: 'note' },
      `${names.model} on ${names.system}: ${names.chip} (${r.chipClass} class), ${w.phase}, batch ${w.batch}, sequence ${w.seqLen}, weights ${w.weights}${w.attentionWeights !== w.weights ? ` (attention projections ${w.attentionWeights})` : ''}, activations ${w.activations}, KV ${w.kv}, TP ${w.tp} EP ${w.ep} PP ${w.pp}${w.overlap > 0 ? `, ${w.overlap * 100}% of the communication hidden (${w.overlapKind})` : ''}. GEMM path: ${r.paths.gemm}; attention: ${r.paths.attention}.`,
    ),
    r.warnings.length
      ? h(
          'ul',
          { class: 'warnings' },
          r.warnings.map((x) => h('li', null, x)),
        )
      : null,
    chartSlot((Plot) =>
      chartBlock('Time per operation', opsPlot(Plot), alt, undefined, {
        name: 'perf-ops',
        scenario: `${names.model} on ${names.system}, ${w.phase}, batch ${w.batch}, sequence ${w.seqLen}, weights ${w.weights}, KV ${w.kv}, TP ${w.tp} EP ${w.ep} PP ${w.pp}${w.overlap > 0 ? `, overlap ${w.overlap} ${w.overlapKind}` : ''}; model estimate`,
        columns: ['operation', 'ms per step', 'bound by', 'path'],
        rows: ops.map((o) => [o.name, o.stepS * 1e3, o.bottleneck, o.path]),
      }),
    ),
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

/** The validation section and the call that asks the worker for it (after the page's simulation). */
function validationSection(): { section: HTMLElement; start: () => void } {
  const out = h('div', null, h('p', { class: 'status' }, 'Running the validation points in the worker...'));
  const start = () =>
    run('validation', {}).then(
      (v) =>
        fill(
          out,
          h(
            'p',
            { class: 'formula', 'data-validation-summary': '' },
            `error = (predicted - measured) / measured. ${v.counts.points} published points (${v.counts.validation} validation, ${v.counts.calibration} calibration). Over validation points only: median |error| ${v.validationMedianAbsErrorPct.toFixed(1)}% (goal <= ${v.targetPct}%), largest ${v.maxValidationAbsErrorPct.toFixed(1)}% (goal <= ${v.maxPct}%); leave-one-out median ${v.looMedianAbsErrorPct.toFixed(1)}%. Sign balance per hardware class (model faster / slower than measured; chip-hours counted inverted): ${v.signBalance.map((b) => `${b.chipClass} ${b.over}/${b.under}${b.oneSided ? ' (one-sided)' : ''}`).join(', ')}. Decode overhead per MoE layer, fitted on the calibration points: ${v.overheads.map((o) => `${o.chipClass} ${o.floorUs} us + ${o.perTokenUs} us per token`).join(', ')}. Goal ${v.goalMet ? 'met' : 'not met'}.`,
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
              {
                key: 'looErrorPct',
                label: 'LOO error %',
                numeric: true,
                value: (r) => r.looErrorPct,
                render: (r) => r.looErrorPct.toFixed(1),
              },
              { key: 'role', label: 'Role', value: (r) => r.role },
              { key: 'chipClass', label: 'Class', value: (r) => r.chipClass },
              { key: 'calibrates', label: 'Calibrates', value: (r) => r.calibrates ?? '' },
              { key: 'source', label: 'Source', value: (r) => r.source },
            ],
            rows: v.rows,
            sortable: true,
          }),
          // what a measurement is when the model cannot predict it (as `chipstack validate` prints)
          ...v.rows
            .filter((r) => r.note)
            .map((r) => h('p', { class: 'hint', 'data-validation-note': r.id }, `${r.id}: ${r.note}`)),
        ),
      (err: Error) => fill(out, h('p', { class: 'error', role: 'alert' }, err.message)),
    );
  return {
    section: h('section', { 'aria-labelledby': 'val-h' }, h('h2', { id: 'val-h' }, 'Validation'), out),
    start,
  };
}

interface Problem {
  key: string;
  message: string;
}

/** perf's overlap kinds in plain words: what the collectives run under (the CLI's --overlap-kind; the id in brackets). */
const OVERLAP_LABELS: Record<string, string> = {
  'micro-batch': 'the other micro-batch (micro-batch)',
  'single-batch': 'shared experts, one batch (single-batch)',
  'dispatch-only': 'local work, dispatch only (dispatch-only)',
  'shared-expert': 'shared experts, dispatch only (shared-expert)',
};

function unfitBlock(o: Extract<PerfOutcome, { ok: false }>, fitOut: HTMLElement): HTMLElement {
  const m = o.memory;
  return h(
    'div',
    { class: 'unfit', role: 'alert', 'data-unfit': '' },
    h('h3', null, 'Does not fit: no speed is shown for this setup'),
    h(
      'p',
      { 'data-metric': 'shortfall' },
      `Each chip needs ${fmt(m.totalGB, 4)} GB (weights ${fmt(m.weightsGB, 4)} + KV cache ${fmt(m.kvGB, 4)} + activations ${fmt(m.activationsGB, 3)} + workspace ${fmt(m.workspaceGB, 3)} GB) but has ${fmt(m.capacityGB, 4)} GB of HBM: short by ${fmt(m.shortfallGB, 4)} GB.`,
    ),
    h('p', { class: 'formula', 'data-perf-message': '' }, `The simulator: ${o.message}`),
    fitOut,
  );
}

/** The Pareto frontier of perf's serving search: tokens/s per chip against tokens/s per user. */
function showServe(out: HTMLElement, s: ServeSearch): void {
  const pts = s.pareto;
  const label = (p: (typeof pts)[number]) =>
    `batch ${p.batch}, TP ${p.tp} EP ${p.ep} PP ${p.pp} (${p.chips} chips)`;
  const b = s.best;
  const limits = [
    s.tpotMaxMs === null ? null : `TPOT <= ${s.tpotMaxMs} ms`,
    s.ttftMaxMs === null ? null : `TTFT <= ${s.ttftMaxMs} ms`,
  ]
    .filter(Boolean)
    .join(', ');
  const head = b
    ? h(
        'div',
        { class: 'cards' },
        card(
          'Best tokens/s per chip within the limits',
          fmt(b.tokensPerSecPerChip, 4),
          `${label(b)}; TPOT ${fmt(b.tpotMs, 3)} ms, TTFT ${fmt(b.ttftMs, 3)} ms`,
          'serve-best',
        ),
        s.prefillDecode
          ? card(
              'Prefill : decode chips',
              `${fmt(s.prefillDecode.prefillChipsPerDecodeChip, 3)} : 1`,
              `for ${s.prefillDecode.inputLen}-token prompts and ${s.prefillDecode.outputLen} output tokens (prefill ${fmt(s.prefillDecode.prefillTokensPerSecPerChip, 4)} tok/s/chip)`,
              'serve-pd',
            )
          : null,
      )
    : h(
        'p',
        { class: 'error', 'data-metric': 'serve-best' },
        `Nothing meets ${limits || 'the limits'}: relax them.`,
      );
  const limitsLine = h('p', { class: 'note', 'data-serve-limits': '' }, `Limits: ${limits || 'none'}.`);
  if (!pts.length) {
    fill(out, limitsLine, head);
    return;
  }
  const frontier = (Plot: PlotModule) =>
    Plot.plot({
      width: plotWidth(),
      height: 320,
      ...AXES,
      marginLeft: 60,
      style: PLOT_STYLE,
      x: {
        type: 'log',
        label: 'tokens/s per user (1 / TPOT)',
        grid: true,
        ...X_LABEL,
        ticks: narrow() ? 3 : 6,
      },
      y: { label: 'tokens/s per chip', grid: true, zero: true },
      marks: [
        Plot.line(pts, {
          x: 'tokensPerSecPerUser',
          y: 'tokensPerSecPerChip',
          stroke: COLOURS[0],
          tip: true,
          title: (p: (typeof pts)[number]) =>
            `${fmt(p.tokensPerSecPerChip, 4)} tok/s per chip at ${fmt(p.tokensPerSecPerUser, 3)} tok/s per user\n${label(p)}\nTPOT ${fmt(p.tpotMs, 3)} ms, TTFT ${fmt(p.ttftMs, 3)} ms`,
        }),
        Plot.dot(pts, { x: 'tokensPerSecPerUser', y: 'tokensPerSecPerChip', fill: COLOURS[0], r: 3 }),
        ...(b
          ? [Plot.dot([b], { x: 'tokensPerSecPerUser', y: 'tokensPerSecPerChip', stroke: COLOURS[1], r: 7 })]
          : []),
      ],
    });
  const alt = `Pareto frontier of ${pts.length} deployments: ${pts
    .slice(0, 6)
    .map((p) => `${fmt(p.tokensPerSecPerChip, 3)} tok/s/chip at ${fmt(p.tokensPerSecPerUser, 3)} tok/s/user`)
    .join('; ')}`;
  fill(
    out,
    limitsLine,
    head,
    chartSlot((Plot) =>
      chartBlock(
        'Serving frontier: tokens/s per chip against tokens/s per user',
        frontier(Plot),
        alt,
        undefined,
        {
          name: 'perf-pareto',
          scenario: `${s.model} on ${systemName(s.system)}, ${limits || 'no SLA limit'}; model estimate`,
          columns: [
            'tokens/s per user',
            'tokens/s per chip',
            'batch',
            'tp',
            'ep',
            'pp',
            'chips',
            'TPOT ms',
            'TTFT ms',
          ],
          rows: pts.map((p) => [
            p.tokensPerSecPerUser,
            p.tokensPerSecPerChip,
            p.batch,
            p.tp,
            p.ep,
            p.pp,
            p.chips,
            p.tpotMs,
            p.ttftMs,
          ]),
        },
      ),
    ),
    h(
      'p',
      { class: 'formula' },
      `${s.evaluated} (batch, deployment) pairs simulated. ${s.assumptions.join('; ')}.`,
    ),
  );
}

/** The Performance page. */
export function renderPerformance(root: HTMLElement): void {
  const { st, problems } = readPerfState();
  const controls = new Map<string, HTMLInputElement | HTMLSelectElement>();
  const fieldErrors = new Map<string, HTMLElement>();
  const summary = h('div', { class: 'error', role: 'alert', hidden: true, id: 'perf-problems' });
  const status = h('p', { class: 'status', 'aria-live': 'polite' });
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const epHint = h('small', { id: 'ep-hint' });
  /** This setup pinned on the Compare page (the same field names as its pins). */
  const compareLink = h('a', { id: 'perf-compare', href: '#/compare' }, 'Compare this setup with others');
  const out = h('div', { id: 'perf-out' });
  const perf = latest('perf');
  const serve = latest('serve');
  const serveOut = h('div', { id: 'serve-out' });
  const serveStatus = h('p', { class: 'status', 'aria-live': 'polite' });
  let assumed: Assumed = {};
  /** Whether perf's `--assume` parser is needed and still loading (the check runs again once it is in). */
  let parserPending = false;
  const check = (): boolean => {
    numberProblems(st, problems);
    const items = st.assume
      .split(/[,\s]+/)
      .map((x) => x.trim())
      .filter(Boolean);
    parserPending = items.length > 0 && !assumeParser;
    if (items.length === 0) {
      assumed = {};
      problems.delete('assume');
    } else if (assumeParser) {
      try {
        assumed = assumeParser(items);
        problems.delete('assume');
      } catch (e) {
        problems.set('assume', (e as Error).message.replace(/^--assume:? ?/, 'Assume: '));
      }
    }
    for (const [k, el] of controls) {
      const p = problems.get(k);
      if (p) el.setAttribute('aria-invalid', 'true');
      else el.removeAttribute('aria-invalid');
      const fe = fieldErrors.get(k);
      if (fe) {
        fe.hidden = !p;
        fe.textContent = p ?? '';
      }
    }
    const list: Problem[] = [...problems].map(([key, message]) => ({ key, message }));
    summary.hidden = list.length === 0;
    if (parserPending) return false;
    fill(
      summary,
      list.length
        ? [
            h('strong', null, 'Nothing is simulated until these are fixed:'),
            h(
              'ul',
              null,
              list.map((p) => h('li', null, p.message)),
            ),
          ]
        : null,
    );
    const moe = isMoe(st.model);
    epHint.textContent =
      st.ep === 'auto'
        ? moe
          ? `auto: the smallest EP that fits with this TP and PP (perf's rule, as the CLI without --ep)`
          : 'auto = 1: a dense model has no experts to spread'
        : moe
          ? `experts spread over ${st.ep} chips`
          : 'a dense model has no experts: EP has no effect';
    return list.length === 0;
  };
  const go = () => {
    if (!check()) {
      if (parserPending) {
        status.textContent = 'Reading the assumptions...';
        void loadAssumeParser().then(go, (err: Error) => {
          status.textContent = '';
          error.hidden = false;
          error.textContent = err.message;
        });
        return;
      }
      status.textContent = '';
      fill(out);
      return;
    }
    const w = perfWorkload(st, assumed);
    const system = w.system;
    const pin = new URLSearchParams({
      model: st.model,
      system,
      phase: st.phase,
      batch: st.batch,
      seq: st.seq,
      weights: st.weights,
      kv: st.kv,
      tpot: st.tpot,
      ttft: st.ttft,
      assume: st.assume,
    });
    for (const [k, v] of [...pin]) if (v === '') pin.delete(k);
    compareLink.setAttribute('href', `#/compare?${new URLSearchParams({ pin: pin.toString() })}`);
    status.textContent = 'Simulating in the worker...';
    // the serving search: batch and parallelism searched by perf for the most tokens/s per chip within the SLA
    const { phase: _p, batch: _b, tp: _t, pp: _pp, ep: _e, ...base } = w;
    serveStatus.textContent = 'Searching batch and parallelism in the worker...';
    const sreq: Tasks['serve']['req'] = { base, outputLen: Number(st.olen) };
    const tpot = limitMs(st.tpot, 'TPOT limit');
    const ttft = limitMs(st.ttft, 'TTFT limit');
    if (typeof tpot === 'number') sreq.tpotMaxMs = tpot;
    if (typeof ttft === 'number') sreq.ttftMaxMs = ttft;
    // the page's simulation first (the worker answers in order): the cards do not wait for the search
    const simulated = perf(w);
    serve(sreq).then(
      (r) => {
        serveStatus.textContent = '';
        showServe(serveOut, r);
      },
      (err: Error) => {
        serveStatus.textContent = '';
        fill(serveOut, h('p', { class: 'error', role: 'alert' }, err.message));
      },
    );
    simulated.then(
      (o) => {
        error.hidden = true;
        if (o.ok) {
          status.textContent = `Simulated ${o.result.ops.length} operations.`;
          showResult(out, o.result);
          if (o.result.parallel.auto.includes('ep'))
            epHint.textContent = `auto = ${o.result.parallel.ep}: the smallest EP that fits with TP ${o.result.parallel.tp} and PP ${o.result.parallel.pp} (perf's rule, as the CLI without --ep)`;
          return;
        }
        status.textContent = 'Does not fit (see below).';
        const fitOut = h('p');
        fill(out, unfitBlock(o, fitOut), memoryOnly(o.memory));
        const f = o.smallest;
        if (!f) {
          fill(
            fitOut,
            'No deployment within the search limits fits with this batch and sequence length: lower them or choose a smaller format.',
          );
          return;
        }
        fill(
          fitOut,
          `Smallest parallelism that fits (perf's rule: fewest chips, then least PP, then least TP): TP ${f.tp}, EP ${f.ep}, PP ${f.pp} (${f.chips} chips). `,
          h(
            'button',
            {
              type: 'button',
              'data-apply-fit': '',
              onclick: () => {
                for (const [k, v] of [
                  ['tp', f.tp],
                  ['pp', f.pp],
                  ['ep', f.ep],
                ] as const) {
                  st[k] = String(v);
                  const el = controls.get(k);
                  if (el instanceof HTMLSelectElement && ![...el.options].some((o) => o.value === String(v)))
                    el.append(h('option', { value: String(v) }, String(v)));
                  if (el) el.value = String(v);
                }
                update({ tp: f.tp, pp: f.pp, ep: f.ep });
                go();
              },
            },
            'Use it',
          ),
        );
      },
      (err: Error) => {
        status.textContent = '';
        fill(out);
        error.hidden = false;
        error.textContent = err.message;
      },
    );
  };
  const later = debounce(go, 150);
  const set = (k: keyof PerfState, urlKey: string) => (v: string) => {
    st[k] = v;
    problems.delete(k);
    update({ [urlKey]: v });
    later();
  };
  /** A select that keeps an invalid value from the link visible (flagged) instead of replacing it. */
  const pick = (k: keyof PerfState, options: (string | [string, string])[]) => {
    const cur = st[k];
    const known = options.some((o) => (typeof o === 'string' ? o : o[0]) === cur);
    const all = known ? options : [[cur, `${cur} (not valid)`] as [string, string], ...options];
    const el = select(all, cur, set(k, k));
    el.id = `perf-${k}`;
    controls.set(k, el);
    return el;
  };
  const num = (
    k: 'batch' | 'seq' | 'tp' | 'pp' | 'count' | 'assume' | 'overlap' | 'tpot' | 'ttft' | 'olen',
  ) => {
    const el = h('input', {
      type: 'text',
      inputmode:
        k === 'assume' ? 'text' : k === 'tpot' || k === 'ttft' || k === 'overlap' ? 'decimal' : 'numeric',
      value: st[k],
      id: `perf-${k}`,
      size: k === 'assume' ? 24 : 8,
      'aria-describedby': `perf-${k}-err`,
    });
    el.addEventListener('input', () => set(k, k)(el.value.trim()));
    controls.set(k, el);
    return el;
  };
  const errFor = (k: string) => {
    const e = h('span', { class: 'field-error', id: `perf-${k}-err`, hidden: true });
    fieldErrors.set(k, e);
    return e;
  };
  const withErr = (label: string, el: HTMLElement, k: string, hint?: string | HTMLElement) => {
    const f = field(label, el, typeof hint === 'string' ? hint : undefined);
    if (hint instanceof HTMLElement) f.append(hint);
    f.append(errFor(k));
    return f;
  };
  const fmtOptions = FORMAT_IDS.map((f): [string, string] => [f, f]);
  const epSel = pick('ep', [
    ['auto', 'auto'],
    ...['1', '2', '4', '8', '16', '32', '64', '72', '128', '256', '384'].map((v): [string, string] => [v, v]),
  ]);
  epSel.setAttribute('aria-describedby', 'ep-hint perf-ep-err');
  const validation = validationSection();
  root.append(
    h('h1', { id: 'page-title', tabindex: -1 }, 'Performance'),
    h(
      'p',
      { class: 'lede' },
      'An analytical roofline simulator per operation, calibrated per chip class (src/perf); every number below is computed in your browser. Memory is checked first: a setup whose weights and KV cache do not fit shows the shortfall, never a speed.',
    ),
    summary,
    h(
      'div',
      { class: 'controls' },
      withErr(
        'Model',
        pick(
          'model',
          choices.models.map((m): [string, string] => [m.id, m.name]),
        ),
        'model',
      ),
      withErr(
        'System',
        pick(
          'system',
          choices.systems.map((s): [string, string] => [s.id, s.name]),
        ),
        'system',
      ),
      withErr('Phase', pick('phase', ['decode', 'prefill']), 'phase'),
      withErr('Batch', num('batch'), 'batch', 'sequences per TP group (whole number >= 1)'),
      withErr('Sequence length', num('seq'), 'seq', 'prompt (prefill) or KV length (decode)'),
      withErr('Weights', pick('weights', [['auto', 'auto (native 8-bit)'], ...fmtOptions]), 'weights'),
      withErr(
        'Attention weights',
        pick('attn', [['same', 'same as weights'], ...fmtOptions]),
        'attn',
        'attention projections, e.g. bf16 in an NVFP4 checkpoint',
      ),
      withErr('Activations', pick('acts', [['same', 'same as weights'], ...fmtOptions]), 'acts'),
      withErr('KV cache', pick('kv', fmtOptions), 'kv'),
      withErr('TP', num('tp'), 'tp', 'tensor parallel ranks'),
      withErr('PP', num('pp'), 'pp', 'pipeline stages'),
      withErr('EP', epSel, 'ep', epHint),
    ),
    h(
      'div',
      { class: 'controls' },
      withErr(
        'Communication hidden (0 to 1)',
        num('overlap'),
        'overlap',
        'share of the collectives hidden behind other work; 0 = none',
      ),
      withErr(
        'What hides it',
        pick(
          'overlap-kind',
          choices.overlapKinds.map((k): [string, string] => [k, OVERLAP_LABELS[k] ?? k]),
        ),
        'overlap-kind',
        'what the collectives run under; no effect while none is hidden',
      ),
    ),
    h(
      'div',
      { class: 'controls' },
      withErr(
        'Or build the system from a chip',
        pick('chip', [
          ['none', 'no: use the system above'],
          ...choices.accelerators.map((a): [string, string] => [a.id, a.name]),
        ]),
        'chip',
        'CHIP:N, from the chip’s catalogue figures',
      ),
      withErr('Chip count (N)', num('count'), 'count', 'chips in the built system'),
      withErr(
        'Assume missing figures',
        num('assume'),
        'assume',
        `FIELD=VALUE, comma-separated; fields: ${choices.assumable.join(', ')}`,
      ),
    ),
    error,
    h('p', null, compareLink),
    status,
    out,
    h(
      'section',
      { 'aria-labelledby': 'serve-h' },
      h('h2', { id: 'serve-h' }, 'Serving search within an SLA'),
      h(
        'p',
        { class: 'lede' },
        'Batch (1 to 1,024) and every deployment that fits, searched by the simulator for the most tokens/s per chip with TPOT and TTFT within the limits; the frontier shows what each chip gives up for faster tokens per user.',
      ),
      h(
        'div',
        { class: 'controls' },
        withErr('TPOT limit (ms)', num('tpot'), 'tpot', 'empty = no limit'),
        withErr('TTFT limit (ms)', num('ttft'), 'ttft', 'empty = no limit'),
        withErr('Output tokens', num('olen'), 'olen', 'per request, for the prefill:decode ratio'),
      ),
      serveStatus,
      serveOut,
    ),
    validation.section,
  );
  go();
  validation.start();
  // Plot's chunk, while the worker computes (the cards are drawn without it)
  void loadPlot();
}

/** The memory card alone, for a setup that does not fit. */
function memoryOnly(m: Extract<PerfOutcome, { ok: false }>['memory']): HTMLElement {
  return h(
    'div',
    { class: 'cards' },
    card(
      'Memory per chip',
      `${fmt(m.totalGB, 4)} / ${fmt(m.capacityGB, 4)} GB`,
      `weights ${fmt(m.weightsGB, 4)} + KV ${fmt(m.kvGB, 4)} + activations ${fmt(m.activationsGB, 3)} + workspace ${fmt(m.workspaceGB, 3)}; does NOT fit`,
      'memory',
    ),
  );
}
