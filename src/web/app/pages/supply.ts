/**
 * @module web/pages/supply
 * Supply: the Monte Carlo model of China's AI-accelerator output (`src/supply`) run in the worker
 * for a scenario and slider-scaled parameters: the three metrics per year (self-sufficiency as the
 * headline, unit share of demand, value share), the per-vendor split, fan charts with 90% bands,
 * the binding constraint by quarter, the tornado of end-2026 self-sufficiency and the open
 * questions (unknown inputs with their ranges).
 */

import SUPPLY_DATA from 'chipstack:supply-data';
import * as Plot from '@observablehq/plot';
import {
  type Interval,
  labelOf,
  METRIC_DEFINITIONS,
  type MustBeTrueResult,
  openQuestions,
  resolveScenario,
  type SupplyData,
  type SupplyResult,
  scenarioNames,
  type TornadoResult,
  type ValidationResult,
  VENDOR_ROWS,
  validateTargets,
} from '../../../supply/index.js';
import { SLIDER_PARAMS } from '../../../web/scale.js';
import { chartBlock, PLOT_STYLE, plotWidth } from '../chart.js';
import { latest, run } from '../client.js';
import { debounce, field, fill, fmt, h, pct, select } from '../dom.js';
import { current, update } from '../state.js';
import { ANNUAL_ROWS } from '../supply-metrics.js';
import { DEFAULT_RUNS, RUNS, supplyStartedAt, supplyState } from '../supply-state.js';
import { dataTable } from '../table.js';

const BIND_COLORS = { logic: '#4e79a7', hbm: '#e15759', packaging: '#f28e2b' };

/** data/supply as the build prepared it (scripts/build-web.mjs: schema-checked and validated, as the CLI loads it). */
const getData = (): SupplyData => SUPPLY_DATA;

/** A parameter's plain-language label (from the data) with its id beneath, for tables. */
const paramCell = (name: string) =>
  h('span', null, labelOf(getData(), name), h('br'), h('code', { class: 'param-id' }, name));

/** 1500000 -> "1.5M", 0.111 -> "0.111" (no exponents in the page's text). */
const plain = (v: number) => (Math.abs(v) >= 1000 ? COMPACT.format(v) : fmt(v, 3));

function scenarioValue(name: string, scenario: string): string {
  const d = getData();
  const e = resolveScenario(d, scenario).parameters[name]!;
  if ('by_period' in e) {
    const periods = Object.keys(e.by_period).sort();
    const last = e.by_period[periods[periods.length - 1]!]!;
    return `from ${periods[periods.length - 1]}: ${plain(last.value)} ${last.unit}`;
  }
  return `${plain(e.value)} ${e.unit}`;
}

function fan(
  r: SupplyResult,
  metric: 'domesticUnits' | 'shareOfDemand' | 'selfSufficiency',
  title: string,
  asPct: boolean,
): HTMLElement {
  const rows = r.quarters.map((q) => ({ quarter: q.quarter, ...q.metrics[metric] }));
  const show = (v: number) => (asPct ? pct(v, 0) : fmt(v, 3));
  const plot = Plot.plot({
    width: plotWidth(),
    height: 300,
    marginBottom: 55,
    style: PLOT_STYLE,
    x: {
      label: null,
      domain: rows.map((d) => d.quarter),
      type: 'point',
      tickRotate: -45,
      ticks: quarterTicks(rows.map((d) => d.quarter)),
    },
    y: {
      label: asPct ? 'share' : 'units per quarter',
      grid: true,
      tickFormat: asPct ? '.0%' : '~s',
      zero: true,
    },
    marks: [
      Plot.areaY(rows, { x: 'quarter', y1: 'p5', y2: 'p95', fill: '#4e79a7', fillOpacity: 0.25 }),
      Plot.lineY(rows, { x: 'quarter', y: 'p50', stroke: '#4e79a7', strokeWidth: 2 }),
      Plot.dot(rows, {
        x: 'quarter',
        y: 'p50',
        fill: '#4e79a7',
        r: 2.5,
        tip: true,
        title: (d: (typeof rows)[number]) =>
          `${d.quarter}\nmedian ${show(d.p50)}\n90% band ${show(d.p5)} to ${show(d.p95)}\nsupply model, Monte Carlo`,
      }),
    ],
  });
  const alt = rows
    .map((d) => `${d.quarter}: median ${show(d.p50)} (90% band ${show(d.p5)} to ${show(d.p95)})`)
    .join('; ');
  return chartBlock(`${title}: median and 90% band`, plot, alt);
}

