/**
 * @module web/pages/formats
 * Formats: a number encoded in every element format (bit fields, decoded value, error), every
 * representable value on a log axis, and block quantization of a tensor (synthetic, or a
 * .safetensors file parsed in the worker) with error histograms, SQNR and bits per element.
 */
import * as Plot from '@observablehq/plot';
import {
  codec,
  FORMAT_NAMES,
  type FormatName,
  formatInfo,
  PRESET_NAMES,
  PRESETS,
} from '../../../src/formats/index.js';
import { SCHEMES, SYNTHETIC_KINDS, type SyntheticKind } from '../../../src/quant/index.js';
import { bitFields, formulaOf } from '../../../src/web/bits.js';
import { chartBlock, PLOT_STYLE, plotWidth } from '../chart.js';
import { latest, run } from '../client.js';
import { field, fill, fmt, h, pct, select } from '../dom.js';
import { getList, getNumber, getString, update } from '../state.js';
import { dataTable } from '../table.js';
import type { QuantResult, TensorEntry } from '../tasks.js';

const SCHEME_NAMES = Object.keys(SCHEMES);
const DEFAULT_SCHEMES = [
  'torchao-mxfp4-floor',
  'nvfp4',
  'torchao-mxfp8-floor',
  'deepgemm-block-ue8m0',
  'fp8-per-tensor',
  'int8-q8_0',
];
const PRESET_CHOICES = ['default', ...PRESET_NAMES];

/** Parse typed text as a number: decimals, exponents, hex, inf and nan spellings. */
export function parseInput(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (t === 'nan') return Number.NaN;
  if (/^[+]?inf(inity)?$/.test(t)) return Number.POSITIVE_INFINITY;
  if (/^-inf(inity)?$/.test(t)) return Number.NEGATIVE_INFINITY;
  if (t === '' || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$|^0x[0-9a-f]+$/.test(t)) return null;
  return Number(t);
}

const hex = (code: number, bits: number) =>
  `0x${code
    .toString(16)
    .toUpperCase()
    .padStart(Math.ceil(bits / 4), '0')}`;

interface EncodingRow {
  format: FormatName;
  code: number;
  value: number;
  absError: number;
  relError: number;
  options: string;
}

function encodeAll(x: number, preset: string): EncodingRow[] {
  return FORMAT_NAMES.map((format) => {
    let c: ReturnType<typeof codec>;
    let options = 'default';
    try {
      c = preset === 'default' ? codec(format) : codec(format, { preset });
      if (preset !== 'default') options = preset;
    } catch {
      c = codec(format);
    }
    const code = c.encode(x);
    const value = c.decode(code);
    const absError = Math.abs(value - x);
    return {
      format,
      code,
      value,
      absError,
      relError: x === 0 ? absError : absError / Math.abs(x),
      options: `${options}: ${c.options.rounding}, ${c.options.overflow}`,
    };
  });
}

function bitsView(format: FormatName, code: number): HTMLElement {
  return h(
    'span',
    {
      class: 'bits',
      'aria-label': bitFields(format, code)
        .map((f) => `${f.kind} ${f.bits}`)
        .join(', '),
    },
    bitFields(format, code).map((f) => h('span', { class: `bit-${f.kind}`, title: f.kind }, f.bits)),
  );
}

