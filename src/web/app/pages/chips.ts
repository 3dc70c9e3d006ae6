/**
 * @module web/pages/chips
 * Chips: the sourced catalogue (sortable, each figure with its confidence and source), a
 * roofline chart for chosen chips and formats, and CloudMatrix 384 against GB200 NVL72.
 */
import * as Plot from '@observablehq/plot';
import {
  type Accelerator,
  type AcceleratorFigureKey,
  CATALOGUE_CONFIDENCES as CONFIDENCES,
  type Figure,
  figureValue,
  formatFigure,
} from '../../../catalog/index.js';
import { decadeDomain, logTicks, tickLabel } from '../../../web/axis.js';
import {
  attainable,
  compareSystemFigures,
  ROOFLINE_FORMATS,
  type Roofline,
  type RooflineFormat,
  roofline,
} from '../../../web/headline.js';
import { AXES, COLOURS, chartBlock, narrow, PLOT_STYLE, plotWidth, X_LABEL } from '../chart.js';
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
  mixed: '~',
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
              'aria-expanded': 'false',
              onclick: () => showProvenance(chipBox, a, true),
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
        caption: `${rows.length} accelerators. Badges: V vendor, M measured, E analyst estimate, D derived, ? unknown; hover or focus a badge for its source, or press a chip's name for every figure.`,
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
    h('span', { class: 'conf conf-mixed' }, '~'),
    ' mixed (a figure computed from inputs of different confidence)',
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

/**
 * Every figure of a chip with its source, opened in a row right under the chip's row of the
 * catalogue (or in `box` when the row is not shown), with focus moved to its heading.
 */
