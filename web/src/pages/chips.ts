/**
 * @module web/pages/chips
 * Chips: the sourced catalogue (sortable, each figure with its confidence and source), a
 * roofline chart for chosen chips and formats, and CloudMatrix 384 against GB200 NVL72.
 */
import * as Plot from '@observablehq/plot';
import {
  type Accelerator,
  type AcceleratorFigureKey,
  CONFIDENCES,
  type Figure,
  figureValue,
  formatFigure,
} from '../../../src/catalog/index.js';
import {
  attainable,
  compareSystemFigures,
  ROOFLINE_FORMATS,
  type Roofline,
  type RooflineFormat,
  roofline,
} from '../../../src/web/headline.js';
import { chartBlock, PLOT_STYLE, plotWidth } from '../chart.js';
import { getCatalog } from '../data.js';
import { type Child, field, fill, fmt, h, select } from '../dom.js';
import { getList, getString, update } from '../state.js';
import { type Column, dataTable } from '../table.js';

const FIGURES: [AcceleratorFigureKey, string][] = [
  ['bf16DenseTflops', 'BF16 TFLOPS'],
  ['fp8DenseTflops', 'FP8 TFLOPS'],
  ['fp4DenseTflops', 'FP4 TFLOPS'],
  ['int8DenseTops', 'INT8 TOPS'],
  ['hbmCapacityGB', 'HBM GB'],
  ['hbmBandwidthTBps', 'HBM TB/s'],
  ['scaleUpGBps', 'Scale-up GB/s'],
  ['tdpW', 'TDP W'],
  ['priceUsd', 'Price USD'],
];

const CONF_LETTER: Record<string, string> = {
  vendor: 'V',
  measured: 'M',
  'analyst-estimate': 'E',
  derived: 'D',
  unknown: '?',
};

function provenance(f: Figure): string {
  return `${f.confidence}: ${f.source} (${f.date})${f.note ? `. ${f.note}` : ''}`;
}

/** A figure as shown in a cell: the number and a confidence badge carrying the source. */
function figureCell(f: Figure | undefined): Child {
  if (!f) return '';
  return h(
    'span',
    { class: 'fig' },
    formatFigure(f),
    ' ',
    h(
      'span',
      {
        class: `conf conf-${f.confidence}`,
        title: provenance(f),
        'aria-label': `confidence ${f.confidence}`,
      },
      CONF_LETTER[f.confidence] ?? '?',
    ),
  );
}

function catalogueSection(chipBox: HTMLElement): HTMLElement {
  const cat = getCatalog();
  const vendors = ['all', ...cat.vendors()];
  let vendor = getString('vendor', 'all', vendors);
  const sortKey = getString('sort', 'bf16DenseTflops');
  const dir = getString('dir', 'desc', ['asc', 'desc']) as 'asc' | 'desc';
  const out = h('div');
  const draw = () => {
    const rows = vendor === 'all' ? [...cat.accelerators] : cat.listAccelerators({ vendor });
    const columns: Column<Accelerator>[] = [
      {
        key: 'name',
        label: 'Chip',
        cls: 'nowrap',
        value: (a) => cat.displayName(a),
        render: (a) =>
          h(
            'button',
            {
              type: 'button',
              class: 'link',
              'data-chip': a.id,
              onclick: () => showProvenance(chipBox, a),
              title: 'show every figure with its source',
            },
            cat.displayName(a),
          ),
      },
      { key: 'vendor', label: 'Vendor', value: (a) => a.vendor },
      { key: 'status', label: 'Status', value: (a) => a.status },
      { key: 'released', label: 'Released', cls: 'narrow', value: (a) => a.released.value ?? '' },
      { key: 'memory', label: 'Memory', cls: 'narrow', value: (a) => a.memoryType.value ?? '' },
      ...FIGURES.map(
        ([key, label]): Column<Accelerator> => ({
          key,
          label,
          numeric: true,
          value: (a) => figureValue(a.figures[key], 'best'),
          render: (a) => figureCell(a.figures[key]),
        }),
      ),
      { key: 'formats', label: 'Native formats', cls: 'wide', value: (a) => a.formats.native.join(', ') },
    ];
    fill(
      out,
      dataTable({
        name: 'accelerators',
        caption: `${rows.length} accelerators. Badges: V vendor, M measured, E analyst estimate, D derived, ? unknown; hover or focus a badge for its source, or press a chip's name.`,
        columns,
        rows,
        sortable: true,
        sort: { key: sortKey, dir },
        onSort: (key, d) => update({ sort: key, dir: d }),
      }),
    );
  };
  const vendorSel = select(vendors, vendor, (v) => {
    vendor = v;
    update({ vendor: v === 'all' ? null : v });
    draw();
  });
  draw();
  const legend = h(
    'p',
    { class: 'legend' },
    'Confidence: ',
    CONFIDENCES.map((c) => [h('span', { class: `conf conf-${c}` }, CONF_LETTER[c]), ` ${c} `]),
  );
  return h(
    'section',
    { 'aria-labelledby': 'cat-h' },
    h('h2', { id: 'cat-h' }, 'Catalogue'),
    h('div', { class: 'controls' }, field('Vendor', vendorSel)),
    legend,
    out,
  );
}