function binding(r: SupplyResult): HTMLElement {
  const rows = r.quarters.flatMap((q) =>
    (['logic', 'hbm', 'packaging'] as const).map((c) => ({
      quarter: q.quarter,
      constraint: c,
      share: q.bindingShare[c],
    })),
  );
  const plot = Plot.plot({
    width: plotWidth(),
    height: 260,
    marginBottom: 55,
    style: PLOT_STYLE,
    x: {
      label: null,
      domain: r.quarters.map((q) => q.quarter),
      tickRotate: -45,
      ticks: quarterTicks(r.quarters.map((q) => q.quarter)),
    },
    y: { label: 'share of runs', tickFormat: '.0%', domain: [0, 1] },
    color: { legend: true, domain: Object.keys(BIND_COLORS), range: Object.values(BIND_COLORS) },
    marks: [
      Plot.barY(rows, {
        x: 'quarter',
        y: 'share',
        fill: 'constraint',
        tip: true,
        title: (d: (typeof rows)[number]) =>
          `${d.quarter}\n${d.constraint} binds in ${pct(d.share, 0)} of runs\nsupply model, Monte Carlo`,
      }),
    ],
  });
  const alt = r.quarters
    .map((q) => `${q.quarter}: ${q.binding} binds (${pct(q.bindingShare[q.binding], 0)} of runs)`)
    .join('; ');
  return chartBlock('Binding constraint by quarter (share of runs)', plot, alt);
}

/** The published targets against the model (targets.json), as `chipstack supply --validate`. */
function validationTable(v: ValidationResult): HTMLElement {
  const show = (metric: string, x: number) => (metric === 'units' ? units(x) : pct(x, 0));
  type C = ValidationResult['checks'][number];
  return dataTable({
    name: 'supply-validation',
    caption: `Published targets: ${v.passed} of ${v.checks.length} pass (p50 within ${v.tolerance * 100}% and target inside the 50% interval); ${v.runs.toLocaleString()} runs, seed ${v.seed}`,
    columns: [
      {
        key: 'id',
        label: 'Target',
        value: (c: C) => c.id,
        render: (c: C) => h('span', { title: c.source }, c.id),
      },
      { key: 'metric', label: 'Metric', value: (c: C) => c.metric },
      { key: 'vendor', label: 'Vendor', value: (c: C) => c.vendor },
      { key: 'year', label: 'Year', numeric: true, value: (c: C) => c.year },
      {
        key: 'target',
        label: 'Target',
        numeric: true,
        value: (c: C) => c.target,
        render: (c: C) => `${c.bound === 'at-most' ? '≤' : ''}${show(c.metric, c.target)}`,
      },
      {
        key: 'p50',
        label: 'p50',
        numeric: true,
        value: (c: C) => c.p50,
        render: (c: C) => show(c.metric, c.p50),
      },
      {
        key: 'i50',
        label: '50% interval',
        value: (c: C) => `${show(c.metric, c.p25)}–${show(c.metric, c.p75)}`,
      },
      {
        key: 'i90',
        label: '90% interval',
        value: (c: C) => `${show(c.metric, c.p5)}–${show(c.metric, c.p95)}`,
      },
      { key: 'pass', label: 'Verdict', value: (c: C) => (c.pass ? 'pass' : 'fail') },
      { key: 'why', label: 'Input that disagrees', value: (c: C) => c.disagreement ?? '' },
      {
        key: 'reconciliation',
        label: 'What the figure counts, and why it differs (sourced)',
        value: (c: C) => [c.definition, c.reconciliation].filter(Boolean).join(' '),
      },
    ],
    rows: v.checks,
    sortable: true,
  });
}

