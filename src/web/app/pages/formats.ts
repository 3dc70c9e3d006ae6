/**
 * @module web/pages/formats
 * Formats: a number encoded in every element format (bit fields, decoded value, error), every
 * representable value on a log axis, and block quantization of a tensor (synthetic, or a
 * .safetensors file parsed in the worker) with error histograms, SQNR and bits per element.
 */
import type { Markish } from '@observablehq/plot';
import {
  codec,
  FORMAT_NAMES,
  type FormatName,
  formatInfo,
  getFormat,
  PRESET_NAMES,
  PRESETS,
} from '../../../formats/index.js';
import { SCHEMES, SYNTHETIC_KINDS, type SyntheticKind } from '../../../quant/index.js';
import { log2Density, looksLikeCode, parseCode } from '../../../web/axis.js';
import { bitFields, formulaOf } from '../../../web/bits.js';
import {
  AXES,
  afterPaint,
  COLOURS,
  chartBlock,
  chartSlot,
  loadPlot,
  PLOT_STYLE,
  type PlotModule,
  plotWidth,
  X_LABEL,
} from '../chart.js';
import { latest, run } from '../client.js';
import { field, fill, fmt, h, pct, select } from '../dom.js';
import { download } from '../download.js';
import { getList, getNumber, getString, update } from '../state.js';
import { type Column, dataTable } from '../table.js';
import type { ModelResult, QuantResult, TensorEntry } from '../tasks.js';

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

/**
 * Whether the 16-bit formats' code tables are built (`formatInfo` builds and caches one per format:
 * 65,536 codes each, the most costly step of this page's first draw). Until then the encoding table
 * is drawn without their rows, and again with them once that first table has been painted.
 */
let wideBuilt = false;
const NARROW = FORMAT_NAMES.filter((f) => getFormat(f).bits <= 8);