function showProvenance(box: HTMLElement, a: Accelerator): void {
  const cat = getCatalog();
  update({ chip: a.id });
  const rows = [
    ...Object.entries(a.figures).map(([key, f]) => ({ key, shown: formatFigure(f), f: f as Figure })),
  ];
  fill(
    box,
    h('h3', { id: 'prov-h', tabindex: -1 }, `${cat.displayName(a)}: every figure and its source`),
    dataTable({
      name: `${a.id}-figures`,
      caption: `${cat.displayName(a)} (${a.process.value ?? 'process ?'}, ${a.memoryType.value ?? 'memory ?'}); native formats: ${a.formats.native.join(', ')}`,
      columns: [
        { key: 'figure', label: 'Figure', value: (r) => r.key },
        { key: 'value', label: 'Value', numeric: true, value: (r) => r.f.value, render: (r) => r.shown },
        { key: 'low', label: 'Low', numeric: true, value: (r) => r.f.low ?? null },
        { key: 'high', label: 'High', numeric: true, value: (r) => r.f.high ?? null },
        {
          key: 'confidence',
          label: 'Confidence',
          value: (r) => r.f.confidence,
          render: (r) => h('span', { class: `conf conf-${r.f.confidence}` }, r.f.confidence),
        },
        { key: 'source', label: 'Source', value: (r) => r.f.source },
        { key: 'date', label: 'Date', value: (r) => r.f.date },
        { key: 'note', label: 'Note', value: (r) => r.f.note ?? '' },
      ],
      rows,
    }),
  );
}

function rooflineSection(): HTMLElement {
  const cat = getCatalog();
  const ids = cat.accelerators.map((a) => a.id);
  const fmts = Object.keys(ROOFLINE_FORMATS) as RooflineFormat[];
  let chips = getList('roof', ['h100-sxm', 'b200', 'ascend-910c', 'ascend-950dt', 'mi355x'], ids);
  let formats = getList('rf', ['bf16', 'fp8'], fmts) as RooflineFormat[];
  const out = h('div');
  const draw = () => {
    const lines: Roofline[] = [];
    const missing: string[] = [];
    for (const id of chips) {
      for (const f of formats) {
        const r = roofline(cat.getAccelerator(id), f);
        if (r) lines.push(r);
        else missing.push(`${id} ${f}`);
      }
    }
    const ai = Array.from({ length: 61 }, (_, i) => 10 ** (-1 + i * 0.08));
    const pts = lines.flatMap((r) => {
      const xs = [...ai.filter((x) => x < r.ridge), r.ridge, ...ai.filter((x) => x > r.ridge)];
      return xs.map((x) => ({
        series: `${cat.displayName(cat.getAccelerator(r.chip))} ${r.format}`,
        ai: x,
        tflops: attainable(r, x),
      }));
    });
    const plot = Plot.plot({
      width: plotWidth(),
      height: 380,
      style: PLOT_STYLE,
      x: { type: 'log', label: 'arithmetic intensity (FLOP/byte)', grid: true },
      y: { type: 'log', label: 'attainable TFLOPS', grid: true },
      color: { legend: true, scheme: 'tableau10' },
      marks: [
        Plot.line(pts, { x: 'ai', y: 'tflops', stroke: 'series' }),
        Plot.dot(
          lines.map((r) => ({ ...r, series: `${cat.displayName(cat.getAccelerator(r.chip))} ${r.format}` })),
          { x: 'ridge', y: 'peakTflops', fill: 'series', r: 3 },
        ),
      ],
    });
    const alt = lines.length
      ? lines
          .map(
            (r) =>
              `${cat.displayName(cat.getAccelerator(r.chip))} ${r.format}: peak ${fmt(r.peakTflops)} TFLOPS, HBM ${fmt(r.hbmTBps)} TB/s, ridge at ${fmt(r.ridge, 3)} FLOP/byte`,
          )
          .join('. ')
      : 'No chip and format chosen has both a peak and a bandwidth in the catalogue.';
    fill(
      out,
      h(
        'p',
        { class: 'formula' },
        'attainable TFLOPS = min(peak TFLOPS, intensity x HBM TB/s); ridge = peak / bandwidth (FLOP/byte). Range ends use the middle of a published range.',
      ),
      chartBlock('Roofline', plot, alt),
      missing.length
        ? h(
            'p',
            { class: 'note' },
            `Not drawn (no peak or bandwidth in the catalogue, or not supported): ${missing.join(', ')}.`,
          )
        : null,
      dataTable({
        name: 'roofline',
        caption: 'Roofline ridge points',
        columns: [
          { key: 'chip', label: 'Chip', value: (r) => r.chip },
          { key: 'format', label: 'Format', value: (r) => r.format },
          { key: 'peakTflops', label: 'Peak TFLOPS', numeric: true, value: (r) => r.peakTflops },
          { key: 'hbmTBps', label: 'HBM TB/s', numeric: true, value: (r) => r.hbmTBps },
          {
            key: 'ridge',
            label: 'Ridge FLOP/byte',
            numeric: true,
            value: (r) => r.ridge,
            render: (r) => fmt(r.ridge, 4),
          },
        ],
        rows: lines,
      }),
    );
  };
  const chipBoxes = h(
    'fieldset',
    { class: 'schemes' },
    h('legend', null, 'Chips'),
    cat.accelerators.map((a) => {
      const cb = h('input', {
        type: 'checkbox',
        value: a.id,
        checked: chips.includes(a.id),
        onchange: () => {
          chips = ids.filter((id) => (id === a.id ? cb.checked : chips.includes(id)));
          update({ roof: chips.join(',') });
          draw();
        },
      });
      return h('label', null, cb, ` ${cat.displayName(a)}`);
    }),
  );
  const fmtBoxes = h(
    'fieldset',
    { class: 'schemes' },
    h('legend', null, 'Formats'),
    fmts.map((f) => {
      const cb = h('input', {
        type: 'checkbox',
        value: f,
        checked: formats.includes(f),
        onchange: () => {
          formats = fmts.filter((x) => (x === f ? cb.checked : formats.includes(x)));
          update({ rf: formats.join(',') });
          draw();
        },
      });
      return h('label', null, cb, ` ${f}`);
    }),
  );
  draw();
  return h(
    'section',
    { 'aria-labelledby': 'roof-h' },
    h('h2', { id: 'roof-h' }, 'Roofline'),
    fmtBoxes,
    h('details', null, h('summary', null, `Chips (${chips.length} chosen)`), chipBoxes),
    out,
  );
}