/** Unknown inputs of the scenario with their ranges, most decisive (tornado swing) first. */
function openQuestionsTable(data: SupplyData, t: TornadoResult): HTMLElement {
  const q = openQuestions(data, t.scenario, t);
  return dataTable({
    name: 'supply-open',
    caption: `Open questions: inputs no source pins down (confidence unknown), with the range the model carries; swing of ${t.metric} in ${t.quarter}`,
    columns: [
      {
        key: 'parameter',
        label: 'Input',
        value: (r) => labelOf(data, r.parameter),
        render: (r) => paramCell(r.parameter),
      },
      { key: 'unit', label: 'Unit', value: (r) => r.unit },
      {
        key: 'swing',
        label: 'Swing',
        numeric: true,
        value: (r) => r.swing ?? 0,
        render: (r) => pct(r.swing ?? 0),
      },
      {
        key: 'range',
        label: 'Unknown periods (each holds until the next): low / value / high',
        value: (r) =>
          r.periods
            .map(
              (p) =>
                `${p.period ? `from ${p.period}` : 'all'}: ${fmt(p.low, 3)} / ${fmt(p.value, 3)} / ${fmt(p.high, 3)}`,
            )
            .join('; '),
      },
    ],
    rows: q,
  });
}

function tornadoChart(t: TornadoResult): HTMLElement {
  const rows = t.rows.slice(0, 12).map((r) => ({
    ...r,
    lo: Math.min(r.atLow, r.atHigh),
    hi: Math.max(r.atLow, r.atHigh),
  }));
  const baseText = `base ${pct(t.base)}: every input at its value`;
  const metricName = METRIC_DEFINITIONS.find((m) => m.metric === t.metric)?.name ?? t.metric;
  const width = plotWidth();
  // on a phone the input names go above their bars (beside them they leave the bars no room)
  const narrow = width < 640;
  const xs = [t.base, ...rows.flatMap((r) => [r.lo, r.hi])];
  const mid = (Math.min(...xs) + Math.max(...xs)) / 2;
  const bars = Plot.barX(rows, {
    x1: 'lo',
    x2: 'hi',
    y: 'label',
    insetTop: narrow ? 16 : 0,
    fill: (r: (typeof rows)[number]) =>
      r.atHigh >= r.atLow ? 'higher with high value' : 'lower with high value',
    tip: true,
    title: (r: (typeof rows)[number]) =>
      `${r.label}\n${metricName}: ${pct(r.atLow, 1)} at the input's low end, ${pct(r.atHigh, 1)} at its high end (base ${pct(t.base, 1)})`,
  });
  const plot = Plot.plot({
    width,
    height: 60 + rows.length * (narrow ? 38 : 26),
    marginLeft: narrow ? 10 : 330,
    marginRight: narrow ? 10 : 20,
    marginTop: 30,
    style: PLOT_STYLE,
    x: {
      label: `${metricName} in ${t.quarter}`,
      tickFormat: '.0%',
      grid: true,
      ticks: narrow ? 4 : undefined,
    },
    y: { label: null, domain: rows.map((r) => r.label), axis: narrow ? null : 'left' },
    marks: [
      bars,
      narrow
        ? Plot.text(rows, {
            y: 'label',
            text: 'label',
            frameAnchor: 'left',
            textAnchor: 'start',
            dy: -9,
            fill: 'currentColor',
          })
        : null,
      Plot.ruleX([t.base], { stroke: 'currentColor', strokeDasharray: '4,3' }),
      Plot.text([t.base], {
        x: (v: number) => v,
        frameAnchor: 'top',
        // the label runs away from the nearer edge, so it is never cut off
        textAnchor: t.base > mid ? 'end' : 'start',
        dy: -18,
        text: () => baseText,
        fill: 'currentColor',
      }),
    ],
    color: {
      legend: true,
      range: ['#59a14f', '#e15759'],
      domain: ['higher with high value', 'lower with high value'],
    },
  });
  const alt = `Base line (every input at its value) ${pct(t.base)}. ${rows
    .map((r) => `${r.label}: ${pct(r.atLow)} at low, ${pct(r.atHigh)} at high (swing ${pct(r.swing)})`)
    .join('; ')}`;
  return h(
    'div',
    null,
    chartBlock(`Tornado: ${metricName} in ${t.quarter}, each input at its low and high value`, plot, alt),
    h(
      'p',
      { class: 'note' },
      `The dashed base line (${pct(t.base)}) is one run of the model with every input at its value (the mode of its range), under scenario ${t.scenario}. Each bar moves one input (all quarters of a series together) to its low and to its high end with the others at their values; its length is the swing. Because output is the minimum of logic, HBM and packaging, this base run is not the Monte Carlo median, which is shown in the tables above.`,
    ),
    dataTable({
      name: 'supply-tornado',
      caption: `Tornado rows (${t.scenario}); rank correlation from ${t.runs.toLocaleString()} runs`,
      columns: [
        {
          key: 'parameter',
          label: 'Input',
          value: (r) => labelOf(getData(), r.parameter),
          render: (r) => paramCell(r.parameter),
        },
        { key: 'unit', label: 'Unit', value: (r) => r.unit },
        { key: 'atLow', label: 'At low', numeric: true, value: (r) => r.atLow, render: (r) => pct(r.atLow) },
        {
          key: 'atHigh',
          label: 'At high',
          numeric: true,
          value: (r) => r.atHigh,
          render: (r) => pct(r.atHigh),
        },
        { key: 'swing', label: 'Swing', numeric: true, value: (r) => r.swing, render: (r) => pct(r.swing) },
        {
          key: 'rankCorrelation',
          label: 'Spearman',
          numeric: true,
          value: (r) => r.rankCorrelation,
          render: (r) => r.rankCorrelation.toFixed(2),
        },
      ],
      rows: t.rows,
      sortable: true,
    }),
  );
}