function encodingSection(): HTMLElement {
  const out = h('div', { 'aria-live': 'polite' });
  const msg = h('p', { class: 'error', role: 'alert', hidden: true });
  const input = h('input', {
    type: 'text',
    inputmode: 'decimal',
    value: getString('x', '3.14159'),
    size: 18,
    id: 'x-input',
    autocomplete: 'off',
  });
  let preset = getString('preset', 'default', PRESET_CHOICES);
  const presetSel = select(PRESET_CHOICES, preset, (v) => {
    preset = v;
    update({ preset: v === 'default' ? null : v });
    draw();
  });
  const draw = () => {
    const x = parseInput(input.value);
    if (x === null) {
      msg.hidden = false;
      msg.textContent = `"${input.value}" is not a number (try 0.1, -3e-5, 0x7f, inf or nan)`;
      return;
    }
    msg.hidden = true;
    update({ x: input.value.trim() });
    const rows = encodeAll(x, preset);
    fill(
      out,
      dataTable({
        name: 'encodings',
        caption: `${input.value.trim()} encoded in every format (${preset === 'default' ? 'round to nearest even' : `preset ${preset}: ${PRESETS[preset as 'torch'].summary}`})`,
        columns: [
          {
            key: 'format',
            label: 'Format',
            value: (r) => r.format,
            render: (r) => h('abbr', { title: formatInfo(r.format).spec.title }, r.format),
          },
          {
            key: 'code',
            label: 'Code',
            value: (r) => hex(r.code, formatInfo(r.format).spec.bits),
            render: (r) => h('code', null, hex(r.code, formatInfo(r.format).spec.bits)),
          },
          {
            key: 'bits',
            label: 'Bits',
            value: (r) => r.code.toString(2).padStart(formatInfo(r.format).spec.bits, '0'),
            render: (r) => bitsView(r.format, r.code),
          },
          {
            key: 'value',
            label: 'Decoded',
            numeric: true,
            value: (r) => r.value,
            render: (r) => h('span', { 'data-format': r.format }, fmt(r.value, 7)),
          },
          {
            key: 'absError',
            label: '|q - x|',
            numeric: true,
            value: (r) => r.absError,
            render: (r) => fmt(r.absError, 3),
          },
          {
            key: 'relError',
            label: '|q - x| / |x|',
            numeric: true,
            value: (r) => r.relError,
            render: (r) => fmt(r.relError, 3),
          },
          {
            key: 'formula',
            label: 'Decoding formula',
            value: (r) => formulaOf(r.format),
            render: (r) => h('small', { class: 'formula' }, formulaOf(r.format)),
          },
          { key: 'options', label: 'Rounding, overflow', value: (r) => r.options },
        ],
        rows,
      }),
      h(
        'p',
        { class: 'legend' },
        'Bit fields: ',
        h('span', { class: 'bit-sign' }, 'sign'),
        ' ',
        h('span', { class: 'bit-dot' }, 'HiF8 dot'),
        ' ',
        h('span', { class: 'bit-exp' }, 'exponent'),
        ' ',
        h('span', { class: 'bit-man' }, 'mantissa'),
        '. Codes of 4- and 6-bit formats are shown at their width.',
      ),
    );
    drawValues?.(x);
  };
  input.addEventListener('input', draw);
  queueMicrotask(draw);
  return h(
    'section',
    { 'aria-labelledby': 'enc-h' },
    h('h2', { id: 'enc-h' }, 'A number in every format'),
    h(
      'div',
      { class: 'controls' },
      field('Number', input, 'decimal, exponent, inf or nan'),
      field('Rounding preset', presetSel),
    ),
    msg,
    out,
  );
}

let drawValues: ((x: number) => void) | undefined;

function valuesSection(): HTMLElement {
  const out = h('div');
  let wide = getString('wide', '0') === '1';
  const box = h('input', {
    type: 'checkbox',
    checked: wide,
    onchange: () => {
      wide = box.checked;
      update({ wide: wide ? '1' : null });
      drawValues?.(last);
    },
  });
  let last = 1;
  drawValues = (x: number) => {
    last = x;
    const formats = FORMAT_NAMES.filter((f) => wide || formatInfo(f).spec.bits <= 8);
    const points: { format: string; v: number }[] = [];
    const facts: string[] = [];
    for (const f of formats) {
      const info = formatInfo(f);
      const pos = [...new Set(Array.from(info.values).filter((v) => v > 0 && Number.isFinite(v)))].sort(
        (a, b) => a - b,
      );
      for (const v of pos) points.push({ format: f, v });
      facts.push(
        `${f}: ${pos.length} positive finite values from ${fmt(pos[0]!, 4)} to ${fmt(pos[pos.length - 1]!, 6)} (${Math.log10(pos[pos.length - 1]! / pos[0]!).toFixed(1)} decades)`,
      );
    }
    const ax = Math.abs(x);
    const marks: Plot.Markish[] = [
      Plot.tickX(points, { x: 'v', y: 'format', stroke: 'format', strokeOpacity: 0.7 }),
    ];
    if (Number.isFinite(ax) && ax > 0)
      marks.push(Plot.ruleX([ax], { stroke: 'currentColor', strokeDasharray: '4,3' }));
    const exps = points.map((p) => Math.log2(p.v));
    const [lo, hi] = [Math.floor(Math.min(...exps)), Math.ceil(Math.max(...exps))];
    const step = [1, 2, 4, 8, 16, 32, 64].find((s) => (hi - lo) / s <= 14) ?? 64;
    const ticks: number[] = [];
    for (let e = Math.ceil(lo / step) * step; e <= hi; e += step) ticks.push(2 ** e);
    const plot = Plot.plot({
      width: plotWidth(),
      height: 40 + formats.length * 26,
      marginLeft: 70,
      style: PLOT_STYLE,
      x: {
        type: 'log',
        base: 2,
        ticks,
        tickFormat: (d: number) => `2^${Math.round(Math.log2(d))}`,
        label: 'positive representable value (log2 scale)',
        grid: true,
      },
      y: { label: null, domain: formats },
      color: { scheme: 'tableau10' },
      marks,
    });
    fill(
      out,
      chartBlock(
        'Every positive finite value of each format',
        plot,
        `${facts.join('. ')}. The dashed line marks |x| = ${fmt(ax, 6)}.`,
      ),
    );
  };
  return h(
    'section',
    { 'aria-labelledby': 'val-h' },
    h('h2', { id: 'val-h' }, 'Representable values'),
    h('div', { class: 'controls' }, h('label', null, box, ' include bf16 and fp16 (65,536 codes each)')),
    out,
  );
}

