/**
 * End-to-end tests of the dashboard in Debian's Chromium, driven by playwright-core: every page
 * loads without console errors, interactions change the numbers, a shared URL restores the state,
 * a malformed upload shows an error and the page keeps working. Screenshots of each page go to
 * the git-ignored screenshots/ folder with CHIPSTACK_SCREENSHOTS=1 (never in CI).
 *
 * Needs /usr/bin/chromium: skipped with a reason when it is missing, failed when CI=true.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { loadCatalog } from '../catalog/node.js';
import { parseSafetensorsBuffer } from '../io/buffer.js';
import { parseModel, tensorFloat32 } from '../onnx/model.js';
import { quantizeModelBytes } from '../onnx/quantize.js';
import { DT, ModelProto } from '../onnx/schema.js';
import { buildModelBytes } from '../onnx/write.js';
import { num, runValidation, simulate } from '../perf/index.js';
import { loadPerfData } from '../perf/node.js';
import { analyze, dequantize, getScheme, quantize } from '../quant/index.js';
import { runSupply } from '../supply/index.js';
import { loadSupplyData } from '../supply/load.js';
import { ensureBuilt, PACKAGE_ROOT } from './build.js';
import { nativeEightBit } from './perf-choices.js';
import { createDashboardServer, listen } from './server.js';

const CHROMIUM = '/usr/bin/chromium';

/** The dashboard's number format (src/web/app/dom.ts fmt, 4 significant digits). */
const fmtLike = (v: number) => {
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) return v.toExponential(3).replace('e+', 'e');
  return String(Number(v.toPrecision(4)));
};
/** The pages' "auto (native 8-bit)" weights for a catalogue system (perf-choices.ts, the build's rule). */
function nativeEightBitOf(cat: ReturnType<typeof loadCatalog>, system: string): string {
  return nativeEightBit(cat.getAccelerator(cat.getSystem(system).accelerator));
}
const CI = process.env.CI === 'true';
const missing = !existsSync(CHROMIUM);
const SKIP =
  missing && !CI
    ? `${CHROMIUM} not found: install Debian's chromium (apt-get install chromium) to run the browser tests`
    : false;
/**
 * Screenshots of the pages (for a person to look at, not checks) go to the git-ignored screenshots/
 * folder when CHIPSTACK_SCREENSHOTS=1 (never in CI): full-page PNGs cost the browser about 13 s of
 * CPU per run, so a plain `npm test` takes none.
 */
const SCREENSHOTS = process.env.CHIPSTACK_SCREENSHOTS === '1' && !CI;
const SHOTS = join(PACKAGE_ROOT, 'screenshots');
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** A minimal valid safetensors file: one F32 tensor of `rows` x `cols`. */
function safetensors(rows: number, cols: number): Buffer {
  const n = rows * cols;
  const header = Buffer.from(
    JSON.stringify({ w: { dtype: 'F32', shape: [rows, cols], data_offsets: [0, n * 4] } }),
  );
  const data = Buffer.alloc(n * 4);
  for (let i = 0; i < n; i++) data.writeFloatLE(Math.sin(i * 0.37) * (i % 97 === 0 ? 40 : 1), i * 4);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([len, header, data]);
}

/** Per page: what shows it is ready; the first is its first computed figure (timed). */
const READY: Record<string, string[]> = {
  formats: ['[data-format="e4m3fn"]', '[data-sqnr="nvfp4"]', 'figure.chart svg'],
  chips: ['button[data-chip="h100-sxm"]', 'figure.chart svg', 'text=CloudMatrix 384'],
  performance: [
    '[data-metric="tps-chip"]',
    '#perf-out figure.chart svg',
    'text=Predicted against published measurements',
    '#serve-out figure.chart svg',
  ],
  model: ['#onnx-file'],
  compare: ['[data-row="tps-chip"][data-pin="1"]', '#tco-out figure.chart svg'],
  supply: ['[data-metric="share2025"]', 'text=Tornado rows'],
  kernels: ['#gemv-run'],
};