const COMPACT = new Intl.NumberFormat('en', { notation: 'compact', maximumSignificantDigits: 3 });
/** 1345678 -> "1.35M". */
const units = (v: number) => COMPACT.format(v);

const band = (i: Interval, f: (v: number) => string) => `${f(i.p50)} (${f(i.p5)}–${f(i.p95)})`;

/** Each metric per year (2024-2027): median and 90% interval. */
function annualTable(r: SupplyResult): HTMLElement {
  const show = { share: (v: number) => pct(v, 0), units, usd: (v: number) => `$${COMPACT.format(v)}` };
  type Row = (typeof ANNUAL_ROWS)[number];
  return dataTable({
    name: 'supply-years',
    caption: `Per year, median (90% interval), ${r.scenario}; shares are per-run ratios of annual sums`,
    columns: [
      { key: 'metric', label: 'Metric', value: (x: Row) => x.label },
      ...r.years.map((y) => ({
        key: String(y.year),
        label: String(y.year),
        numeric: true,
        value: (x: Row) => y.metrics[x.metric].p50,
        render: (x: Row) =>
          h('span', { 'data-year-metric': `${x.metric}-${y.year}` }, band(y.metrics[x.metric], show[x.kind])),
      })),
    ],
    rows: [...ANNUAL_ROWS],
  });
}

/** Units per year by domestic designer and imported product. */
function vendorTable(r: SupplyResult): HTMLElement {
  return dataTable({
    name: 'supply-vendors',
    caption: 'Units per year by vendor (catalogue vendor ids; imports by product), median (90% interval)',
    columns: [
      { key: 'vendor', label: 'Vendor', value: (v) => v.label },
      { key: 'kind', label: 'Made', value: (v) => (v.domestic ? 'domestic' : 'imported') },
      ...r.years.map((y) => ({
        key: String(y.year),
        label: String(y.year),
        numeric: true,
        value: (v: (typeof VENDOR_ROWS)[number]) => y.metrics[v.metric].p50,
        render: (v: (typeof VENDOR_ROWS)[number]) => band(y.metrics[v.metric], units),
      })),
    ],
    rows: [...VENDOR_ROWS],
    sortable: true,
  });
}

