/**
 * @module web/pages/kernels
 * Kernels: the kernels layer's live GEMV benchmark (`liveGemvBenchmark`) on the visitor's own
 * device, run in the Web Worker: elements/s, GB/s of weights, speed-up over fp32 and the bytes
 * ratio per weight format and kernel build (SIMD128, and relaxed SIMD where the engine has it).
 */
import type { LiveGemvResult, WeightFormat } from '../../../kernels/index.js';
import { run } from '../client.js';
import { field, fill, fmt, h, select } from '../dom.js';
import { dataTable } from '../table.js';

const FORMATS: WeightFormat[] = ['fp32', 'bf16', 'deepseek-fp8', 'mxfp4', 'int8'];

/**
 * W shapes offered (n x k). Browsers coarsen performance.now to 0.1 ms without cross-origin
 * isolation; the benchmark times batches of calls of about 10 ms, so every shape times finely.
 */
const SHAPES: [string, string][] = [
  ['2048x4096', '2048 x 4096 (32 MiB as fp32, past most caches)'],
  ['4096x8192', '4096 x 8192 (128 MiB as fp32; about 1 GB of memory in all)'],
  ['1024x2048', '1024 x 2048 (8 MiB, quick; may fit in a large last-level cache)'],
];

function showResult(out: HTMLElement, r: LiveGemvResult, secs: number): void {
  const table = dataTable({
    name: 'live-gemv',
    caption: `GEMV y = W x on this device, one thread in a Web Worker, W ${r.n} x ${r.k}; relaxed SIMD ${
      r.relaxedAvailable ? 'available' : 'not available in this browser'
    }; ${secs.toFixed(1)} s. Speed-up and bytes ratio are against fp32 on the same build.`,
    columns: [
      { key: 'format', label: 'Format', value: (x) => x.format },
      {
        key: 'variant',
        label: 'Build',
        value: (x) => (x.variant === 'relaxed' ? 'relaxed SIMD' : 'SIMD128'),
      },
      { key: 'activations', label: 'Activations', value: (x) => x.activations },
      { key: 'ms', label: 'ms per call', value: (x) => x.ms, render: (x) => fmt(x.ms, 3), numeric: true },
      {
        key: 'eps',
        label: 'Elements/s',
        value: (x) => x.elementsPerSec,
        render: (x) => `${fmt(x.elementsPerSec / 1e9, 3)}e9`,
        numeric: true,
      },
      { key: 'gbps', label: 'GB/s of W', value: (x) => x.GBps, render: (x) => fmt(x.GBps, 3), numeric: true },
      {
        key: 'speedup',
        label: 'Speed-up vs fp32',
        value: (x) => x.speedup,
        render: (x) => `${fmt(x.speedup, 3)}x`,
        numeric: true,
      },
      {
        key: 'bytes',
        label: 'Bytes ratio',
        value: (x) => x.bytesRatio,
        render: (x) => `${fmt(x.bytesRatio, 3)}x`,
        numeric: true,
        title: 'fp32 bytes per element / this format’s bytes per element (scales included)',
      },
    ],
    rows: r.rows,
    rowAttrs: (x) => ({ 'data-format': x.format, 'data-variant': x.variant }),
  });
  fill(
    out,
    table,
    h(
      'p',
      { class: 'formula' },
      'When the speed-up is close to the bytes ratio, the kernel streams weights as fast as fp32 does ' +
        '(memory-bound); when it is well below, decoding the format (FP8/FP4 to float, scaling) costs ' +
        'more instructions per element than the memory saves: the kernel is instruction-bound. Relaxed ' +
        'SIMD adds fused multiply-add and integer dot products, which cut those instructions. The Node ' +
        'figures of the same kernels on 2-core AMD and Intel VMs are in bench/RESULTS.md (GEMV tables). Calls are timed in batches of about 10 ms, since this browser’s timer steps by 0.1 ms.',
    ),
  );
}

export function renderKernels(root: HTMLElement): void {
  let shape = SHAPES[0]![0];
  const shapeSel = select(SHAPES, shape, (v) => {
    shape = v;
  });
  const button = h('button', { type: 'button', id: 'gemv-run' }, 'Run the benchmark');
  // shown while a benchmark runs (an empty bar before the first run reads as a stalled one)
  const bar = h('progress', {
    id: 'gemv-progress',
    max: 1,
    value: 0,
    'aria-label': 'benchmark progress',
    hidden: true,
  });
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' }, '');
  const out = h('div', { id: 'gemv-out' });
  button.addEventListener('click', () => {
    const [n, k] = shape.split('x').map(Number) as [number, number];
    button.disabled = true;
    bar.hidden = false;
    bar.value = 0;
    status.textContent = 'Packing the weights in every format…';
    const t0 = performance.now();
    run('gemv', { n, k, ms: 300, formats: FORMATS }, [], (done, total) => {
      bar.max = total;
      bar.value = done;
      status.textContent = `Timing: ${done} of ${total} slices`;
    })
      .then((r) => {
        status.textContent = `Done: ${r.rows.length} rows.`;
        showResult(out, r, (performance.now() - t0) / 1e3);
      })
      .catch((e: Error) => {
        status.textContent = '';
        fill(out, h('p', { class: 'error', role: 'alert' }, `The benchmark failed: ${e.message}`));
      })
      .finally(() => {
        button.disabled = false;
      });
  });
  fill(
    root,
    h('h1', { id: 'page-title', tabindex: -1 }, 'Kernels on this device'),
    h(
      'p',
      null,
      'Runs the same WebAssembly GEMV kernels as ',
      h('code', null, 'chipstack kernels'),
      ' in this browser, in a Web Worker, for fp32, bf16, DeepSeek FP8, MXFP4 and int8 weights, with the ' +
        'SIMD128 build and, where the browser has it (Chromium does), the relaxed-SIMD build. It takes a few ' +
        'seconds and uses one core.',
    ),
    h('div', { class: 'controls' }, field('Weight matrix', shapeSel), button),
    bar,
    status,
    out,
  );
}