function encodeAll(x: number, preset: string, formats: readonly FormatName[] = FORMAT_NAMES): EncodingRow[] {
  return formats.map((format) => {
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

interface DecodingRow {
  format: FormatName;
  code: number;
  value: number;
}

/** Formats a typed code can belong to: the width its digits spell (0x7e: 8 bits), else any wide enough. */
function formatsForCode(code: number, digits: number, radix: 2 | 16): FormatName[] {
  const need = Math.max(1, code.toString(2).length);
  const spelled = radix === 16 ? digits * 4 : digits;
  const fits = FORMAT_NAMES.filter((f) => getFormat(f).bits >= need);
  const exact = fits.filter(
    (f) => getFormat(f).bits <= spelled && getFormat(f).bits > spelled - (radix === 16 ? 4 : 1),
  );
  return exact.length ? exact : fits;
}

const MODES: [string, string][] = [
  ['auto', 'auto (0x.. or 0b.. is a code)'],
  ['value', 'a value to encode'],
  ['code', 'a code to decode (hex or binary)'],
];

function fieldValues(format: FormatName, code: number): string {
  return bitFields(format, code)
    .map(
      (f) =>
        `${f.kind === 'man' ? 'M' : f.kind === 'exp' ? 'E' : f.kind === 'sign' ? 'S' : 'dot'}=${f.bits} (${Number.parseInt(f.bits, 2)})`,
    )
    .join(' ');
}

function legendLine(): HTMLElement {
  return h(
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
  );
}

/** The format, code and bit-field columns that the decode and encode tables share. */
function codeColumns<R extends { format: FormatName; code: number }>(): Column<R>[] {
  return [
    {
      key: 'format',
      label: 'Format',
      value: (r) => r.format,
      render: (r) => h('abbr', { title: getFormat(r.format).title }, r.format),
    },
    {
      key: 'code',
      label: 'Code',
      value: (r) => hex(r.code, getFormat(r.format).bits),
      render: (r) => h('code', null, hex(r.code, getFormat(r.format).bits)),
    },
    {
      key: 'bits',
      label: 'Bits',
      value: (r) => r.code.toString(2).padStart(getFormat(r.format).bits, '0'),
      render: (r) => bitsView(r.format, r.code),
    },
  ];
}

function decodeTable(text: string, code: number, formats: FormatName[]): HTMLElement {
  const rows: DecodingRow[] = formats.map((format) => ({ format, code, value: codec(format).decode(code) }));
  return dataTable({
    name: 'decodings',
    caption: `Code ${text.trim()} decoded in every format of its width`,
    columns: [
      ...codeColumns<DecodingRow>(),
      {
        key: 'value',
        label: 'Decoded value',
        numeric: true,
        value: (r) => r.value,
        render: (r) => h('span', { 'data-format': r.format }, fmt(r.value, 9)),
      },
      {
        key: 'fields',
        label: 'Fields',
        value: (r) => fieldValues(r.format, r.code),
        render: (r) => h('small', null, fieldValues(r.format, r.code)),
      },
      {
        key: 'formula',
        label: 'Decoding formula',
        value: (r) => formulaOf(r.format),
        render: (r) => h('small', { class: 'formula' }, formulaOf(r.format)),
      },
    ],
    rows,
  });
}

function encodeTable(text: string, x: number, preset: string, formats?: readonly FormatName[]): HTMLElement {
  const rows = encodeAll(x, preset, formats);
  return dataTable({
    name: 'encodings',
    caption: `${text.trim()} encoded in every format (${preset === 'default' ? 'round to nearest even' : `preset ${preset}: ${PRESETS[preset as 'torch'].summary}`})`,
    columns: [
      ...codeColumns<EncodingRow>(),
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
  });
}

function encodingSection(): HTMLElement {
  const out = h('div', { 'aria-live': 'polite' });
  const msg = h('p', { class: 'error', role: 'alert', hidden: true });
  const hint = h('small', { id: 'x-hint' });
  const input = h('input', {
    type: 'text',
    value: getString('x', '3.14159'),
    size: 18,
    id: 'x-input',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': 'x-hint',
  });
  let mode = getString('mode', 'auto', ['auto', 'value', 'code']);
  const modeSel = select(MODES, mode, (v) => {
    mode = v;
    update({ mode: v === 'auto' ? null : v });
    draw();
  });
  modeSel.id = 'mode-select';
  let preset = getString('preset', 'default', PRESET_CHOICES);
  const presetSel = select(PRESET_CHOICES, preset, (v) => {
    preset = v;
    update({ preset: v === 'default' ? null : v });
    draw();
  });
  const fail = (text: string) => {
    msg.hidden = false;
    msg.textContent = text;
    input.setAttribute('aria-invalid', 'true');
  };
  const draw = () => {
    const text = input.value;
    const asCode = mode === 'code' || (mode === 'auto' && looksLikeCode(text));
    if (asCode) {
      const c = parseCode(text);
      if (!c) {
        fail(`"${text}" is not a code: type hex as 0x7e or binary as 0b01111110 (at most 32 bits)`);
        return;
      }
      const formats = formatsForCode(c.code, c.digits, c.radix);
      if (formats.length === 0) {
        fail(`${text.trim()} needs ${c.code.toString(2).length} bits; the widest format has 16`);
        return;
      }
      msg.hidden = true;
      input.removeAttribute('aria-invalid');
      presetSel.disabled = true;
      hint.textContent = `read as a ${formats
        .map((f) => getFormat(f).bits)
        .filter((b, i, a) => a.indexOf(b) === i)
        .join('/')}-bit code`;
      update({ x: text.trim() });
      fill(out, decodeTable(text, c.code, formats), legendLine());
      const v = codec(formats[0]!).decode(c.code);
      drawValues?.(Number.isFinite(v) ? v : 1);
      return;
    }
    const x = parseInput(text);
    if (x === null) {
      fail(`"${text}" is not a number (try 0.1, -3e-5, inf or nan; a code is typed as 0x7e or 0b0111_1110)`);
      return;
    }
    msg.hidden = true;
    input.removeAttribute('aria-invalid');
    presetSel.disabled = false;
    hint.textContent = 'read as a value to encode';
    update({ x: text.trim() });
    if (!wideBuilt) {
      // the first draw: the 8-bit and smaller formats now, all of them after this paint
      fill(
        out,
        encodeTable(text, x, preset, NARROW),
        h(
          'p',
          { class: 'status', 'data-wide-pending': '' },
          'bf16 and fp16 follow (building their 65,536-code tables)...',
        ),
        legendLine(),
      );
      afterPaint(() => {
        wideBuilt = true;
        draw();
      });
      return;
    }
    fill(out, encodeTable(text, x, preset), legendLine());
    drawValues?.(x);
  };
  input.addEventListener('input', draw);
  queueMicrotask(draw);
  return h(
    'section',
    { 'aria-labelledby': 'enc-h' },
    h('h2', { id: 'enc-h' }, 'Encode a value or decode a code'),
    h(
      'div',
      { class: 'controls' },
      h('div', { class: 'field' }, h('label', { for: 'x-input' }, 'Value or code'), input, hint),
      field('Read the input as', modeSel),
      field('Rounding preset', presetSel, 'encoding only'),
    ),
    msg,
    out,
  );
}

let drawValues: ((x: number) => void) | undefined;

/** Most distinct values a format may have and still be drawn one tick per value. */
const MAX_TICKS_PER_FORMAT = 300;

function valuesSection(): HTMLElement {
  const out = h('div');
  let wide = getString('wide', '0') === '1';
  const box = h('input', {
    type: 'checkbox',
    checked: wide,
    id: 'wide-box',
    onchange: () => {
      wide = box.checked;
      update({ wide: wide ? '1' : null });
      drawValues?.(last);
    },
  });
  let last = 1;
  let drawn = 0;
  // the chart follows the encoding table: drawn after the browser has painted it, once Plot is in
  drawValues = (x: number) => {
    last = x;
    const mine = ++drawn;
    afterPaint(() =>
      loadPlot().then(
        (Plot) => mine === drawn && drawValuesNow(Plot, x),
        (err: Error) =>
          fill(out, h('p', { class: 'error', role: 'alert' }, `Could not load the chart: ${err.message}`)),
      ),
    );
  };
  const drawValuesNow = (Plot: PlotModule, x: number) => {
    const formats = FORMAT_NAMES.filter((f) => wide || getFormat(f).bits <= 8);
    const positives = new Map<string, number[]>();
    const facts: string[] = [];
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const f of formats) {
      const info = formatInfo(f);
      const pos = [...new Set(Array.from(info.values).filter((v) => v > 0 && Number.isFinite(v)))].sort(
        (a, b) => a - b,
      );
      positives.set(f, pos);
      lo = Math.min(lo, Math.floor(Math.log2(pos[0]!)));
      hi = Math.max(hi, Math.ceil(Math.log2(pos[pos.length - 1]!)));
      facts.push(
        `${f}: ${pos.length} positive finite values from ${fmt(pos[0]!, 4)} to ${fmt(pos[pos.length - 1]!, 6)} (${Math.log10(pos[pos.length - 1]! / pos[0]!).toFixed(1)} decades)`,
      );
    }
    const width = plotWidth();
    const ticksMarks: { format: string; v: number }[] = [];
    const bins: { format: string; x1: number; x2: number; count: number; share: number }[] = [];
    for (const f of formats) {
      const pos = positives.get(f)!;
      if (pos.length <= MAX_TICKS_PER_FORMAT) {
        for (const v of pos) ticksMarks.push({ format: f, v });
      } else {
        const d = log2Density(pos, lo, hi, Math.max(60, Math.floor(width / 3)));
        const most = Math.max(...d.map((b) => b.count));
        for (const b of d)
          bins.push({ format: f, x1: 2 ** b.lo, x2: 2 ** b.hi, count: b.count, share: b.count / most });
      }
    }
    const ax = Math.abs(x);
    const marks: Markish[] = [
      Plot.tickX(ticksMarks, {
        x: 'v',
        y: 'format',
        stroke: 'format',
        strokeOpacity: 0.8,
        title: (d: { format: string; v: number }) => `${d.format}: ${fmt(d.v, 8)}`,
        tip: true,
      }),
    ];
    if (bins.length) {
      marks.push(
        Plot.barX(bins, {
          x1: 'x1',
          x2: 'x2',
          y: 'format',
          fill: 'format',
          fillOpacity: (d: { share: number }) => 0.2 + 0.8 * d.share,
          title: (d: { format: string; x1: number; x2: number; count: number }) =>
            `${d.format}: ${d.count.toLocaleString()} values in [${fmt(d.x1, 4)}, ${fmt(d.x2, 4)})`,
          tip: true,
        }),
      );
    }
    if (Number.isFinite(ax) && ax > 0)
      marks.push(Plot.ruleX([ax], { stroke: 'currentColor', strokeDasharray: '4,3' }));
    const maxTicks = Math.max(4, Math.floor(width / 56));
    const step = [1, 2, 4, 8, 16, 32, 64, 128].find((s) => (hi - lo) / s <= maxTicks) ?? 128;
    const ticks: number[] = [];
    for (let e = Math.ceil(lo / step) * step; e <= hi; e += step) ticks.push(2 ** e);
    const plot = Plot.plot({
      width,
      height: AXES.marginBottom + AXES.marginTop + formats.length * 26,
      marginLeft: 78,
      marginRight: 16,
      ...AXES,
      style: PLOT_STYLE,
      x: {
        type: 'log',
        base: 2,
        domain: [2 ** lo, 2 ** hi],
        ticks,
        tickFormat: (d: number) => `2^${Math.round(Math.log2(d))}`,
        label: 'positive representable value (log2 scale)',
        grid: true,
        ...X_LABEL,
      },
      y: { label: null, domain: formats },
      color: { range: COLOURS, domain: FORMAT_NAMES },
      marks,
    });
    fill(
      out,
      chartBlock(
        'Every positive finite value of each format',
        plot,
        `${facts.join('. ')}. The dashed line marks |x| = ${fmt(ax, 6)}.${bins.length ? ` Formats with more than ${MAX_TICKS_PER_FORMAT} values are drawn as density bins (darker: more values per bin).` : ''}`,
        undefined,
        {
          name: 'format-values',
          scenario: `positive finite values; |x| = ${fmt(ax, 8)}`,
          columns: ['format', 'positive values', 'smallest', 'largest'],
          rows: formats.map((f) => {
            const p = positives.get(f)!;
            return [f, p.length, p[0]!, p[p.length - 1]!];
          }),
        },
      ),
    );
  };
  return h(
    'section',
    { 'aria-labelledby': 'val-h' },
    h('h2', { id: 'val-h' }, 'Representable values'),
    h(
      'div',
      { class: 'controls' },
      h('label', null, box, ' include bf16 and fp16 (65,536 codes each, drawn as density)'),
    ),
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
  const whole = modelSection();

  const tensorSel = h(
    'select',
    {
      disabled: true,
      id: 'tensor-select',
      onchange: () => {
        tensor = tensorSel.value;
        source = 'upload';
        go();
      },
    },
    h('option', { value: '' }, 'open a .safetensors file first'),
  );
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
      whole.opened(f.name);
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
  // the quantization starts the dashboard's worker: after the encoding table has been painted
  afterPaint(go);
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
      field(
        'Tensor',
        tensorSel,
        "lists the file's tensors once it is open; integer tensors cannot be quantized",
      ),
    ),
    boxes,
    uploadError,
    status,
    out,
    whole.el,
  );
}

/** The whole opened file quantized with one scheme: per-tensor error and size, and the result to download. */
function modelSection(): { el: HTMLElement; opened: (file: string) => void } {
  const out = h('div');
  const status = h('p', { class: 'status', 'aria-live': 'polite' });
  const err = h('p', { class: 'error', role: 'alert', hidden: true, id: 'model-error' });
  let scheme = SCHEME_NAMES.includes('nvfp4') ? 'nvfp4' : SCHEME_NAMES[0]!;
  const sel = select(SCHEME_NAMES, scheme, (v) => {
    scheme = v;
  });
  sel.id = 'model-scheme';
  const model = latest('model');
  const goButton = h(
    'button',
    {
      type: 'button',
      id: 'model-go',
      disabled: true,
      onclick: () => {
        err.hidden = true;
        status.textContent = `Quantizing every matrix with ${scheme} in the worker...`;
        const t0 = performance.now();
        model({ scheme }).then(
          (r) => {
            status.textContent = `${r.file}: ${r.rows.filter((x) => x.sqnrDb !== null).length} of ${r.rows.length} tensors quantized with ${r.scheme} in ${(performance.now() - t0).toFixed(0)} ms.`;
            showModel(out, r);
          },
          (e: Error) => {
            status.textContent = '';
            err.hidden = false;
            err.textContent = e.message;
          },
        );
      },
    },
    'Quantize every tensor',
  );
  const el = h(
    'section',
    { 'aria-labelledby': 'model-h' },
    h('h3', { id: 'model-h' }, 'The whole file'),
    h(
      'p',
      { class: 'note', id: 'model-note' },
      'Open a .safetensors file above, then quantize every matrix in it with one scheme: per-tensor SQNR and size against fp32, and the fake-quantized file (dequantized to F32) to download. Nothing leaves the browser.',
    ),
    h('div', { class: 'controls' }, field('Scheme', sel), goButton),
    err,
    status,
    out,
  );
  return {
    el,
    opened: (file: string) => {
      goButton.disabled = false;
      fill(out);
      status.textContent = `${file} is open.`;
    },
  };
}

function showModel(out: HTMLElement, r: ModelResult): void {
  const q = r.rows.filter((x) => x.quantBytes !== null);
  const fp32 = q.reduce((a, x) => a + x.elements * 4, 0);
  const packed = q.reduce((a, x) => a + x.quantBytes!, 0);
  // whole-file SQNR = sum x^2 / sum e^2 over every quantized element; per tensor
  // sum e^2 = mse * n and sum x^2 = sum e^2 * 10^(SQNR / 10)
  const noise = q.reduce((a, x) => a + x.mse! * x.elements, 0);
  const signal = q.reduce((a, x) => a + x.mse! * x.elements * 10 ** (x.sqnrDb! / 10), 0);
  const sqnrAll = q.length === 0 || noise === 0 ? null : 10 * Math.log10(signal / noise);
  const stem = r.file.replace(/\.safetensors$/i, '');
  fill(
    out,
    h(
      'p',
      { 'data-metric': 'model-size' },
      `Quantized matrices: ${fmt(packed / 2 ** 20, 4)} MiB against ${fmt(fp32 / 2 ** 20, 4)} MiB as fp32 (${((packed / Math.max(1, fp32)) * 100).toFixed(1)}%).`,
      sqnrAll === null ? '' : ` SQNR over all quantized elements: ${sqnrAll.toFixed(2)} dB.`,
    ),
    dataTable({
      name: `${stem}-${r.scheme}`,
      caption: `Every tensor of ${r.file} with ${r.scheme}`,
      columns: [
        { key: 'name', label: 'Tensor', value: (x) => x.name },
        { key: 'shape', label: 'Shape', value: (x) => JSON.stringify(x.shape) },
        { key: 'dtype', label: 'Dtype', value: (x) => x.dtype },
        {
          key: 'sqnrDb',
          label: 'SQNR (dB)',
          numeric: true,
          value: (x) => x.sqnrDb,
          render: (x) =>
            x.sqnrDb === null ? '' : h('span', { 'data-model-sqnr': x.name }, x.sqnrDb.toFixed(2)),
        },
        {
          key: 'bitsPerElement',
          label: 'Bits/element',
          numeric: true,
          value: (x) => x.bitsPerElement,
          render: (x) => fmt(x.bitsPerElement, 5),
        },
        { key: 'fp32Bytes', label: 'fp32 bytes', numeric: true, value: (x) => x.elements * 4 },
        {
          key: 'quantBytes',
          label: 'Quantized bytes',
          numeric: true,
          value: (x) => x.quantBytes,
          render: (x) => (x.quantBytes === null ? '' : fmt(x.quantBytes, 6)),
        },
        {
          key: 'maxAbsError',
          label: 'max |x - q|',
          numeric: true,
          value: (x) => x.maxAbsError,
          render: (x) => fmt(x.maxAbsError, 3),
        },
        { key: 'kept', label: 'Kept as is because', value: (x) => x.kept ?? '' },
      ],
      rows: r.rows,
      sortable: true,
    }),
    h(
      'button',
      {
        type: 'button',
        'data-download': 'model',
        onclick: () =>
          download(
            `${stem}-${r.scheme}-fakequant.safetensors`,
            new Blob([r.output], { type: 'application/octet-stream' }),
          ),
      },
      `Download ${stem}-${r.scheme}-fakequant.safetensors (${fmt(r.output.byteLength / 2 ** 20, 3)} MiB, dequantized to F32)`,
    ),
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
  const width = plotWidth();
  const histogram = (Plot: PlotModule) =>
    Plot.plot({
      width,
      height: 320,
      ...AXES,
      style: PLOT_STYLE,
      x: {
        label: 'log10(|x - q| / rms(x))',
        grid: true,
        ticks: Math.max(4, Math.floor(width / 70)),
        ...X_LABEL,
      },
      y: { label: '↑ share of elements', grid: true, tickFormat: '.0%' },
      color: { legend: true, range: COLOURS },
      marks: [
        Plot.lineY(hist, {
          x: 'bin',
          y: 'share',
          stroke: 'scheme',
          curve: 'step',
          channels: { scheme: 'scheme' },
          tip: { format: { x: (v: number) => `10^${v.toFixed(2)}`, y: (v: number) => pct(v, 2) } },
        }),
        Plot.ruleY([0]),
      ],
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
    chartSlot((Plot) =>
      chartBlock(
        'Error histogram (elements reproduced exactly are left out)',
        histogram(Plot),
        alt,
        undefined,
        {
          name: 'error-histogram',
          scenario: r.label,
          columns: ['scheme', 'bin centre log10(|x - q| / rms(x))', 'share of elements'],
          rows: hist.map((d) => [d.scheme, d.bin, d.share]),
        },
      ),
    ),
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