type QuarterRow = SupplyResult['quarters'][number];

/** Table columns for percentiles of one quarterly metric: key `${prefix}P5`, label `${label} p5`, ... */
function stat(
  prefix: string,
  label: string,
  metric: keyof QuarterRow['metrics'],
  which: ('p5' | 'p50' | 'p95')[],
  show: (v: number) => string,
) {
  return which.map((p) => ({
    key: `${prefix}${p.toUpperCase()}`,
    label: `${label} ${p}`,
    numeric: true,
    value: (q: QuarterRow) => q.metrics[metric][p],
    render: (q: QuarterRow) => show(q.metrics[metric][p]),
  }));
}

/** The metric definitions and the headline cards (their metrics: HEADLINE_METRICS). */
function headline(r: SupplyResult): HTMLElement[] {
  const y25 = r.years.find((y) => y.year === 2025)!.metrics;
  const q264 = r.quarters.find((q) => q.quarter === '2026Q4')!.metrics;
  const card = (
    label: string,
    iv: { p5: number; p50: number; p95: number },
    asPct: boolean,
    id: string,
    formula: string,
  ) => {
    const s = (v: number) => (asPct ? pct(v, 1) : units(v));
    return h(
      'div',
      { class: 'card' },
      h('div', { class: 'card-label' }, label),
      h('div', { class: 'card-value', 'data-metric': id }, s(iv.p50)),
      h('div', { class: 'card-band' }, `90%: ${s(iv.p5)} to ${s(iv.p95)}`),
      h('div', { class: 'formula' }, formula),
    );
  };
  return [
    h(
      'ul',
      { class: 'note' },
      METRIC_DEFINITIONS.map((d) =>
        h('li', null, h('strong', null, d.name), `: ${d.definition}. Published by ${d.publishers}.`),
      ),
    ),
    h(
      'div',
      { class: 'cards' },
      card(
        'Self-sufficiency 2025 (headline, p50)',
        y25.selfSufficiency,
        true,
        'share2025',
        'domestic / (domestic + imported units), summed per run over 2025',
      ),
      card(
        'Self-sufficiency, 2026Q4 (p50)',
        q264.selfSufficiency,
        true,
        'ss2026q4',
        'domestic / (domestic + imported units)',
      ),
      card(
        'Unit share of demand, 2026Q4 (p50)',
        q264.shareOfDemand,
        true,
        'share2026q4',
        'domestic / (USD(year) / 4 / ASP)',
      ),
      card(
        'Value share 2025 (p50)',
        y25.valueShare,
        true,
        'value2025',
        'domestic / total value at vendor prices',
      ),
      card(
        'Huawei packages 2025 (p50)',
        y25.huaweiPackages,
        false,
        'huawei2025',
        'a_H x r x packaging yield, summed over quarters',
      ),
      card('Domestic units 2025 (p50)', y25.domesticUnits, false, 'domestic2025', 'Huawei + other designers'),
    ),
  ];
}

function showResult(out: HTMLElement, r: SupplyResult): void {
  fill(
    out,
    ...headline(r),
    annualTable(r),
    vendorTable(r),
    fan(r, 'selfSufficiency', 'Self-sufficiency (domestic share of deliveries)', true),
    fan(r, 'domesticUnits', 'Domestic accelerators per quarter', false),
    fan(r, 'shareOfDemand', 'Unit share of demand', true),
    binding(r),
    dataTable({
      name: 'supply-quarters',
      caption: `Quarterly results, ${r.scenario}, ${r.runs.toLocaleString()} runs, seed ${r.seed}, ${r.yieldModel} yield`,
      columns: [
        { key: 'quarter', label: 'Quarter', value: (q) => q.quarter },
        ...stat('dom', 'Domestic', 'domesticUnits', ['p5', 'p50', 'p95'], (v) => fmt(v, 3)),
        ...stat('share', 'Share', 'shareOfDemand', ['p5', 'p50', 'p95'], (v) => pct(v)),
        ...stat('ss', 'Self-suff.', 'selfSufficiency', ['p50'], (v) => pct(v)),
        { key: 'binding', label: 'Binding', value: (q) => q.binding },
        {
          key: 'bindingShare',
          label: 'Binding in',
          numeric: true,
          value: (q) => q.bindingShare[q.binding],
          render: (q) => pct(q.bindingShare[q.binding], 0),
        },
      ],
      rows: r.quarters,
    }),
  );
}

