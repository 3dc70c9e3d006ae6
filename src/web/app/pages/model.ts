/**
 * @module web/pages/model
 * The Model page: open an ONNX model in the browser, quantize its weights with any block scheme
 * in the worker (src/onnx's `quantizeModelBytes`, the code path of `chipstack onnx quantize
 * --mode fake`), and see each layer's error and size against fp32. Nothing is sent anywhere;
 * the fake-quantized model can be downloaded.
 */
import * as Plot from '@observablehq/plot';
import { SCHEMES } from '../../../quant/index.js';
import { AXES, chartBlock, PLOT_STYLE, plotWidth, X_LABEL } from '../chart.js';
import { run } from '../client.js';
import { card, field, fill, fmt, h, select } from '../dom.js';
import { download } from '../download.js';
import { getString, update } from '../state.js';
import { dataTable } from '../table.js';
import type { OnnxLayerRow, OnnxQuantResult, Tasks } from '../tasks.js';

const SCHEME_NAMES = Object.keys(SCHEMES);
/** Largest .onnx file opened here (it is held in memory twice: the file and the quantized copy). */
const MAX_FILE_BYTES = 512 * 1024 * 1024;

const kib = (b: number) => (b >= 1024 * 1024 ? `${fmt(b / 1024 / 1024, 4)} MiB` : `${fmt(b / 1024, 4)} KiB`);

/** The Model page. */
export function renderModel(root: HTMLElement): void {
  let scheme = getString('scheme', 'nvfp4');
  const schemeErr = h('p', { class: 'error', role: 'alert', hidden: true, id: 'onnx-scheme-error' });
  if (!SCHEME_NAMES.includes(scheme)) {
    schemeErr.hidden = false;
    schemeErr.textContent = `Scheme "${scheme}" (from the link) is not one of the ${SCHEME_NAMES.length} schemes; choose one.`;
  }
  const status = h('p', { class: 'status', 'aria-live': 'polite', id: 'onnx-status' });
  const error = h('p', { class: 'error', role: 'alert', hidden: true, id: 'onnx-error' });
  const progress = h('progress', { id: 'onnx-progress', max: 1, value: 0, hidden: true });
  const weightsOut = h('div', { id: 'onnx-weights' });
  const out = h('div', { id: 'onnx-out' });
  let opened: Tasks['onnxOpen']['res'] | null = null;
  const go = h('button', { type: 'button', id: 'onnx-go', disabled: true }, 'Quantize in the worker');
  const fail = (msg: string) => {
    error.hidden = false;
    error.textContent = msg;
    status.textContent = '';
    progress.hidden = true;
  };

  const fileInput = h('input', { type: 'file', id: 'onnx-file', accept: '.onnx,application/octet-stream' });
  fileInput.addEventListener('change', async () => {
    const f = fileInput.files?.[0];
    if (!f) return;
    error.hidden = true;
    fill(out);
    fill(weightsOut);
    opened = null;
    go.disabled = true;
    if (f.size > MAX_FILE_BYTES) {
      fail(
        `${f.name}: ${kib(f.size)}, over this page's ${kib(MAX_FILE_BYTES)} limit; use \`chipstack onnx quantize\` for larger models.`,
      );
      return;
    }
    status.textContent = `Reading ${f.name} in the worker...`;
    try {
      const bytes = await f.arrayBuffer();
      opened = await run('onnxOpen', { name: f.name, bytes }, [bytes]);
    } catch (e) {
      fail((e as Error).message);
      return;
    }
    status.textContent = `${opened.name}: opset ${opened.opset}, ${opened.nodes} nodes, ${opened.weights.length} quantizable weights.`;
    go.disabled = !SCHEME_NAMES.includes(scheme);
    fill(
      weightsOut,
      h(
        'details',
        null,
        h('summary', null, `Quantizable weights (${opened.weights.length})`),
        h(
          'ul',
          null,
          opened.weights.map((w) =>
            h('li', null, `${w.name}: ${w.kind} ${JSON.stringify(w.shape)}, blocks along ${w.view[1]}`),
          ),
        ),
      ),
    );
  });

  go.addEventListener('click', () => {
    if (!opened) return;
    error.hidden = true;
    go.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    status.textContent = `Quantizing ${opened.weights.length} weights with ${scheme} in the worker...`;
    run('onnxQuantize', { scheme }, [], (done, total) => {
      progress.max = Math.max(1, total);
      progress.value = done;
    }).then(
      (r) => {
        go.disabled = false;
        progress.hidden = true;
        status.textContent = `Quantized ${r.rows.length} weights of ${r.file} with ${r.scheme}.`;
        showResult(out, r);
      },
      (e: Error) => {
        go.disabled = false;
        fail(e.message);
      },
    );
  });

  const schemeSel = select(
    SCHEME_NAMES.includes(scheme) ? SCHEME_NAMES : [[scheme, `${scheme} (not valid)`], ...SCHEME_NAMES],
    scheme,
    (v) => {
      scheme = v;
      schemeErr.hidden = true;
      schemeSel.removeAttribute('aria-invalid');
      for (const o of [...schemeSel.options]) if (!SCHEME_NAMES.includes(o.value)) o.remove();
      update({ scheme: v });
      go.disabled = !opened;
    },
  );
  schemeSel.id = 'onnx-scheme';
  if (!SCHEME_NAMES.includes(scheme)) schemeSel.setAttribute('aria-invalid', 'true');

  root.append(
    h('h1', { id: 'page-title', tabindex: -1 }, 'Model'),
    h(
      'p',
      { class: 'lede' },
      'Open an ONNX model (weights inside the .onnx file) and quantize every MatMul, Gemm, Conv and Gather weight with any block scheme, in a worker in your browser, with the same src/onnx code as ',
      h('code', null, 'chipstack onnx quantize --mode fake'),
      ': per-layer error and size against fp32. The file never leaves this page.',
    ),
    schemeErr,
    h(
      'div',
      { class: 'controls' },
      field('ONNX model', fileInput, `at most ${kib(MAX_FILE_BYTES)}`),
      field('Scheme', schemeSel, `${SCHEME_NAMES.length} schemes (src/quant)`),
    ),
    h('p', null, go, ' ', progress),
    error,
    status,
    weightsOut,
    out,
  );
}