function showProvenance(box: HTMLElement, a: Accelerator, focus = false): void {
  const cat = getCatalog();
  update({ chip: a.id });
  for (const old of document.querySelectorAll('tr.detail')) old.remove();
  for (const b of document.querySelectorAll('button[data-chip][aria-expanded="true"]'))
    b.setAttribute('aria-expanded', 'false');
  box.replaceChildren();
  const rows = [
    ...Object.entries(a.figures).map(([key, f]) => ({ key, shown: formatFigure(f), f: f as Figure })),
  ];
  const button = document.querySelector<HTMLButtonElement>(`button[data-chip="${CSS.escape(a.id)}"]`);
  const heading = h(
    'h3',
    { id: 'prov-h', tabindex: -1 },
    `${cat.displayName(a)}: every figure and its source`,
  );
  const close = h(
    'button',
    {
      type: 'button',
      class: 'close',
      onclick: () => {
        update({ chip: null });
        for (const old of document.querySelectorAll('tr.detail')) old.remove();
        box.replaceChildren();
        button?.setAttribute('aria-expanded', 'false');
        button?.focus();
      },
    },
    'Close',
  );
  const content = [
    close,
    heading,
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
  ];
  const tr = button?.closest('tr');
  const scroller = tr?.closest<HTMLElement>('.table-scroll');
  if (tr && scroller) {
    const inner = h('div', { class: 'detail-inner provenance' }, content);
    // through the CSSOM: the CSP (style-src 'self') blocks style attributes
    inner.style.width = `${scroller.clientWidth - 16}px`;
    tr.after(h('tr', { class: 'detail' }, h('td', { colspan: tr.children.length }, inner)));
    button!.setAttribute('aria-expanded', 'true');
  } else {
    box.append(...content);
  }
  if (focus) {
    (tr?.nextElementSibling ?? heading).scrollIntoView({ block: 'start' });
    heading.focus({ preventScroll: true });
  }
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
    const name = (id: string) => cat.displayName(cat.getAccelerator(id));
    for (const id of chips) {
      for (const f of formats) {
        const r = roofline(cat.getAccelerator(id), f);
        if (r) lines.push(r);
        else missing.push(`${name(id)} ${f}`);
      }
    }
    const ai = Array.from({ length: 61 }, (_, i) => 10 ** (-1 + i * 0.08));
    const pts = lines.flatMap((r) => {
      const xs = [...ai.filter((x) => x < r.ridge), r.ridge, ...ai.filter((x) => x > r.ridge)];
      return xs.map((x) => ({ chip: name(r.chip), format: r.format, ai: x, tflops: attainable(r, x) }));
    });
    const width = plotWidth();
    const height = narrow() ? 320 : 400;
    const yDomain = decadeDomain(pts.map((p) => p.tflops));
    const xDomain: [number, number] = [0.1, 10 ** 3.8];
    const dashes: Record<string, string> = {
      bf16: 'none',
      fp8: '6,3',
      fp4: '2,3',
      int8: '8,3,2,3',
      fp32: '1,2',
    };
    const marks: Plot.Markish[] = formats.map((f) =>
      Plot.line(
        pts.filter((p) => p.format === f),
        {
          x: 'ai',
          y: 'tflops',
          stroke: 'chip',
          z: 'chip',
          strokeDasharray: dashes[f] ?? 'none',
          strokeWidth: 1.8,
        },
      ),
    );
    marks.push(
      Plot.dot(
        lines.map((r) => ({ ...r, chipName: name(r.chip) })),
        {
          x: 'ridge',
          y: 'peakTflops',
          fill: 'chipName',
          r: 3.5,
          title: (r: Roofline & { chipName: string }) =>
            `${r.chipName} ${r.format}\npeak ${fmt(r.peakTflops)} TFLOPS\nHBM ${fmt(r.hbmTBps)} TB/s\nridge ${fmt(r.ridge, 3)} FLOP/byte`,
        },
      ),
      Plot.tip(
        pts,
        Plot.pointer({
          x: 'ai',
          y: 'tflops',
          title: (p: (typeof pts)[number]) =>
            `${p.chip} ${p.format}\n${fmt(p.tflops)} TFLOPS at ${fmt(p.ai, 3)} FLOP/byte`,
        }),
      ),
    );
    const plot = Plot.plot({
      width,
      height,
      ...AXES,
      marginLeft: 56,
      style: PLOT_STYLE,
      x: {
        type: 'log',
        domain: xDomain,
        // at most 10: past that, Plot's log axis blanks some labels (d3 log tickFormat)
        ticks: logTicks(xDomain[0], xDomain[1], Math.min(10, Math.floor(width / 60))),
        tickFormat: tickLabel,
        label: 'arithmetic intensity (FLOP/byte)',
        grid: true,
        ...X_LABEL,
      },
      y: {
        type: 'log',
        domain: yDomain,
        ticks: logTicks(yDomain[0], yDomain[1], Math.min(10, Math.floor((height - 74) / 28))),
        tickFormat: tickLabel,
        label: '↑ attainable TFLOPS (TOPS for int8)',
        grid: true,
      },
      color: { legend: true, range: COLOURS, domain: chips.map(name) },
      marks,
    });
    const alt = lines.length
      ? lines
          .map(
            (r) =>
              `${name(r.chip)} ${r.format}: peak ${fmt(r.peakTflops)} TFLOPS, HBM ${fmt(r.hbmTBps)} TB/s, ridge at ${fmt(r.ridge, 3)} FLOP/byte`,
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
      h(
        'p',
        { class: 'legend' },
        'Colour: chip. Line style: ',
        formats.map(
          (f, i) =>
            `${i ? ', ' : ''}${f} ${dashes[f] === 'none' ? 'solid' : dashes[f] === '6,3' ? 'dashed' : dashes[f] === '2,3' ? 'dotted' : dashes[f] === '1,2' ? 'fine dots' : 'dash-dot'}`,
        ),
        '.',
      ),
      chartBlock('Roofline', plot, alt, undefined, {
        name: 'roofline',
        scenario: `chips ${chips.join(', ')}; formats ${formats.join(', ')}; dense peaks, best value of a range`,
        columns: [
          'chip',
          'format',
          'peak TFLOPS',
          'peak confidence',
          'HBM TB/s',
          'HBM confidence',
          'ridge FLOP/byte',
        ],
        rows: lines.map((r) => {
          const acc = cat.getAccelerator(r.chip);
          return [
            name(r.chip),
            r.format,
            r.peakTflops,
            acc.figures[ROOFLINE_FORMATS[r.format]]?.confidence ?? null,
            r.hbmTBps,
            acc.figures.hbmBandwidthTBps?.confidence ?? null,
            r.ridge,
          ];
        }),
      }),
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
          { key: 'chip', label: 'Chip', value: (r) => name(r.chip) },
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

const PRESET_SYSTEMS: [string, string[]][] = [
  ['CloudMatrix 384 vs GB200 NVL72', ['cloudmatrix-384', 'gb200-nvl72']],
  ['8-GPU boards (H100, H800, H20)', ['hgx-h100-8', 'hgx-h800-8', 'hgx-h20-8']],
  ['Every system', []],
];

/** Relative spread beyond which a row's cells are highlighted as different. */
const DIFF = 0.1;

interface SystemRow {
  metric: string;
  unit: string;
  formula: string;
  values: (number | null)[];
  confidence: (string | null)[];
  /** value / baseline's value, per system. */
  ratios: (number | null)[];
  /** Published as not supported by the system's chip (null value, not unknown). */
  notSupported: boolean[];
}

function systemsSection(): HTMLElement {
  const cat = getCatalog();
  const ids = cat.systems.map((s) => s.id);
  let chosen = getList('sys', ['cloudmatrix-384', 'gb200-nvl72'], ids);
  if (chosen.length === 0) chosen = ['cloudmatrix-384', 'gb200-nvl72'];
  const out = h('div');
  const boxes = new Map<string, HTMLInputElement>();
  const draw = () => {
    const base = chosen[0]!;
    const cmps = chosen.map((id) => compareSystemFigures(cat, id, base));
    const rows: SystemRow[] = cmps[0]!.rows.map((r, i) => ({
      metric: r.metric,
      unit: r.unit,
      formula: r.formula,
      values: cmps.map((c) => c.rows[i]!.a),
      notSupported: cmps.map((c) => c.rows[i]!.notSupported?.[0] ?? false),
      confidence: cmps.map((c) => c.rows[i]!.confidence[0]),
      ratios: cmps.map((c) => c.rows[i]!.ratio),
    }));
    const names = cmps.map((c) => c.a.name);
    const differs = (r: SystemRow) => {
      const v = r.values.filter((x): x is number => x !== null && x > 0);
      return v.length > 1 && Math.max(...v) / Math.min(...v) > 1 + DIFF;
    };
    const valueCol = (j: number): Column<SystemRow> => ({
      key: `s${j}`,
      label: names[j]!,
      numeric: true,
      value: (r) => r.values[j] ?? null,
      render: (r) => [
        r.notSupported[j] ? 'not supported' : fmt(r.values[j] ?? null),
        ' ',
        h(
          'span',
          {
            class: `conf conf-${r.confidence[j] ?? 'unknown'}`,
            title: `confidence ${r.confidence[j] ?? 'unknown'}`,
          },
          CONF_LETTER[r.confidence[j] ?? 'unknown'] ?? '?',
        ),
        j > 0 && r.ratios[j] !== null ? h('small', { class: 'note' }, ` ${r.ratios[j]!.toFixed(2)}x`) : null,
      ],
    });
    const table = dataTable({
      name: 'system-comparison',
      caption: `System figures; ratios against ${names[0]}. Rows whose values differ by more than ${DIFF * 100}% are highlighted.`,
      columns: [
        { key: 'metric', label: 'Metric', value: (r) => r.metric },
        { key: 'unit', label: 'Unit', value: (r) => r.unit },
        ...chosen.map((_, j) => valueCol(j)),
        { key: 'formula', label: 'From', value: (r) => r.formula, render: (r) => h('code', null, r.formula) },
      ],
      rows,
      rowAttrs: (r) => (differs(r) ? { class: 'differs' } : {}),
    });
    fill(
      out,
      h(
        'p',
        { class: 'formula' },
        `ratio = system / ${names[0]} (the first chosen); BF16 PFLOPS per kW = BF16 dense PFLOPS / all-in power kW. Figures from data/systems.json with their confidence.`,
      ),
      table,
    );
  };
  const setChosen = (next: string[]) => {
    chosen = next.length ? next : [ids[0]!];
    for (const [id, cb] of boxes) cb.checked = chosen.includes(id);
    update({ sys: chosen.join(',') });
    draw();
  };
  const fieldset = h(
    'fieldset',
    { class: 'schemes' },
    h('legend', null, 'Systems (the first chosen is the baseline)'),
    cat.systems.map((sys) => {
      const cb = h('input', {
        type: 'checkbox',
        value: sys.id,
        'data-system': sys.id,
        checked: chosen.includes(sys.id),
        onchange: () => setChosen(cb.checked ? [...chosen, sys.id] : chosen.filter((x) => x !== sys.id)),
      });
      boxes.set(sys.id, cb);
      return h('label', null, cb, ` ${cat.displayName(sys)}`);
    }),
  );
  const presets = h(
    'div',
    { class: 'downloads' },
    'Presets: ',
    PRESET_SYSTEMS.map(([label, list]) =>
      h('button', { type: 'button', onclick: () => setChosen(list.length ? list : [...ids]) }, label),
    ),
  );
  draw();
  return h(
    'section',
    { 'aria-labelledby': 'sys-h' },
    h('h2', { id: 'sys-h' }, 'Compare systems'),
    fieldset,
    presets,
    out,
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