/**
 * Quarter tick labels, thinned so the rotated labels keep at least 48 px apart (their boxes are about 40 px wide) at the chart's
 * width (every second or fourth quarter on a phone; every quarter on a wide screen).
 */
function quarterTicks(quarters: string[]): string[] {
  const room = Math.max(100, plotWidth() - 80);
  const step = [1, 2, 4].find((k) => (room / quarters.length) * k >= 48) ?? 4;
  return quarters.filter((_, i) => i % step === 0);
}

/** supply's "what must be true" (the CLI's `supply --must-be-true`), in the worker on request. */
function mustBeTrueSection(scenario: () => string): HTMLElement {
  const out = h('div', { id: 'mbt-out' });
  const button = h('button', { type: 'button', id: 'mbt-run' }, 'What must be true? (5,000 runs)');
  const show = (rs: MustBeTrueResult[]) =>
    fill(
      out,
      rs.map((r) =>
        h(
          'div',
          { class: 'mbt', 'data-claim': r.claim.id },
          h('h3', null, r.claim.text),
          h(
            'p',
            { 'data-metric': `mbt-${r.claim.id}` },
            `Holds in ${pct(r.holds, 0)} of ${r.runs.toLocaleString()} runs (${r.scenario}, seed ${r.seed}); ` +
              (r.box.length
                ? `in ${pct(r.holdsInBox, 0)} of the ${pct(r.support, 0)} of runs inside the region below.`
                : 'no region of the inputs found that makes it hold more often.'),
          ),
          r.box.length
            ? dataTable({
                name: `must-be-true-${r.claim.id}`,
                caption: 'Input region (cuts in the order found; the region is all of them together)',
                columns: [
                  {
                    key: 'parameter',
                    label: 'Input',
                    value: (c) => c.label,
                    render: (c) => paramCell(c.parameter),
                  },
                  { key: 'cut', label: 'Must be', value: (c) => `${c.op} ${plain(c.value)} ${c.unit}` },
                  { key: 'period', label: 'Period', value: (c) => c.period },
                  {
                    key: 'quantile',
                    label: 'Quantile of its range',
                    value: (c) => c.quantile,
                    render: (c) => pct(c.quantile, 0),
                    numeric: true,
                  },
                  { key: 'confidence', label: 'Confidence', value: (c) => c.confidence },
                  {
                    key: 'holds',
                    label: 'Holds after this cut',
                    value: (c) => c.holds,
                    render: (c) => pct(c.holds, 0),
                    numeric: true,
                  },
                  {
                    key: 'support',
                    label: 'Runs left',
                    value: (c) => c.support,
                    render: (c) => pct(c.support, 0),
                    numeric: true,
                  },
                ],
                rows: r.box,
              })
            : null,
        ),
      ),
    );
  button.addEventListener('click', () => {
    button.disabled = true;
    fill(out, h('p', { class: 'status' }, 'Searching the inputs in the worker...'));
    run('mustBeTrue', { scenario: scenario(), runs: 5000, seed: 1 })
      .then(show, (err: Error) => fill(out, h('p', { class: 'error', role: 'alert' }, err.message)))
      .finally(() => {
        button.disabled = false;
      });
  });
  return h(
    'section',
    { 'aria-labelledby': 'mbt-h' },
    h('h2', { id: 'mbt-h' }, 'What must be true'),
    h(
      'p',
      null,
      'For each claim about end-2026, a box search over the model’s input ranges finds the region of inputs in which the claim holds in most runs: what one has to believe for it.',
    ),
    button,
    out,
  );
}