function showResult(out: HTMLElement, r: OnnxQuantResult): void {
  const fp32 = r.rows.reduce((a, x) => a + x.fp32Bytes, 0);
  const q = r.rows.reduce((a, x) => a + x.quantBytes, 0);
  const elements = r.rows.reduce((a, x) => a + x.elements, 0);
  const worst = r.rows.reduce((a, x) => (x.sqnrDb < a.sqnrDb ? x : a), r.rows[0]!);
  const stem = r.file.replace(/\.onnx$/i, '').replace(/[^A-Za-z0-9._-]+/g, '_');
  const rows = r.rows.map((x) => ({ ...x, label: x.name }));
  const plot = Plot.plot({
    style: PLOT_STYLE,
    ...AXES,
    width: plotWidth(),
    height: Math.min(900, 80 + rows.length * 22),
    marginLeft: Math.min(240, 20 + 7 * Math.max(...rows.map((x) => Math.min(30, x.name.length)))),
    x: { label: 'SQNR dB (higher is better)', grid: true, nice: true, ...X_LABEL },
    y: {
      label: null,
      domain: rows.map((x) => x.label),
      tickFormat: (s: string) => (s.length > 30 ? `${s.slice(0, 29)}\u2026` : s),
    },
    marks: [
      Plot.barX(rows, {
        x: (d: OnnxLayerRow) => (Number.isFinite(d.sqnrDb) ? d.sqnrDb : 0),
        y: 'label',
        fill: '#0072b2',
        tip: true,
        title: (d: OnnxLayerRow) =>
          `${d.name} (${d.kind} ${JSON.stringify(d.shape)})\nSQNR ${fmt(d.sqnrDb, 4)} dB, relative error ${fmt(d.relError, 3)}\n${fmt(d.bitsPerWeight, 4)} bits per weight: ${kib(d.quantBytes)} vs ${kib(d.fp32Bytes)} fp32`,
      }),
      Plot.ruleX([0]),
    ],
  });
  const chart = chartBlock(
    `SQNR per layer, ${r.scheme}`,
    plot,
    rows.map((x) => `${x.name}: ${fmt(x.sqnrDb, 3)} dB`).join('; '),
    undefined,
    {
      name: `${stem}-${r.scheme}-layers`,
      scenario: `${r.file}, scheme ${r.scheme}, src/onnx quantizeModelBytes (fake mode); measured on this file`,
      columns: [
        'layer',
        'kind',
        'SQNR dB',
        'relative error',
        'bits per weight',
        'fp32 bytes',
        'quantized bytes',
      ],
      rows: rows.map((x) => [
        x.name,
        x.kind,
        x.sqnrDb,
        x.relError,
        x.bitsPerWeight,
        x.fp32Bytes,
        x.quantBytes,
      ]),
    },
  );
  const table = dataTable({
    name: `${stem}-${r.scheme}-layers`,
    caption: `Per layer: error of Q(W) against the fp32 weight W, and size (quantized = elements x bits per weight / 8, codes and scales).`,
    columns: [
      { key: 'name', label: 'Weight', value: (x: OnnxLayerRow) => x.name },
      { key: 'kind', label: 'Op', value: (x: OnnxLayerRow) => x.kind },
      { key: 'shape', label: 'Shape', value: (x: OnnxLayerRow) => JSON.stringify(x.shape) },
      {
        key: 'sqnr',
        label: 'SQNR dB',
        numeric: true,
        value: (x: OnnxLayerRow) => x.sqnrDb,
        render: (x: OnnxLayerRow) => h('span', { 'data-layer-sqnr': x.name }, fmt(x.sqnrDb, 4)),
      },
      {
        key: 'rel',
        label: '||W-Q(W)||/||W||',
        numeric: true,
        value: (x: OnnxLayerRow) => x.relError,
        render: (x) => fmt(x.relError, 3),
      },
      {
        key: 'bits',
        label: 'Bits/weight',
        numeric: true,
        value: (x: OnnxLayerRow) => x.bitsPerWeight,
        render: (x) => fmt(x.bitsPerWeight, 4),
      },
      { key: 'fp32', label: 'fp32 bytes', numeric: true, value: (x: OnnxLayerRow) => x.fp32Bytes },
      {
        key: 'q',
        label: 'Quantized bytes',
        numeric: true,
        value: (x: OnnxLayerRow) => x.quantBytes,
        render: (x) => fmt(x.quantBytes, 6),
      },
      {
        key: 'ratio',
        label: 'vs fp32',
        numeric: true,
        value: (x: OnnxLayerRow) => x.quantBytes / x.fp32Bytes,
        render: (x) => `${fmt((100 * x.quantBytes) / x.fp32Bytes, 3)}%`,
      },
    ],
    rows: r.rows,
    sortable: true,
    rowAttrs: (x) => ({ 'data-layer': x.name }),
  });
  fill(
    out,
    h(
      'div',
      { class: 'cards' },
      card('Weights quantized', `${r.rows.length}`, `${elements.toLocaleString()} elements`, 'onnx-count'),
      card(
        'Size',
        `${kib(q)} vs ${kib(fp32)}`,
        `${fmt((100 * q) / fp32, 3)}% of fp32 (weights only)`,
        'onnx-size',
      ),
      card('Bits per weight', fmt((8 * q) / elements, 4), 'elements-weighted mean', 'onnx-bits'),
      card('Worst layer', `${fmt(worst.sqnrDb, 4)} dB`, worst.name, 'onnx-worst'),
    ),
    r.skipped.length
      ? h(
          'details',
          null,
          h('summary', null, `Not quantized (${r.skipped.length})`),
          h(
            'ul',
            null,
            r.skipped.map((s) => h('li', null, `${s.name}: ${s.reason}`)),
          ),
        )
      : null,
    h(
      'p',
      { class: 'downloads' },
      h(
        'button',
        {
          type: 'button',
          'data-download': 'onnx',
          onclick: () => download(`${stem}-${r.scheme}-fakequant.onnx`, new Blob([r.output])),
        },
        `Download the fake-quantized model (${kib(r.output.byteLength)})`,
      ),
    ),
    chart,
    table,
  );
}
