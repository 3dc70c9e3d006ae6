// The dashboard's Kernels page (liveGemvBenchmark in the page's Web Worker) run in headless
// Chromium through Playwright, beside the same benchmark in this Node process, in one run: GEMV
// elements/s per weight format and kernel build (SIMD128, relaxed SIMD), one thread each.
// Node goes first, then Chromium (never at once: each would take the other's core).
// Usage: npm run build && node bench/browser-gemv.mjs [--json]
// Env: BENCH_SHAPE (one of the page's shapes, default 2048x4096), CHROMIUM (default /usr/bin/chromium).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { liveGemvBenchmark } from '../dist/kernels/bench.js';
import { ensureBuilt } from '../dist/web/build.js';
import { createDashboardServer, listen } from '../dist/web/server.js';
import { printTable } from './util.mjs';

const json = process.argv.includes('--json');
const SHAPE = process.env.BENCH_SHAPE ?? '2048x4096';
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
// the page's own settings (src/web/app/pages/kernels.ts): 300 ms per format and build
const MS = 300;
const FORMATS = ['fp32', 'bf16', 'deepseek-fp8', 'mxfp4', 'int8'];
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const say = (s) => {
  if (!json) console.error(s);
};
const load = () =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');

if (!/^\d+x\d+$/.test(SHAPE)) {
  console.error(`browser-gemv: BENCH_SHAPE must be NxK (one of the Kernels page's shapes), not ${SHAPE}`);
  process.exit(2);
}
if (!existsSync(CHROMIUM)) {
  console.error(`browser-gemv: ${CHROMIUM} not found (apt-get install chromium, or set CHROMIUM)`);
  process.exit(2);
}
const [n, k] = SHAPE.split('x').map(Number);

// ---------------------------------------------------------------- Node
const loadNode = load();
say(`Node ${process.version}: liveGemvBenchmark ${SHAPE}, ${MS} ms per format and build (load ${loadNode})`);
const node = await liveGemvBenchmark({ n, k, ms: MS, formats: FORMATS });

// ---------------------------------------------------------------- Chromium, through the page
const built = await ensureBuilt();
const server = createDashboardServer(built.dir);
const { url } = await listen(server, 0);
const profile = await mkdtemp(join(tmpdir(), 'chipstack-bench-chromium-'));
let browserRows = [];
let caption = '';
let version = '';
const loadBrowser = load();
try {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1440, height: 900 },
  });
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${url}#/kernels`);
    version = (await page.evaluate(() => navigator.userAgent)).match(/Chrome\/([\d.]+)/)?.[1] ?? '?';
    await page.locator('#gemv-run').waitFor({ timeout: 60_000 });
    const offered = await page.locator('.controls select option').evaluateAll((os) => os.map((o) => o.value));
    if (!offered.includes(SHAPE))
      throw new Error(`the Kernels page offers ${offered.join(', ')}, not ${SHAPE}`);
    await page.selectOption('.controls select', SHAPE);
    say(`Chromium ${version}: the Kernels page, ${SHAPE} (load ${loadBrowser})`);
    await page.click('#gemv-run');
    await page.locator('#gemv-out table').waitFor({ timeout: 600_000 });
    caption = (await page.locator('#gemv-out caption').textContent())?.trim() ?? '';
    browserRows = await page.locator('#gemv-out tbody tr[data-format]').evaluateAll((trs) =>
      trs.map((tr) => ({
        format: tr.getAttribute('data-format'),
        variant: tr.getAttribute('data-variant'),
        cells: [...tr.querySelectorAll('td, th')].map((c) => c.textContent.trim()),
      })),
    );
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
  } finally {
    await context.close();
  }
} finally {
  await new Promise((r) => server.close(r));
  await rm(profile, { recursive: true, force: true });
}

// cells: Format, Build, Activations, ms per call, Elements/s (e.g. 1.23e9), GB/s, Speed-up (1.2x), Bytes ratio
const num = (s) => Number.parseFloat(String(s).replace(/[x,\s]/g, ''));
const browser = browserRows.map((r) => ({
  format: r.format,
  variant: r.variant,
  ms: num(r.cells[3]),
  elementsPerSec: num(r.cells[4]),
  speedup: num(r.cells[6]),
  bytesRatio: num(r.cells[7]),
}));
const rows = node.rows.map((a) => {
  const b = browser.find((x) => x.format === a.format && x.variant === a.variant);
  return {
    format: a.format,
    variant: a.variant,
    bytesRatio: a.bytesRatio,
    node: { ms: a.ms, calls: a.calls, elementsPerSec: a.elementsPerSec, speedup: a.speedup },
    chromium: b ? { ms: b.ms, elementsPerSec: b.elementsPerSec, speedup: b.speedup } : null,
  };
});
const meta = {
  cpu: `${cpus()[0]?.model} x${cpus().length}`,
  node: process.version,
  chromium: version,
  shape: SHAPE,
  msPerFormatAndBuild: MS,
  load: { node: loadNode, chromium: loadBrowser, end: load() },
  nodeRelaxed: node.relaxedAvailable,
  chromiumCaption: caption,
};
if (json) console.log(JSON.stringify({ ...meta, rows }, null, 1));
else {
  console.log(
    `CPU ${meta.cpu}; Node ${meta.node}; Chromium ${meta.chromium}; W ${SHAPE}, one thread; load ${meta.load.node} (Node), ${meta.load.chromium} (Chromium), ${meta.load.end} (end)`,
  );
  printTable(
    [
      'format',
      'build',
      'bytes ratio',
      'Node ms',
      'Node elem/s',
      'Node vs fp32',
      'Chromium ms',
      'Chromium elem/s',
      'Chromium vs fp32',
      'Chromium / Node',
    ],
    rows.map((r) => [
      r.format,
      r.variant,
      `${r.bytesRatio.toFixed(2)}x`,
      r.node.ms.toFixed(3),
      `${(r.node.elementsPerSec / 1e9).toFixed(2)}e9`,
      `${r.node.speedup.toFixed(2)}x`,
      r.chromium ? r.chromium.ms.toFixed(3) : '-',
      r.chromium ? `${(r.chromium.elementsPerSec / 1e9).toFixed(2)}e9` : '-',
      r.chromium ? `${r.chromium.speedup.toFixed(2)}x` : '-',
      r.chromium ? `${(r.chromium.elementsPerSec / r.node.elementsPerSec).toFixed(2)}` : '-',
    ]),
  );
}