describe('dashboard in headless Chromium', { skip: SKIP }, () => {
  let server: Server;
  let base = '';
  let context: BrowserContext;
  let profile = '';

  before(async () => {
    if (missing) {
      throw new Error(
        `CI=true but ${CHROMIUM} is missing: .ci/run must install Debian's chromium (apt-get install -y chromium) before npm test`,
      );
    }
    const built = await ensureBuilt();
    server = createDashboardServer(built.dir);
    base = (await listen(server, 0)).url;
    profile = await mkdtemp(join(tmpdir(), 'chipstack-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1440, height: 900 },
      acceptDownloads: true,
    });
    if (SCREENSHOTS) mkdirSync(SHOTS, { recursive: true });
    // the moment each page's first computed figure enters the DOM, in the page's own clock
    // (ms since navigation start), and its first contentful paint: reported, not asserted
    await context.addInitScript(
      (ready: Record<string, string>) => {
        const page = (location.hash.replace(/^#\/?/, '').split('?')[0] || 'formats') as string;
        const sel = Object.hasOwn(ready, page) ? ready[page]! : null;
        if (!sel) return;
        const w = window as unknown as { __firstFigureMs?: number };
        const look = () => {
          if (w.__firstFigureMs === undefined && document.querySelector(sel)) {
            w.__firstFigureMs = performance.now();
            obs.disconnect();
          }
        };
        const obs = new MutationObserver(look);
        obs.observe(document, { childList: true, subtree: true });
      },
      Object.fromEntries(Object.entries(READY).map(([k, v]) => [k, v[0]!])),
    );
  });

  after(async () => {
    await context?.close();
    await new Promise((r) => server?.close(r));
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  /** Open a page at `hash`, collecting console errors and uncaught exceptions. */
  async function open(
    hash: string,
    viewport?: { width: number; height: number },
  ): Promise<{ page: Page; errors: string[] }> {
    const page = await context.newPage();
    if (viewport) await page.setViewportSize(viewport);
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
    page.on('request', (r) => {
      if (!r.url().startsWith(base) && !r.url().startsWith('blob:') && !r.url().startsWith('data:'))
        errors.push(`request outside the server: ${r.url()}`);
    });
    await page.goto(base + hash);
    return { page, errors };
  }

  const text = async (page: Page, selector: string) =>
    (await page.locator(selector).first().textContent())?.trim() ?? '';

  async function changed(page: Page, selector: string, before: string): Promise<string> {
    await page.waitForFunction(
      ([s, b]) => {
        const t = document.querySelector(s!)?.textContent?.trim();
        return t !== undefined && t !== b;
      },
      [selector, before],
    );
    return text(page, selector);
  }

  /** The page is no wider than the window (no horizontal page scroll), and the header fits. */
  async function assertNoOverflow(page: Page, where: string): Promise<void> {
    const [scroll, inner, themeRight] = await page.evaluate(() => [
      document.documentElement.scrollWidth,
      window.innerWidth,
      document.getElementById('theme')!.getBoundingClientRect().right,
    ]);
    assert.ok(scroll <= inner, `${where}: page scrolls sideways (${scroll} px wide in a ${inner} px window)`);
    assert.ok(themeRight <= inner, `${where}: the theme button ends at ${themeRight} px, off-screen`);
  }

  /** Pairs of tick labels of one axis whose boxes intersect, per chart. */
  async function overlappingTicks(page: Page): Promise<string[]> {
    return page.evaluate(() => {
      const bad: string[] = [];
      for (const svg of Array.from(document.querySelectorAll('figure.chart svg[role="img"]'))) {
        for (const axis of ['x-axis tick label', 'y-axis tick label', 'fx-axis tick label']) {
          const boxes = Array.from(svg.querySelectorAll(`[aria-label="${axis}"] text`))
            .map((t) => ({ t: t.textContent ?? '', r: t.getBoundingClientRect() }))
            .filter((b) => b.t !== '' && b.r.width > 0);
          for (let i = 0; i < boxes.length; i++)
            for (let j = i + 1; j < boxes.length; j++) {
              const [a, b] = [boxes[i]!.r, boxes[j]!.r];
              if (
                a.left < b.right - 1 &&
                b.left < a.right - 1 &&
                a.top < b.bottom - 1 &&
                b.top < a.bottom - 1
              )
                bad.push(
                  `${svg.getAttribute('aria-label')?.split('.')[0]}: "${boxes[i]!.t}" and "${boxes[j]!.t}"`,
                );
            }
        }
      }
      return bad;
    });
  }

  /** Hover a point of each chart's first mark: every chart shows a Plot tooltip there. */
  async function assertTooltips(page: Page, name: string): Promise<void> {
    const charts = await page.locator('figure.chart svg[role="img"]').all();
    assert.ok(charts.length > 0);
    for (const [i, svg] of charts.entries()) {
      await svg.scrollIntoViewIfNeeded();
      // the window position of a point on the chart's first mark (a tick, a bar or a line)
      const at = await svg.evaluate((el) => {
        const m = el.querySelector<SVGGraphicsElement>(
          '[aria-label="tick"] line, [aria-label="bar"] rect, [aria-label="line"] path',
        );
        if (!m) return null;
        let p: DOMPoint;
        if (m instanceof SVGPathElement) p = m.getPointAtLength(m.getTotalLength() * 0.3);
        else {
          const b = m.getBBox();
          p = new DOMPoint(b.x + b.width / 2, b.y + b.height / 2);
        }
        const q = p.matrixTransform(m.getScreenCTM()!);
        return { x: q.x, y: q.y };
      });
      assert.ok(at, `${name} chart ${i + 1} has marks`);
      await page.mouse.move(at.x, at.y);
      const shown = await svg
        .locator('g[aria-label="tip"] text')
        .first()
        .waitFor({ timeout: 5000 })
        .then(
          () => true,
          () => false,
        );
      assert.ok(shown, `${name} chart ${i + 1} shows a tooltip`);
    }
  }

  /**
   * Tooltips from the keyboard: each chart's SVG takes focus, shows a tooltip for its first point,
   * and End / ArrowLeft step to other points, each with a tooltip (Plot's own, or the fallback
   * naming the point's values) whose text also reaches the live region.
   */
  async function assertKeyboardTooltips(page: Page, name: string): Promise<void> {
    const figs = await page.locator('figure.chart').all();
    assert.ok(figs.length > 0);
    for (const [i, fig] of figs.entries()) {
      const svg = fig.locator('svg[role="img"][tabindex="0"]');
      assert.equal(await svg.count(), 1, `${name} chart ${i + 1} is a tab stop`);
      await svg.focus();
      const seen: string[] = [];
      const read = () =>
        fig.evaluate((f) => {
          const s = f.querySelector('svg[role="img"]')!;
          const plotTip = s.querySelector('g[aria-label="tip"] text')?.textContent ?? '';
          const own = f.querySelector<HTMLElement>('.keytip');
          return [
            s.getAttribute('data-key-point') ?? '',
            plotTip.trim() || (own && !own.hidden ? own.textContent : ''),
            f.querySelector('[data-keytip-live]')?.textContent ?? '',
          ];
        });
      for (const key of [null, 'End', 'ArrowLeft']) {
        const prev = seen[seen.length - 1];
        if (key) await page.keyboard.press(key);
        // Plot's own tip, or ours when Plot hides its tip (the real pointer rests on another chart).
        // Polled (was a fixed 60 ms wait, too short on a loaded machine) until the key has moved the
        // point (unless there is one point) and a tooltip and the live region show it, or 300 polls
        // 50 ms apart have passed: then asserted.
        const settled = ([p, t, l]: (string | null)[]) =>
          /^\d+\/\d+$/.test(p ?? '') &&
          !!t?.trim() &&
          !!l?.includes(`Point ${p!.replace('/', ' of ')}`) &&
          (prev === undefined || p !== prev || p === '1/1');
        let state = await read();
        for (let polls = 0; !settled(state) && polls < 300; polls++) {
          await page.waitForTimeout(50);
          state = await read();
        }
        const [point, tip, live] = state as [string, string | null, string];
        assert.match(point, /^\d+\/\d+$/, `${name} chart ${i + 1}: a point has keyboard focus`);
        assert.ok(tip && tip.trim().length > 0, `${name} chart ${i + 1}, ${key ?? 'focus'}: a tooltip shows`);
        assert.ok(live.includes(`Point ${point.replace('/', ' of ')}`), live);
        seen.push(point);
      }
      const [first, last] = [seen[0]!, seen[1]!];
      const n = Number(first.split('/')[1]);
      assert.equal(first, `1/${n}`);
      assert.equal(last, `${n}/${n}`);
      await svg.blur();
    }
  }

  const WIDTHS = [
    { width: 390, height: 844 },
    { width: 1440, height: 900 },
  ];

  for (const [name, selectors] of Object.entries(READY)) {
    it(`${name} page: no console errors, no sideways scroll at 390 and 1440 px, charts with tooltips and exports`, async (t) => {
      let t0 = performance.now();
      const { page, errors } = await open(`#/${name}`, WIDTHS[0]);
      for (const size of WIDTHS) {
        if (size !== WIDTHS[0]) {
          await page.setViewportSize(size);
          t0 = performance.now();
          await page.reload();
        }
        // timing only reported (the machine is shared): page title shown, then the first computed figure
        await page.locator('#page-title').waitFor({ timeout: 30_000 });
        const title = performance.now() - t0;
        await page.locator(selectors[0]!).first().waitFor({ timeout: 30_000 });
        const [fig, fcp] = await page.evaluate(() => [
          (window as unknown as { __firstFigureMs?: number }).__firstFigureMs ?? -1,
          performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1,
        ]);
        t.diagnostic(
          `${name} at ${size.width} px: first contentful paint ${fcp.toFixed(0)} ms, first computed figure ${fig.toFixed(0)} ms after navigation start (page clock); test clock: title ${title.toFixed(0)} ms, figure ${(performance.now() - t0).toFixed(0)} ms`,
        );
        for (const s of selectors) await page.locator(s).first().waitFor({ timeout: 30_000 });
        assert.equal(await page.locator('h1').first().isVisible(), true);
        assert.equal(
          await page.locator('nav a[aria-current="page"]').textContent(),
          name[0]!.toUpperCase() + name.slice(1),
        );
        for (const chart of await page.locator('figure.chart').all()) {
          assert.ok(
            (await chart.locator('[role="img"]').getAttribute('aria-label'))!.length > 20,
            'chart has a text alternative',
          );
          assert.equal(await chart.locator('details.alt').count(), 1);
          assert.equal(await chart.locator('[data-export="svg"]').count(), 1, 'chart exports SVG');
          assert.equal(await chart.locator('[data-export="png"]').count(), 1, 'chart exports PNG');
        }
        await assertNoOverflow(page, `${name} at ${size.width} px`);
        assert.deepEqual(
          await overlappingTicks(page),
          [],
          `${name} at ${size.width} px: tick labels overlap`,
        );
        // hover tooltips on every chart (the Kernels page draws no chart before its benchmark is run)
        if (size === WIDTHS[1] && !['kernels', 'model'].includes(name)) await assertTooltips(page, name);
        // (the Model page draws its chart after a model is opened: tested below)
        if (size === WIDTHS[1] && name !== 'kernels' && name !== 'model')
          await assertKeyboardTooltips(page, name);
        if (SCREENSHOTS)
          await page.screenshot({ path: join(SHOTS, `${name}-${size.width}.png`), fullPage: true });
        // the other theme at the same width: the page redraws, still without sideways scroll
        const theme = await page.evaluate(() => document.documentElement.dataset.theme);
        await page.locator('#theme').click();
        const other = await page.evaluate(() => document.documentElement.dataset.theme);
        assert.notEqual(other, theme);
        await page.locator(selectors[0]!).first().waitFor({ timeout: 30_000 });
        await assertNoOverflow(page, `${name} at ${size.width} px, ${other} theme`);
        if (SCREENSHOTS)
          await page.screenshot({ path: join(SHOTS, `${name}-${size.width}-${other}.png`), fullPage: true });
        await page.locator('#theme').click();
        assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), theme);
      }
      assert.deepEqual(errors, []);
      await page.close();
    });
  }

  it('the live GEMV benchmark runs in the worker with progress and a row per format and build', async () => {
    const { page, errors } = await open('#/kernels');
    await page.locator('#gemv-run').waitFor({ timeout: 30_000 });
    await page.selectOption('.controls select', '1024x2048');
    await page.click('#gemv-run');
    await page.locator('#gemv-out table').waitFor({ timeout: 120_000 });
    // progress reached its end
    const [value, max] = await page.evaluate(() => {
      const p = document.getElementById('gemv-progress') as HTMLProgressElement;
      return [p.value, p.max];
    });
    assert.ok(max > 1 && value === max, `progress ${value} of ${max}`);
    // Chromium runs relaxed SIMD by default: both builds, five formats each
    for (const variant of ['simd128', 'relaxed'])
      for (const f of ['fp32', 'bf16', 'deepseek-fp8', 'mxfp4', 'int8'])
        assert.equal(
          await page.locator(`#gemv-out tr[data-format="${f}"][data-variant="${variant}"]`).count(),
          1,
          `${f} on ${variant}`,
        );
    // fp32 is the reference of each build: speed-up and bytes ratio exactly 1
    const fp32 = await page
      .locator('#gemv-out tr[data-format="fp32"][data-variant="simd128"] td')
      .allTextContents();
    assert.ok(fp32.filter((c) => c === '1x').length >= 2, `fp32 row ${fp32.join(' | ')}`);
    const fp8 = await page
      .locator('#gemv-out tr[data-format="deepseek-fp8"][data-variant="relaxed"] td')
      .allTextContents();
    assert.ok(
      fp8.some((c) => /^[\d.]+x$/.test(c) && c !== '1x'),
      `fp8 row ${fp8.join(' | ')}`,
    );
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('a chart downloads as SVG, PNG and CSV', async () => {
    const { page, errors } = await open('#/chips');
    const fig = page.locator('figure.chart').first();
    await fig.waitFor();
    const save = async (kind: string) => {
      const [d] = await Promise.all([
        page.waitForEvent('download'),
        fig.locator(`[data-export="${kind}"]`).click(),
      ]);
      return { name: d.suggestedFilename(), body: readFileSync((await d.path())!) };
    };
    const svg = await save('svg');
    assert.equal(svg.name, 'roofline.svg');
    assert.match(
      svg.body.toString('utf8'),
      /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*>.*Nvidia H100 SXM/s,
    );
    const png = await save('png');
    assert.equal(png.name, 'roofline.png');
    assert.deepEqual([...png.body.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    const csv = await save('csv');
    const lines = csv.body.toString('utf8').split('\r\n');
    assert.match(lines[0]!, /^scenario,chip,format,peak TFLOPS,peak confidence/);
    assert.match(lines[1]!, /,Nvidia H100 SXM,bf16,989,vendor,/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('a code typed as 0x7e or 0b0111_1110 is decoded; bf16 and fp16 draw as density', async () => {
    const { page, errors } = await open('#/formats');
    await page.locator('[data-format="e4m3fn"]').waitFor();
    await page.fill('#x-input', '0x7e');
    await page.locator('text=decoded in every format of its width').waitFor();
    assert.equal(await text(page, '[data-format="e4m3fn"]'), '448');
    assert.equal(await text(page, '[data-format="e5m2"]'), 'NaN');
    assert.equal(await page.locator('[data-format="bf16"]').count(), 0, 'only 8-bit formats for 0x7e');
    assert.match(page.url(), /x=0x7e/);
    await page.fill('#x-input', '0b0011_1100_0000_0000');
    await page.locator('[data-format="fp16"]').waitFor();
    assert.equal(await text(page, '[data-format="fp16"]'), '1');
    await page.fill('#x-input', '0x7g');
    await page.locator('text=is not a code').waitFor();
    assert.equal(await page.getAttribute('#x-input', 'aria-invalid'), 'true');
    await page.selectOption('#mode-select', 'value');
    await page.fill('#x-input', '0x7e');
    assert.equal(await changed(page, '[data-format="e4m3fn"]', '448'), '128');
    await page.locator('#wide-box').check();
    await page.locator('figure.chart [aria-label*="bf16"]').first().waitFor();
    const nodes = await page
      .locator('figure.chart')
      .first()
      .evaluate((f) => f.querySelectorAll('*').length);
    assert.ok(nodes < 6000, `${nodes} nodes in the value chart`);
    assert.equal(
      await page.locator('#tensor-select option').first().textContent(),
      'open a .safetensors file first',
    );
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('a setup that does not fit shows the shortfall and the smallest fit, never a speed', async () => {
    const { page, errors } = await open('#/performance?model=deepseek-v3&system=hgx-h100-8&ep=8');
    await page.locator('[data-unfit]').waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('[data-metric="tps-chip"]').count(), 0);
    assert.equal(await page.locator('[data-metric="tps-system"]').count(), 0);
    assert.match(await text(page, '[data-metric="shortfall"]'), /short by [\d.]+ GB/);
    await page.locator('[data-apply-fit]').click();
    await page.locator('[data-metric="tps-chip"]').waitFor({ timeout: 30_000 });
    // drawn in full (the chart follows the cards) before the page is left
    await page.locator('#perf-out figure.chart svg[role="img"]').waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('[data-unfit]').count(), 0);
    assert.match(await text(page, '#ep-hint'), /experts spread over/);
    // names, not ids, in the dropdowns
    assert.equal(
      await page.locator('#perf-system option:checked').textContent(),
      'HGX H100 8-GPU (DGX H100)',
    );
    // batch 0 typed: an error beside the field and no numbers
    await page.fill('#perf-batch', '0');
    await page.locator('#perf-batch-err', { hasText: 'Batch must be from 1' }).waitFor();
    assert.equal(await page.getAttribute('#perf-batch', 'aria-invalid'), 'true');
    assert.equal(await page.locator('[data-metric="tps-chip"]').count(), 0);
    // EP auto is perf's smallest EP that fits with the page's TP and PP, as the CLI without --ep,
    // on every system (it was "all chips of the system" before)
    const perfData = loadPerfData();
    const cat = loadCatalog();
    for (const system of ['hgx-h20-8', 'cloudmatrix-384']) {
      await page.goto(`${base}#/performance?model=deepseek-v3&system=${system}`);
      await page.reload();
      await page.locator('#ep-hint', { hasText: /^auto = \d+/ }).waitFor({ timeout: 30_000 });
      const weights = nativeEightBitOf(cat, system);
      const r = simulate(perfData, cat, {
        model: 'deepseek-v3',
        system,
        phase: 'decode',
        batch: 64,
        seqLen: 4096,
        weights,
        kv: 'bf16',
        tp: 1,
        pp: 1,
      });
      assert.match(
        await text(page, '#ep-hint'),
        new RegExp(`^auto = ${r.parallel.ep}: the smallest EP that fits`),
      );
      await page.locator('#perf-out figure.chart svg[role="img"]').waitFor({ timeout: 30_000 });
    }
    // invalid values in a link are shown, not replaced
    await page.goto(`${base}#/performance?batch=0&system=nope`);
    await page.reload();
    await page.locator('#perf-problems').waitFor();
    assert.match(await text(page, '#perf-problems'), /system "nope"/);
    assert.equal(await page.inputValue('#perf-batch'), '0');
    assert.equal(await page.locator('[data-metric="tps-chip"]').count(), 0);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('a system built from a chip (CHIP:N) names a missing figure, takes an assumption, and the serving search obeys its SLA', async () => {
    const { page, errors } = await open(
      '#/performance?model=qwen3-235b-a22b&chip=mlu590&count=16&weights=int8&batch=8&seq=1024',
    );
    // perf's error names the chip and the unknown figure; no speed is shown
    await page
      .locator('p.error[role="alert"]:visible', { hasText: 'scaleUpGBps is unknown' })
      .first()
      .waitFor({ timeout: 60_000 });
    assert.match(await text(page, 'p.error[role="alert"]:visible'), /mlu590/);
    assert.equal(await page.locator('[data-metric="tps-chip"]').count(), 0);
    await page.fill('#perf-assume', 'scaleUpGBps=400, scaleOutGBps=50');
    await page.locator('[data-metric="tps-chip"]').waitFor({ timeout: 60_000 });
    assert.match(await text(page, '.note'), /16 x .*built from the chip/);
    assert.match(page.url(), /assume=scaleUpGBps/);
    // the frontier holds and every point of the best meets the TPOT limit
    await page.locator('#serve-out figure.chart svg').waitFor({ timeout: 60_000 });
    await page.fill('#perf-tpot', '40');
    await page.locator('#serve-out [data-metric="serve-best"]').waitFor({ timeout: 60_000 });
    await page
      .locator('#serve-out [data-serve-limits]', { hasText: 'TPOT <= 40 ms' })
      .waitFor({ timeout: 60_000 });
    const best = await text(page, '#serve-out .card');
    const tpot = /TPOT ([\d.]+) ms/.exec(best);
    if (tpot) assert.ok(Number(tpot[1]) <= 40, best);
    else assert.match(await text(page, '#serve-out'), /Nothing meets TPOT <= 40 ms/);
    // a bad assumption is an error beside its field, not ignored
    await page.fill('#perf-assume', 'nope=1');
    await page.locator('#perf-assume-err', { hasText: 'unknown field' }).waitFor();
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('attention weights in a format of their own (the CLI --attention-weights): in the link, validated, equal to perf in Node', async () => {
    const perfData = loadPerfData();
    const cat = loadCatalog();
    const w = {
      model: 'deepseek-v3',
      system: 'gb200-nvl72',
      phase: 'decode',
      batch: 64,
      seqLen: 4096,
      weights: 'nvfp4',
      kv: 'bf16',
      tp: 1,
      pp: 1,
    } as const;
    const plain = simulate(perfData, cat, w);
    const mixed = simulate(perfData, cat, { ...w, attentionWeights: 'bf16' });
    assert.notEqual(
      fmtLike(plain.tokensPerSecPerChip),
      fmtLike(mixed.tokensPerSecPerChip),
      'the choice matters',
    );
    const { page, errors } = await open(
      '#/performance?model=deepseek-v3&system=gb200-nvl72&weights=nvfp4&attn=bf16',
    );
    await page
      .locator('[data-metric="tps-chip"]', { hasText: fmtLike(mixed.tokensPerSecPerChip) })
      .waitFor({ timeout: 60_000 });
    await page.locator('.note', { hasText: 'weights nvfp4 (attention projections bf16)' }).waitFor();
    assert.equal(await page.inputValue('#perf-attn'), 'bf16');
    // "same as weights": perf's number without the option, and the link says so
    await page.selectOption('#perf-attn', 'same');
    await page
      .locator('[data-metric="tps-chip"]', { hasText: fmtLike(plain.tokensPerSecPerChip) })
      .waitFor({ timeout: 60_000 });
    assert.match(page.url(), /attn=same/);
    // a format that is not one, in a link: shown and flagged, nothing simulated
    await page.goto(`${base}#/performance?attn=fp3`);
    await page.reload();
    await page.locator('#perf-problems', { hasText: 'attention-weight format "fp3"' }).waitFor();
    assert.equal(await page.inputValue('#perf-attn'), 'fp3');
    assert.equal(await page.locator('[data-metric="tps-chip"]').count(), 0);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('overlap: the share of communication hidden and what hides it (--overlap, --overlap-kind) reach the simulator as in Node; invalid values are flagged', async () => {
    const cat = loadCatalog();
    const perfData = loadPerfData();
    // the page's default setup (DeepSeek-V3 decode on CloudMatrix 384, batch 64, EP chosen by perf)
    const w = {
      model: 'deepseek-v3',
      system: 'cloudmatrix-384',
      phase: 'decode' as const,
      batch: 64,
      seqLen: 4096,
      weights: nativeEightBitOf(cat, 'cloudmatrix-384'),
      kv: 'bf16',
      tp: 1,
      pp: 1,
    };
    const tps = (o: { overlap?: number; overlapKind?: 'micro-batch' | 'dispatch-only' }) =>
      fmtLike(simulate(perfData, cat, { ...w, ...o }).tokensPerSecPerChip);
    const none = tps({});
    const micro = tps({ overlap: 0.8 });
    const dispatch = tps({ overlap: 0.8, overlapKind: 'dispatch-only' });
    assert.equal(new Set([none, micro, dispatch]).size, 3, 'the choices matter for this setup');
    const { page, errors } = await open('#/performance?overlap=0.8&overlap-kind=dispatch-only');
    await page.locator('[data-metric="tps-chip"]', { hasText: dispatch }).waitFor({ timeout: 60_000 });
    await page.locator('.note', { hasText: '80% of the communication hidden (dispatch-only)' }).waitFor();
    assert.equal(await page.inputValue('#perf-overlap-kind'), 'dispatch-only');
    assert.match(
      (await page.locator('#perf-overlap-kind option:checked').textContent()) ?? '',
      /local work, dispatch only/,
      'a plain-language label',
    );
    await page.selectOption('#perf-overlap-kind', 'micro-batch');
    await page.locator('[data-metric="tps-chip"]', { hasText: micro }).waitFor({ timeout: 60_000 });
    assert.match(page.url(), /overlap-kind=micro-batch/);
    await page.fill('#perf-overlap', '0');
    await page.locator('[data-metric="tps-chip"]', { hasText: none }).waitFor({ timeout: 60_000 });
    await page.fill('#perf-overlap', '1.5');
    await page.locator('#perf-overlap-err', { hasText: 'fraction from 0 to 1' }).waitFor();
    assert.equal(await page.locator('[data-metric="tps-chip"]').count(), 0);
    // a kind that is not one, in a link: shown and flagged, nothing simulated
    await page.goto(`${base}#/performance?overlap-kind=two-batch`);
    await page.reload();
    await page.locator('#perf-problems', { hasText: 'overlap kind "two-batch"' }).waitFor();
    assert.equal(await page.inputValue('#perf-overlap-kind'), 'two-batch');
    assert.equal(await page.locator('[data-metric="tps-chip"]').count(), 0);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('validation: validation-only and leave-one-out medians, sign balance, role, class and notes as `validate` reports them', async () => {
    const v = runValidation(loadPerfData(), loadCatalog());
    const { page, errors } = await open('#/performance');
    const summary = page.locator('[data-validation-summary]');
    await summary.waitFor({ timeout: 60_000 });
    const text = (await summary.textContent()) ?? '';
    assert.match(
      text,
      new RegExp(`${v.counts.points} published points \\(${v.counts.validation} validation`),
    );
    assert.ok(text.includes(`median |error| ${v.validationMedianAbsErrorPct.toFixed(1)}%`), text);
    assert.ok(text.includes(`leave-one-out median ${v.looMedianAbsErrorPct.toFixed(1)}%`), text);
    for (const b of v.signBalance) assert.ok(text.includes(`${b.chipClass} ${b.over}/${b.under}`), text);
    assert.ok(text.includes(v.goalMet ? 'Goal met' : 'Goal not met'), text);
    const noted = v.rows.filter((r) => r.note);
    assert.ok(noted.length > 0, 'some point carries a note');
    for (const r of noted) {
      assert.equal(
        await page.locator(`[data-validation-note="${r.id}"]`).textContent(),
        `${r.id}: ${r.note}`,
      );
    }
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('compare: pinned setups side by side with differences, a CHIP:N pin, invalid pins flagged, TCO assumptions from perf data', async () => {
    const { page, errors } = await open('#/compare', WIDTHS[0]);
    const settledOn = (p: Page) =>
      p.waitForFunction(
        () =>
          document.querySelector('#pins-out [data-pin]') !== null &&
          !Array.from(document.querySelectorAll('#pins-out [data-pin], #tco-out td')).some(
            (e) => e.textContent === '...',
          ),
        undefined,
        { timeout: 60_000 },
      );
    const settled = () => settledOn(page);
    // the default is the CloudMatrix 384 vs GB200 NVL72 preset, written into the URL
    await settled();
    assert.match(
      decodeURIComponent(page.url()),
      /pin=model=deepseek-v3&system=cloudmatrix-384&pin=model=deepseek-v3&system=gb200-nvl72/,
    );
    assert.equal(await page.locator('tr[data-key="system"].differs').count(), 1, 'systems differ');
    assert.equal(await page.locator('tr[data-key="model"].differs').count(), 0, 'same model');
    // the same numbers as perf's own simulate for the same workload (the oracle: the library in Node)
    const perfData = loadPerfData();
    const cat = loadCatalog();
    for (const [j, system] of ['cloudmatrix-384', 'gb200-nvl72'].entries()) {
      const weights = nativeEightBitOf(cat, system);
      const r = simulate(perfData, cat, {
        model: 'deepseek-v3',
        system,
        phase: 'decode',
        batch: 64,
        seqLen: 4096,
        weights,
        kv: 'bf16',
      });
      assert.equal(
        await text(page, `[data-row="tps-chip"][data-pin="${j}"]`),
        fmtLike(r.tokensPerSecPerChip),
      );
      assert.equal(
        await text(page, `[data-row="parallel"][data-pin="${j}"]`),
        `TP ${r.parallel.tp} EP ${r.parallel.ep} PP ${r.parallel.pp} (${r.parallel.chips} chips)`,
      );
      // TCO at the data's defaults is perf's own $/Mtok and J/token
      const row = page.locator('#tco-out tbody tr').nth(j);
      assert.equal(await row.locator('[data-tco="jpt"]').textContent(), fmtLike(r.energy.joulesPerToken!));
      if (r.energy.usdPerMtok !== null)
        assert.equal(await row.locator('[data-tco="usd"]').textContent(), fmtLike(r.energy.usdPerMtok));
    }
    // the defaults are perf's data, not a copy: the PUE field holds data/perf/energy.json's value
    assert.equal(await page.inputValue('#tco-pue'), String(num(perfData.energy.pue)));
    // halving utilisation raises J/token (idle hours); the URL keeps it
    const jpt0 = await text(page, '#tco-out tbody tr [data-tco="jpt"]');
    await page.fill('#tco-util', '50');
    assert.ok(Number(await changed(page, '#tco-out tbody tr [data-tco="jpt"]', jpt0)) > Number(jpt0));
    assert.match(page.url(), /util=50/);
    await page.fill('#tco-util', '0');
    await page.locator('#tco-problems', { hasText: 'utilisation "0"' }).waitFor();
    assert.equal(await page.getAttribute('#tco-util', 'aria-invalid'), 'true');
    await page.fill('#tco-util', '100');
    // pin a third setup built from a chip, with an SLA
    await page.selectOption('#pin-model', 'qwen3-235b-a22b');
    await page.selectOption('#pin-chip', 'h20');
    await page.fill('#pin-count', '8');
    await page.fill('#pin-tpot', '50');
    await page.click('#pin-add');
    await page.locator('[data-row="sla"][data-pin="2"]').waitFor();
    await settled();
    assert.match(decodeURIComponent(page.url()), /pin=model=qwen3-235b-a22b&system=h20(:|%3A)8&tpot=50/);
    assert.match(await text(page, '[data-row="system"][data-pin="2"]'), /^8 x .*built from the chip/);
    assert.match(await text(page, '[data-row="sla"][data-pin="2"]'), /^(yes|no: TPOT)/);
    assert.equal(await page.locator('tr[data-key="model"].differs').count(), 1);
    await assertNoOverflow(page, 'compare at 390 px with three pins');
    if (SCREENSHOTS)
      await page.screenshot({ path: join(SHOTS, 'compare-three-pins-390.png'), fullPage: true });
    // a pin from a link that is not valid is shown with its reason, not replaced
    await page.goto(`${base}#/compare?pin=system%3Dnope&pin=batch%3D0`);
    await page.reload();
    await page.locator('[data-row="tps-chip"][data-pin="0"]', { hasText: 'system "nope"' }).waitFor();
    assert.match(await text(page, '[data-row="tps-chip"][data-pin="1"]'), /batch "0"/);
    // the preset restores the comparison; removing a pin updates the URL
    await page.locator('[data-preset^="CloudMatrix 384 vs GB200 NVL72"]').click();
    await settled();
    await page.locator('[data-remove="1"]').click();
    await page.waitForFunction(() => !decodeURIComponent(location.href).includes('gb200-nvl72'));
    assert.deepEqual(errors, []);
    await page.close();
    // the overlap fields travel with a pin and reach the simulator, as the CLI's --overlap/--overlap-kind
    const ov = await open(
      `#/compare?pin=${encodeURIComponent('model=deepseek-v3&system=hgx-h100-8&overlap=1&overlap-kind=single-batch')}&pin=${encodeURIComponent('model=deepseek-v3&system=hgx-h100-8&overlap=2&overlap-kind=nope')}`,
      WIDTHS[1],
    );
    await settledOn(ov.page);
    const overlapped = simulate(perfData, cat, {
      model: 'deepseek-v3',
      system: 'hgx-h100-8',
      phase: 'decode',
      batch: 64,
      seqLen: 4096,
      weights: nativeEightBitOf(cat, 'hgx-h100-8'),
      kv: 'bf16',
      overlap: 1,
      overlapKind: 'single-batch',
    });
    assert.equal(
      await text(ov.page, '[data-row="tps-chip"][data-pin="0"]'),
      fmtLike(overlapped.tokensPerSecPerChip),
    );
    const bad = await text(ov.page, '[data-row="tps-chip"][data-pin="1"]');
    assert.match(bad, /communication hidden "2"/);
    assert.match(bad, /overlap kind "nope"/);
    assert.deepEqual(ov.errors, []);
    await ov.page.close();
  });

  it('model page: an ONNX model quantized in the worker by src/onnx, per-layer error and size against fp32; a malformed file is a clear error', async () => {
    const rnd = (n: number, seed: number) => {
      const a = new Float32Array(n);
      let x = seed;
      for (let i = 0; i < n; i++) {
        x = (x * 1103515245 + 12345) % 2147483648;
        a[i] = ((x / 2147483648 - 0.5) * (i % 61 === 0 ? 8 : 1)) / 4;
      }
      return a;
    };
    const raw = (a: Float32Array) => new Uint8Array(a.buffer.slice(0));
    const model = buildModelBytes({
      opset: 13,
      irVersion: 8,
      inputs: [{ name: 'x', elemType: DT.FLOAT, dims: ['batch', 64] }],
      outputs: [{ name: 'y', elemType: DT.FLOAT, dims: ['batch', 16] }],
      initializers: [
        { name: 'mm.w', dataType: DT.FLOAT, dims: [64, 32], rawData: raw(rnd(64 * 32, 7)) },
        { name: 'gemm.w', dataType: DT.FLOAT, dims: [16, 32], rawData: raw(rnd(16 * 32, 11)) },
      ],
      nodes: [
        { name: 'mm', opType: 'MatMul', input: ['x', 'mm.w'], output: ['h'] },
        {
          name: 'gemm',
          opType: 'Gemm',
          input: ['h', 'gemm.w'],
          output: ['y'],
          attribute: [{ name: 'transB', type: 2, i: 1 }],
        },
      ],
    });
    const { page, errors } = await open('#/model?scheme=mxfp4', WIDTHS[0]);
    await page.locator('#onnx-file').waitFor();
    // a scheme in the link that is not one is shown, not replaced
    await page
      .locator('#onnx-scheme-error', { hasText: 'Scheme "mxfp4" (from the link) is not one' })
      .waitFor();
    assert.equal(await page.getAttribute('#onnx-scheme', 'aria-invalid'), 'true');
    await page.selectOption('#onnx-scheme', 'ggml-mxfp4');
    assert.match(page.url(), /scheme=ggml-mxfp4/);
    await page.setInputFiles('#onnx-file', {
      name: 'broken.onnx',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from('this is not an onnx model'),
    });
    await page.locator('#onnx-error', { hasText: 'broken.onnx: not an ONNX model' }).waitFor();
    assert.equal(await page.locator('#onnx-go').isDisabled(), true);
    await page.setInputFiles('#onnx-file', {
      name: 'tiny.onnx',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from(model),
    });
    await page.locator('#onnx-status', { hasText: '2 quantizable weights' }).waitFor();
    assert.equal(await page.locator('#onnx-error').isHidden(), true);
    await page.click('#onnx-go');
    await page.locator('[data-layer-sqnr="gemm.w"]').waitFor({ timeout: 30_000 });
    // the oracle: the same library call in Node (what `chipstack onnx quantize --mode fake` runs),
    // with the scheme the page ran (ggml-mxfp4: its table has +0 for code 0b1000)
    const oracle = (scheme: string) =>
      quantizeModelBytes(parseModel(model, 'tiny.onnx'), { scheme: getScheme(scheme), mode: 'fake' });
    const want = oracle('ggml-mxfp4');
    for (const w of want.result.weights) {
      const shown = Number(await text(page, `[data-layer-sqnr="${w.name}"]`));
      assert.ok(
        Math.abs(shown - w.sqnrDb) <= 0.0005 * Math.abs(w.sqnrDb),
        `${w.name}: ${shown} vs ${w.sqnrDb}`,
      );
    }
    const downloadOnnx = async (name: string) => {
      const [dl] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('[data-download="onnx"]').click(),
      ]);
      assert.equal(dl.suggestedFilename(), name);
      return new Uint8Array(readFileSync((await dl.path())!));
    };
    // the downloaded model against the library's bytes in Node: each weight's float32 bytes (so a
    // +0 where the library gives -0 fails, naming the tensor and element), then the whole file
    const sameBytes = (file: Uint8Array, ref: Uint8Array, scheme: string) => {
      const got = parseModel(file, 'download');
      const lib = parseModel(ref, 'reference');
      assert.deepEqual([...got.initializers.keys()], [...lib.initializers.keys()]);
      for (const [name, t] of lib.initializers) {
        const a = tensorFloat32(lib, t);
        const b = tensorFloat32(got, got.initializers.get(name)!);
        const ab = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
        const bb = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
        const at = ab.findIndex((x, i) => x !== bb[i]);
        const show = (v: number | undefined) => (Object.is(v, -0) ? '-0' : String(v));
        assert.ok(
          ab.length === bb.length && at < 0,
          `${scheme} ${name}[${Math.floor(at / 4)}]: page ${show(b[at >> 2])}, library ${show(a[at >> 2])}`,
        );
      }
      assert.equal(Buffer.compare(Buffer.from(file), Buffer.from(ref)), 0, `${scheme}: whole file`);
    };
    sameBytes(await downloadOnnx('tiny-ggml-mxfp4-fakequant.onnx'), want.bytes, 'ggml-mxfp4');
    // an OCP MXFP4 scheme, whose code 0b1000 is -0: the signed zeros survive the worker and the download
    const ocp = oracle('torchao-mxfp4-floor');
    const ocpModel = parseModel(ocp.bytes, 'reference');
    const negZeros = tensorFloat32(ocpModel, ocpModel.initializers.get('mm.w')!).filter((v) =>
      Object.is(v, -0),
    );
    assert.ok(negZeros.length > 0, 'the reference has negative zeros to compare');
    await page.selectOption('#onnx-scheme', 'torchao-mxfp4-floor');
    await page.click('#onnx-go');
    await page.locator('#onnx-status', { hasText: 'with torchao-mxfp4-floor.' }).waitFor({ timeout: 30_000 });
    sameBytes(
      await downloadOnnx('tiny-torchao-mxfp4-floor-fakequant.onnx'),
      ocp.bytes,
      'torchao-mxfp4-floor',
    );
    // size against fp32: mxfp4 stores 4.25 bits per weight
    assert.match(await text(page, '[data-metric="onnx-bits"]'), /^4\.25$/);
    await assertNoOverflow(page, 'model at 390 px');
    await page.setViewportSize(WIDTHS[1]);
    await assertKeyboardTooltips(page, 'model');
    await assertTooltips(page, 'model');
    if (SCREENSHOTS) await page.screenshot({ path: join(SHOTS, 'model-1440-quantized.png'), fullPage: true });
    // a model whose weights live in an external data file: a clear error, not a crash
    const ext = ModelProto.decode(model) as unknown as {
      graph: { initializer: { rawData: Uint8Array; dataLocation: number; externalData: object[] }[] };
    };
    const w0 = ext.graph.initializer[0]!;
    w0.rawData = new Uint8Array(0);
    w0.dataLocation = 1;
    w0.externalData = [{ key: 'location', value: 'weights.bin' }];
    await page.setInputFiles('#onnx-file', {
      name: 'external.onnx',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from(ModelProto.encode(ext as never).finish()),
    });
    await page
      .locator('#onnx-error', {
        hasText: 'external.onnx: tensor "mm.w" is stored in an external data file (weights.bin)',
      })
      .waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('#onnx-go').isDisabled(), true);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('supply shows what must be true for each claim, from the worker', async () => {
    const { page, errors } = await open('#/supply');
    await page.locator('#mbt-run').click();
    await page.locator('#mbt-out [data-claim]').first().waitFor({ timeout: 120_000 });
    assert.equal(await page.locator('#mbt-out [data-claim]').count(), 2);
    for (const m of await page.locator('#mbt-out [data-metric^="mbt-"]').allTextContents())
      assert.match(m, /^Holds in \d+% of 5,000 runs \(baseline, seed 1\)/);
    // a region of inputs is named as parameter values
    assert.ok((await page.locator('#mbt-out table tbody tr').count()) >= 1);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('a chip opens under its row with focus moved; any number of systems compare', async () => {
    const { page, errors } = await open('#/chips', WIDTHS[0]);
    await page.locator('button[data-chip="mi355x"]').click();
    const detail = page.locator('tr.detail');
    await detail.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'prov-h');
    assert.equal(
      await page.evaluate(() =>
        document
          .querySelector('tr.detail')
          ?.previousElementSibling?.querySelector('[data-chip]')
          ?.getAttribute('data-chip'),
      ),
      'mi355x',
    );
    const box = (await page.locator('#prov-h').boundingBox())!;
    assert.ok(box.y >= 0 && box.y < 844, `detail heading at y=${box.y}, inside the window`);
    assert.equal(
      await page.locator('[data-scroll-cue="accelerators"]').isVisible(),
      true,
      'scroll cue at 390 px',
    );
    await page.locator('input[data-system="hgx-h20-8"]').check();
    await page.locator('input[data-system="atlas-950-superpod"]').check();
    await page.locator('th', { hasText: 'Atlas 950 SuperPoD' }).waitFor();
    assert.equal(await page.locator('th', { hasText: 'HGX H20 8-GPU' }).count(), 1);
    assert.match(
      decodeURIComponent(page.url()),
      /sys=cloudmatrix-384,gb200-nvl72,hgx-h20-8,atlas-950-superpod/,
    );
    assert.ok((await page.locator('tr.differs').count()) > 0, 'differences highlighted');
    await assertNoOverflow(page, 'chips with a detail open');
    // the roofline's y ticks reach above the highest line and print 0.1 plainly
    const yTicks = await page
      .locator('figure.chart')
      .first()
      .locator('[aria-label="y-axis tick label"] text')
      .allTextContents();
    assert.ok(yTicks.includes('0.1') && yTicks.includes('10,000'), yTicks.join(' '));
    assert.ok(!yTicks.some((t) => /[a-zA-Z]$/.test(t)), `no SI prefixes: ${yTicks.join(' ')}`);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('typing a number changes every encoding and is kept in the URL', async () => {
    const { page, errors } = await open('#/formats');
    await page.locator('[data-format="e4m3fn"]').waitFor();
    const before = await text(page, '[data-format="e4m3fn"]');
    await page.fill('#x-input', '0.1');
    assert.equal(await changed(page, '[data-format="e4m3fn"]', before), '0.1015625');
    assert.equal(await text(page, '[data-format="e2m1"]'), '0');
    assert.equal(await text(page, '[data-format="bf16"]'), '0.1000977');
    assert.match(page.url(), /x=0\.1/);
    await page.fill('#x-input', 'abc');
    await page.locator('text=is not a number').waitFor();
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('supply: the numbers are runSupply in Node; values in a link that are not valid are shown, not replaced', async () => {
    const { page, errors } = await open('#/supply?scenario=nope&runs=7&seed=-1&hbm_stockpile_stacks=9');
    await page.locator('#supply-problems').waitFor();
    const listed = await text(page, '#supply-problems');
    for (const want of ['scenario "nope"', 'runs "7"', 'seed "-1"', 'hbm_stockpile_stacks "9"'])
      assert.ok(listed.includes(want), `${want} in: ${listed}`);
    assert.equal(await page.inputValue('#supply-scenario'), 'nope');
    assert.equal(await page.getAttribute('#supply-scenario', 'aria-invalid'), 'true');
    assert.equal(await page.inputValue('#supply-seed'), '-1');
    assert.equal(await page.locator('[data-metric="share2025"]').count(), 0, 'nothing computed');
    // fixing every field runs the model, and the figures are the library's own (baseline, 10,000 runs, seed 1)
    await page.selectOption('#supply-scenario', 'baseline');
    await page.selectOption('#supply-runs', '10000');
    await page.fill('#supply-seed', '1');
    await page.locator('#supply-seed').dispatchEvent('change');
    await page.locator('input[data-param="hbm_stockpile_stacks"]').fill('1');
    await page.locator('[data-metric="share2025"]').waitFor({ timeout: 60_000 });
    assert.equal(await page.locator('#supply-problems').isHidden(), true);
    const r = runSupply(loadSupplyData(), {});
    const y25 = r.years.find((y) => y.year === 2025)!.metrics;
    const q264 = r.quarters.find((q) => q.quarter === '2026Q4')!.metrics;
    const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
    assert.equal(await text(page, '[data-metric="share2025"]'), pct(y25.selfSufficiency.p50));
    assert.equal(await text(page, '[data-metric="value2025"]'), pct(y25.valueShare.p50));
    assert.equal(await text(page, '[data-metric="ss2026q4"]'), pct(q264.selfSufficiency.p50));
    assert.equal(await text(page, '[data-metric="share2026q4"]'), pct(q264.shareOfDemand.p50));
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('a supply slider and the performance batch change the numbers', async () => {
    const { page, errors } = await open('#/supply');
    await page.locator('[data-metric="share2025"]').waitFor({ timeout: 30_000 });
    const before = await text(page, '[data-metric="share2025"]');
    await page.locator('input[data-param="cxmt_hbm_stacks_per_quarter"]').fill('3');
    const after = await changed(page, '[data-metric="share2025"]', before);
    assert.ok(Number.parseFloat(after) > Number.parseFloat(before), `${after} > ${before}`);
    assert.match(page.url(), /cxmt_hbm_stacks_per_quarter=3/);
    await page.goto(`${base}#/performance`);
    await page.locator('[data-metric="tps-chip"]').waitFor({ timeout: 30_000 });
    const tps = await text(page, '[data-metric="tps-chip"]');
    await page.fill('#perf-batch', '8');
    await changed(page, '[data-metric="tps-chip"]', tps);
    assert.match(page.url(), /batch=8/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('a shared URL restores the state', async () => {
    const { page, errors } = await open('#/formats?x=0.3&schemes=nvfp4,int8-q8_0&dist=laplace&seed=7');
    await page.locator('[data-sqnr="nvfp4"]').waitFor({ timeout: 30_000 });
    assert.equal(await page.inputValue('#x-input'), '0.3');
    assert.equal(await page.locator('[data-sqnr]').count(), 2);
    assert.equal(await page.locator('input[value="int8-q8_0"]').isChecked(), true);
    assert.equal(await page.locator('input[value="torchao-mxfp4-floor"]').isChecked(), false);
    assert.match(await text(page, '.status'), /laplace 256x1024 seed 7/);
    await page.goto(`${base}#/supply?scenario=hbm-cutoff&runs=2000&tsmc_die_bank_dies=0.5`);
    await page.locator('[data-metric="share2025"]').waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('select').first().inputValue(), 'hbm-cutoff');
    assert.equal(await page.locator('input[data-param="tsmc_die_bank_dies"]').inputValue(), '0.5');
    await page.locator('text=2,000 runs x 16 quarters').waitFor();
    await page.goto(`${base}#/chips?sort=hbmCapacityGB&dir=asc&chip=ascend-910c&rf=fp4`);
    await page.locator('text=every figure and its source').waitFor();
    assert.equal(await page.locator('th[aria-sort="ascending"]').count(), 1);
    assert.equal(await page.locator('input[value="fp4"]').isChecked(), true);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('a malformed .safetensors shows an error and the page keeps working', async () => {
    const { page, errors } = await open('#/formats?schemes=nvfp4');
    await page.locator('[data-sqnr="nvfp4"]').waitFor({ timeout: 30_000 });
    await page.setInputFiles('#file-input', {
      name: 'broken.safetensors',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from('this is not a safetensors file at all'),
    });
    const alert = page.locator('#upload-error');
    await alert.waitFor({ state: 'visible' });
    assert.match((await alert.textContent()) ?? '', /broken\.safetensors/);
    if (SCREENSHOTS) {
      await page.locator('#q-h').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, 'formats-upload-error.png'), fullPage: false });
    }
    // still working: a number, a scheme, then a valid file
    const before = await text(page, '[data-format="e4m3fn"]');
    await page.fill('#x-input', '7.3');
    assert.equal(await changed(page, '[data-format="e4m3fn"]', before), '7.5');
    await page.locator('input[value="torchao-mxfp4-floor"]').check();
    await page.locator('[data-sqnr="torchao-mxfp4-floor"]').waitFor();
    await page.setInputFiles('#file-input', {
      name: 'good.safetensors',
      mimeType: 'application/octet-stream',
      buffer: safetensors(64, 128),
    });
    await page.locator('.status', { hasText: 'good.safetensors: w [64,128] F32' }).waitFor();
    assert.equal(await page.locator('[data-sqnr]').count(), 2);
    // the whole file with one scheme: per-tensor SQNR, and the fake-quantized file equals the
    // library's own quantize/dequantize of the same tensor
    await page.selectOption('#model-scheme', 'nvfp4');
    await page.locator('#model-go').click();
    await page.locator('[data-model-sqnr="w"]').waitFor({ timeout: 30_000 });
    const [dl] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-download="model"]').click(),
    ]);
    assert.equal(dl.suggestedFilename(), 'good-nvfp4-fakequant.safetensors');
    const file = parseSafetensorsBuffer(new Uint8Array(readFileSync((await dl.path())!)), 'download');
    const w = file.info('w');
    assert.equal(w.dtype, 'F32');
    assert.deepEqual([...w.shape], [64, 128]);
    const src = safetensors(64, 128);
    const x = new Float32Array(
      src.buffer.slice(src.byteOffset + src.length - 64 * 128 * 4, src.byteOffset + src.length),
    );
    const want = dequantize(quantize(x, [64, 128], getScheme('nvfp4')));
    const got = new Float32Array(file.read('w').slice().buffer);
    assert.deepEqual(got, want);
    const sqnr = Number(await text(page, '[data-model-sqnr="w"]'));
    assert.ok(Math.abs(sqnr - analyze(x, [64, 128], getScheme('nvfp4')).sqnrDb) < 0.006, `${sqnr} dB`);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('tables download as CSV and JSON; theme and sorting work from the keyboard', async () => {
    const { page, errors } = await open('#/chips');
    await page.locator('button[data-chip="h100-sxm"]').waitFor();
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-download="csv"]').first().click(),
    ]);
    assert.equal(csv.suggestedFilename(), 'accelerators.csv');
    const body = readFileSync((await csv.path())!, 'utf8');
    assert.match(body.split('\r\n')[0]!, /^name,vendor,status/);
    assert.ok(body.includes('H100'));
    const [json] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-download="json"]').first().click(),
    ]);
    const rows = JSON.parse(readFileSync((await json.path())!, 'utf8')) as { name: string }[];
    assert.ok(rows.length > 20);
    const theme = await page.evaluate(() => document.documentElement.dataset.theme);
    await page.focus('#theme');
    await page.keyboard.press('Enter');
    assert.notEqual(await page.evaluate(() => document.documentElement.dataset.theme), theme);
    await page.locator('th button.sort', { hasText: 'TDP W' }).focus();
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('th[aria-sort="descending"]').textContent(), 'TDP W');
    if (SCREENSHOTS) await page.screenshot({ path: join(SHOTS, 'chips-dark.png'), fullPage: false });
    assert.deepEqual(errors, []);
    await page.close();
  });
});