function systemsSection(): HTMLElement {
  const cat = getCatalog();
  const cmp = compareSystemFigures(cat, 'cloudmatrix-384', 'gb200-nvl72');
  return h(
    'section',
    { 'aria-labelledby': 'sys-h' },
    h('h2', { id: 'sys-h' }, `${cmp.a.name} against ${cmp.b.name}`),
    h(
      'p',
      { class: 'formula' },
      'ratio = CloudMatrix / NVL72; FLOPs per watt = BF16 PFLOPS x 10^6 / (all-in kW x 10^3) GFLOPS/W. Figures from data/systems.json with their confidence.',
    ),
    dataTable({
      name: 'cloudmatrix-vs-nvl72',
      caption: 'System figures and ratios',
      columns: [
        { key: 'metric', label: 'Metric', value: (r) => r.metric },
        { key: 'unit', label: 'Unit', value: (r) => r.unit },
        {
          key: 'a',
          label: cmp.a.name,
          numeric: true,
          value: (r) => r.a,
          render: (r) => [
            fmt(r.a),
            ' ',
            h(
              'span',
              { class: `conf conf-${r.confidence[0]}` },
              CONF_LETTER[r.confidence[0] ?? 'unknown'] ?? '~',
            ),
          ],
        },
        {
          key: 'b',
          label: cmp.b.name,
          numeric: true,
          value: (r) => r.b,
          render: (r) => [
            fmt(r.b),
            ' ',
            h(
              'span',
              { class: `conf conf-${r.confidence[1]}` },
              CONF_LETTER[r.confidence[1] ?? 'unknown'] ?? '~',
            ),
          ],
        },
        {
          key: 'ratio',
          label: 'Ratio',
          numeric: true,
          value: (r) => r.ratio,
          render: (r) => h('strong', null, r.ratio === null ? '?' : `${r.ratio.toFixed(2)}x`),
        },
        { key: 'formula', label: 'From', value: (r) => r.formula, render: (r) => h('code', null, r.formula) },
      ],
      rows: cmp.rows,
    }),
  );
}

/** The Chips page. */
export function renderChips(root: HTMLElement): void {
  const cat = getCatalog();
  const chipBox = h('div', { class: 'provenance', 'aria-live': 'polite' });
  root.append(
    h('h1', { id: 'page-title', tabindex: -1 }, 'Chips'),
    h(
      'p',
      { class: 'lede' },
      `${cat.accelerators.length} accelerators and ${cat.systems.length} systems from the sourced catalogue, validated in your browser against its JSON Schemas.`,
    ),
    catalogueSection(chipBox),
    chipBox,
    rooflineSection(),
    systemsSection(),
  );
  const chip = cat.findAccelerator(getString('chip', ''));
  if (chip) showProvenance(chipBox, chip);
}