/** Validation runs on the page's thread on request (a few seconds at 2,000 runs). */
function validationSection(): HTMLElement {
  const out = h('div');
  const button = h('button', { type: 'button' }, 'Check the published targets (2,000 runs)');
  button.addEventListener('click', () => {
    fill(out, h('p', { class: 'status' }, 'Running the model for each target scenario...'));
    setTimeout(() => {
      try {
        fill(out, validationTable(validateTargets(getData(), { runs: 2000, seed: 1 })));
      } catch (err) {
        fill(out, h('p', { class: 'error', role: 'alert' }, (err as Error).message));
      }
    }, 20);
  });
  return h(
    'section',
    { 'aria-labelledby': 'val-h' },
    h('h2', { id: 'val-h' }, 'Validation against published figures (baseline model)'),
    button,
    out,
  );
}

/** The Supply page. */
export function renderSupply(root: HTMLElement): void {
  const data = getData();
  const names = scenarioNames(data);
  const { req: initial, problems } = supplyState(names);
  let { scenario, runs, seed } = initial;
  const { factors } = initial;
  const status = h('p', { class: 'status', 'aria-live': 'polite' });
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  /** Values from the link that are not valid: listed, their fields flagged, nothing run until fixed. */
  const problemBox = h('div', { class: 'error', role: 'alert', id: 'supply-problems', hidden: true });
  const flagged = new Map<string, HTMLElement>();
  const showProblems = () => {
    problemBox.hidden = problems.size === 0;
    fill(
      problemBox,
      h('p', null, 'Not valid in this link (nothing is computed until it is fixed):'),
      h(
        'ul',
        null,
        [...problems.values()].map((m) => h('li', null, m)),
      ),
    );
    for (const [k, el] of flagged)
      if (problems.has(k)) el.setAttribute('aria-invalid', 'true');
      else el.removeAttribute('aria-invalid');
  };
  /** A field changed: its problem (if any) is gone; run when none is left. */
  const fixed = (k: string) => {
    problems.delete(k);
    showProblems();
    if (problems.size === 0) later();
  };
  const out = h('div');
  const tornOut = h('div', null, h('p', { class: 'status' }, 'Computing the tornado...'));
  const desc = h('p', { class: 'note' });
  const supply = latest('supply');
  const torn = latest('tornado');
  let shown = false;
  const go = () => {
    if (problems.size > 0) {
      status.textContent = '';
      return;
    }
    desc.textContent = data.scenarios[scenario]!.description;
    const req = { scenario, runs, seed, factors: { ...factors } };
    const t0 = performance.now();
    const first = !shown;
    status.textContent = `Running ${runs.toLocaleString()} Monte Carlo runs in the worker...`;
    // the first time, the headline cards come first (the same runs, a few metrics summarised);
    // errors are reported by the full request below
    if (!shown)
      run('supplyHeadline', req).then(
        (r) => {
          if (!shown) fill(out, ...headline(r));
        },
        () => {},
      );
    supply(req).then(
      (r) => {
        error.hidden = true;
        // the first request is sent at navigation (supply-state.ts): its time counts from there
        const since = first ? Math.min(t0, supplyStartedAt()) : t0;
        status.textContent = `${r.runs.toLocaleString()} runs x 16 quarters in ${(performance.now() - since).toFixed(0)} ms.`;
        shown = true;
        showResult(out, r);
        torn({ ...req, runs: Math.min(runs, 5000) }).then(
          (t) => fill(tornOut, tornadoChart(t), openQuestionsTable(data, t)),
          (err: Error) => fill(tornOut, h('p', { class: 'error', role: 'alert' }, err.message)),
        );
      },
      (err: Error) => {
        status.textContent = '';
        error.hidden = false;
        error.textContent = err.message;
      },
    );
  };
  const later = debounce(go, 250);
  const sliders = SLIDER_PARAMS.map((p) => {
    const valueOut = h(
      'output',
      { id: `out-${p}` },
      problems.has(p) ? 'not valid' : `x${factors[p]!.toFixed(2)}`,
    );
    const valueNote = h(
      'small',
      null,
      problems.has('scenario') ? '' : `as the scenario sets it: ${scenarioValue(p, scenario)}`,
    );
    const input = h('input', {
      type: 'range',
      min: 0.25,
      max: 4,
      step: 0.05,
      value: String(factors[p]),
      'data-param': p,
      'aria-describedby': `out-${p}`,
    });
    input.addEventListener('input', () => {
      factors[p] = Number(input.value);
      valueOut.textContent = `x${factors[p]!.toFixed(2)}`;
      update({ [p]: factors[p] === 1 ? null : factors[p] });
      fixed(p);
    });
    flagged.set(p, input);
    const id = `slider-${p}`;
    input.id = id;
    return h(
      'div',
      { class: 'slider' },
      h('label', { for: id }, labelOf(data, p), ' ', h('code', { class: 'param-id' }, p)),
      input,
      valueOut,
      valueNote,
    );
  });
  const reset = h(
    'button',
    {
      type: 'button',
      onclick: () => {
        for (const p of SLIDER_PARAMS) factors[p] = 1;
        update(Object.fromEntries(SLIDER_PARAMS.map((p) => [p, null])));
        root.replaceChildren();
        renderSupply(root);
      },
    },
    'Reset sliders',
  );
  const seedIn = h('input', {
    type: 'text',
    inputmode: 'numeric',
    id: 'supply-seed',
    value: current().params.get('seed') ?? String(seed),
  });
  flagged.set('seed', seedIn);
  seedIn.addEventListener('change', () => {
    const v = Number(seedIn.value);
    update({ seed: seedIn.value });
    if (seedIn.value.trim() !== '' && Number.isInteger(v) && v >= 0 && v <= 2 ** 31) {
      seed = v;
      fixed('seed');
    } else {
      problems.set('seed', `seed "${seedIn.value}" must be a whole number from 0 to 2^31`);
      showProblems();
    }
  });
  /** A select whose value from the link is not one of its options: kept, marked "(not valid)". */
  const choose = (key: string, options: string[], value: string, set: (v: string) => void) => {
    const el = select(
      problems.has(key) ? [[value, `${value} (not valid)`], ...options] : options,
      value,
      (v) => {
        for (const o of [...el.options]) if (!options.includes(o.value)) o.remove();
        set(v);
        fixed(key);
      },
    );
    el.id = `supply-${key}`;
    flagged.set(key, el);
    return el;
  };
  root.append(
    h('h1', { id: 'page-title', tabindex: -1 }, 'Supply'),
    h(
      'p',
      { class: 'lede' },
      "China's AI-accelerator output, fab to datacentre, against demand (src/supply): every input is a sourced low/value/high triplet, sampled by Monte Carlo in a Web Worker.",
    ),
    h(
      'div',
      { class: 'controls' },
      field(
        'Scenario',
        choose('scenario', names, scenario, (v) => {
          scenario = v;
          update({ scenario: v === 'baseline' ? null : v });
        }),
      ),
      field(
        'Runs',
        choose('runs', RUNS, current().params.get('runs') ?? String(runs), (v) => {
          runs = Number(v);
          update({ runs: v === DEFAULT_RUNS ? null : v });
        }),
      ),
      field('Seed', seedIn),
    ),
    problemBox,
    desc,
    h(
      'fieldset',
      { class: 'sliders' },
      h('legend', null, 'Scale a parameter (low, value and high together; fractions capped at 1)'),
      sliders,
      reset,
    ),
    error,
    status,
    out,
    validationSection(),
    mustBeTrueSection(() => scenario),
    h(
      'section',
      { 'aria-labelledby': 'torn-h' },
      h('h2', { id: 'torn-h' }, 'What moves end-2026 self-sufficiency, and the open questions'),
      tornOut,
    ),
  );
  showProblems();
  go();
}