function quantSection(): HTMLElement {
  const status = h('p', { class: 'status', 'aria-live': 'polite' });
  const uploadError = h('p', { class: 'error', role: 'alert', id: 'upload-error', hidden: true });
  const out = h('div');
  let dist = getString('dist', 'outliers', SYNTHETIC_KINDS) as SyntheticKind;
  let seed = getNumber('seed', 1, 0, 2 ** 31);
  let schemes = getList('schemes', DEFAULT_SCHEMES, SCHEME_NAMES);
  let source: 'synthetic' | 'upload' = 'synthetic';
  let tensors: TensorEntry[] = [];
  let tensor = '';
  const quant = latest('quant');

  const tensorSel = h('select', {
    disabled: true,
    onchange: () => {
      tensor = tensorSel.value;
      source = 'upload';
      go();
    },
  });
  const distSel = select([...SYNTHETIC_KINDS], dist, (v) => {
    dist = v as SyntheticKind;
    source = 'synthetic';
    update({ dist: v });
    go();
  });
  const seedIn = h('input', {
    type: 'number',
    min: 0,
    step: 1,
    value: String(seed),
    onchange: () => {
      seed = Math.max(0, Math.floor(Number(seedIn.value) || 0));
      source = 'synthetic';
      update({ seed });
      go();
    },
  });
  const fileIn = h('input', { type: 'file', accept: '.safetensors', id: 'file-input' });
  fileIn.addEventListener('change', async () => {
    const f = fileIn.files?.[0];
    if (!f) return;
    uploadError.hidden = true;
    status.textContent = `Reading ${f.name}...`;
    try {
      const bytes = await f.arrayBuffer();
      const r = await run('upload', { name: f.name, bytes }, [bytes]);
      tensors = r.tensors;
      const firstFloat = tensors.find((t) => t.float)!;
      tensor = firstFloat.name;
      fill(
        tensorSel,
        tensors.map((t) =>
          h(
            'option',
            { value: t.name, disabled: !t.float, selected: t.name === tensor },
            `${t.name} ${JSON.stringify(t.shape)} ${t.dtype}`,
          ),
        ),
      );
      tensorSel.disabled = false;
      source = 'upload';
      go();
    } catch (err) {
      uploadError.hidden = false;
      uploadError.textContent = `Could not open the file: ${(err as Error).message}`;
      status.textContent =
        source === 'synthetic' ? 'Still showing the synthetic tensor.' : 'Still showing the last file.';
      fileIn.value = '';
    }
  });

  const boxes = h(
    'fieldset',
    { class: 'schemes' },
    h('legend', null, 'Schemes'),
    SCHEME_NAMES.map((name) => {
      const cb = h('input', {
        type: 'checkbox',
        value: name,
        checked: schemes.includes(name),
        onchange: () => {
          schemes = SCHEME_NAMES.filter((n) => (n === name ? cb.checked : schemes.includes(n)));
          update({ schemes: schemes.join(',') });
          go();
        },
      });
      return h('label', { title: SCHEMES[name]!.source }, cb, ` ${name}`);
    }),
  );

  const go = () => {
    if (schemes.length === 0) {
      fill(out, h('p', null, 'Choose at least one scheme.'));
      return;
    }
    status.textContent = 'Quantizing in the worker...';
    const src =
      source === 'upload'
        ? ({ kind: 'upload', tensor } as const)
        : ({ kind: 'synthetic', dist, seed } as const);
    const t0 = performance.now();
    quant({ source: src, schemes }).then(
      (r) => {
        status.textContent = `${r.label}: ${r.elements.toLocaleString()} elements${r.truncated ? ' (first rows only)' : ''}, ${schemes.length} schemes in ${(performance.now() - t0).toFixed(0)} ms.`;
        showQuant(out, r);
      },
      (err: Error) => {
        status.textContent = '';
        uploadError.hidden = false;
        uploadError.textContent = err.message;
      },
    );
  };
  queueMicrotask(go);
  return h(
    'section',
    { 'aria-labelledby': 'q-h' },
    h('h2', { id: 'q-h' }, 'Block quantization of a tensor'),
    h(
      'div',
      { class: 'controls' },
      field(
        'Synthetic tensor (256 x 1024)',
        distSel,
        'outliers: a few columns scaled 20-100x, as LLM activations',
      ),
      field('Seed', seedIn),
      field('Or open a .safetensors file', fileIn, 'parsed in your browser; nothing is uploaded'),
      field('Tensor', tensorSel),
    ),
    boxes,
    uploadError,
    status,
    out,
  );
}

function showQuant(out: HTMLElement, r: QuantResult): void {
  const table = dataTable({
    name: 'quantization',
    caption: `Error of each scheme on ${r.label}`,
    columns: [
      {
        key: 'scheme',
        label: 'Scheme',
        value: (x) => x.scheme,
        render: (x) => h('abbr', { title: SCHEMES[x.scheme]?.source ?? '' }, x.scheme),
      },
      {
        key: 'bitsPerElement',
        label: 'Bits/element',
        numeric: true,
        value: (x) => x.bitsPerElement,
        render: (x) => fmt(x.bitsPerElement, 5),
        title: 'element bits + scale bits / block size',
      },
      {
        key: 'sqnrDb',
        label: 'SQNR (dB)',
        numeric: true,
        value: (x) => x.sqnrDb,
        render: (x) => h('span', { 'data-sqnr': x.scheme }, x.sqnrDb.toFixed(2)),
        title: '10 log10(sum x^2 / sum (x - q)^2)',
      },
      { key: 'mse', label: 'MSE', numeric: true, value: (x) => x.mse, render: (x) => fmt(x.mse, 3) },
      {
        key: 'maxAbsError',
        label: 'max |x - q|',
        numeric: true,
        value: (x) => x.maxAbsError,
        render: (x) => fmt(x.maxAbsError, 3),
      },
      {
        key: 'saturated',
        label: 'Saturated',
        numeric: true,
        value: (x) => x.saturated,
        render: (x) => pct(x.saturated, 3),
      },
      {
        key: 'flushedToZero',
        label: 'Flushed to 0',
        numeric: true,
        value: (x) => x.flushedToZero,
        render: (x) => pct(x.flushedToZero, 2),
      },
    ],
    rows: [...r.results].sort((a, b) => b.sqnrDb - a.sqnrDb),
  });
  const hist = r.results.flatMap((x) => {
    const n = r.elements;
    return x.histogram.counts.map((c, i) => ({
      scheme: x.scheme,
      bin: (x.histogram.edges[i]! + x.histogram.edges[i + 1]!) / 2,
      share: c / n,
    }));
  });
  const plot = Plot.plot({
    width: plotWidth(),
    height: 300,
    style: PLOT_STYLE,
    x: { label: 'log10(|x - q| / rms(x))', grid: true },
    y: { label: 'share of elements', grid: true, tickFormat: '.0%' },
    color: { legend: true, scheme: 'tableau10' },
    marks: [Plot.lineY(hist, { x: 'bin', y: 'share', stroke: 'scheme', curve: 'step' }), Plot.ruleY([0])],
  });
  const alt = r.results
    .map((x) => {
      const i = x.histogram.counts.indexOf(Math.max(...x.histogram.counts));
      const lo = x.histogram.edges[i]!;
      return `${x.scheme}: most errors between 10^${lo.toFixed(2)} and 10^${(lo + 0.25).toFixed(2)} times rms(x); ${pct(x.histogram.exact / r.elements)} exact; SQNR ${x.sqnrDb.toFixed(2)} dB`;
    })
    .join('. ');
  fill(
    out,
    h(
      'p',
      { class: 'formula' },
      'SQNR = 10 log10(sum x^2 / sum (x - q)^2); bits/element = element bits + scale bits / elements per block (NVFP4 adds its fp32 tensor scale).',
    ),
    table,
    chartBlock('Error histogram (elements reproduced exactly are left out)', plot, alt),
  );
}

/** The Formats page. */
export function renderFormats(root: HTMLElement): void {
  root.append(
    h('h1', { id: 'page-title', tabindex: -1 }, 'Number formats'),
    h(
      'p',
      { class: 'lede' },
      "Every value here is computed in your browser by chipstack's codecs and quantizer; heavy work runs in a Web Worker.",
    ),
    encodingSection(),
    valuesSection(),
    quantSection(),
  );
}
