/**
 * The shared fixture of the dashboard's end-to-end tests (e2e-*.test.ts) in Debian's Chromium, driven by
 * playwright-core: one dashboard server and one browser (its own temporary profile) per test file,
 * pages opened with their console errors and uncaught exceptions collected, and the checks several
 * files use (no sideways scroll, tick labels apart, chart tooltips by mouse and keyboard). The tests
 * are split into files so that the test runner runs them side by side (they mostly wait on the
 * browser); within a file they run one after another, as before the split. Screenshots go to the
 * git-ignored screenshots/ folder when CHIPSTACK_SCREENSHOTS=1 (never in CI).
 *
 * Needs /usr/bin/chromium: skipped with a reason when it is missing, failed when CI=true.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import type { loadCatalog } from '../catalog/node.js';
import { ensureBuilt, PACKAGE_ROOT } from './build.js';
import { nativeEightBit } from './perf-choices.js';
import { createDashboardServer, listen } from './server.js';

const CHROMIUM = '/usr/bin/chromium';

/** The dashboard's number format (src/web/app/dom.ts fmt, 4 significant digits). */
export const fmtLike = (v: number) => {
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) return v.toExponential(3).replace('e+', 'e');
  return String(Number(v.toPrecision(4)));
};
/** The pages' "auto (native 8-bit)" weights for a catalogue system (perf-choices.ts, the build's rule). */
export function nativeEightBitOf(cat: ReturnType<typeof loadCatalog>, system: string): string {
  return nativeEightBit(cat.getAccelerator(cat.getSystem(system).accelerator));
}
const CI = process.env.CI === 'true';
const missing = !existsSync(CHROMIUM);
export const SKIP =
  missing && !CI
    ? `${CHROMIUM} not found: install Debian's chromium (apt-get install chromium) to run the browser tests`
    : false;
/**
 * Screenshots of the pages (for a person to look at, not checks) go to the git-ignored screenshots/
 * folder when CHIPSTACK_SCREENSHOTS=1 (never in CI): full-page PNGs cost the browser about 10 s of
 * CPU per run, so a plain `npm test` takes none.
 */
export const SCREENSHOTS = process.env.CHIPSTACK_SCREENSHOTS === '1' && !CI;
export const SHOTS = join(PACKAGE_ROOT, 'screenshots');
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
export function safetensors(rows: number, cols: number): Buffer {
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
export const READY: Record<string, string[]> = {
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

/**
 * The built dashboard's folder, building it first when it is stale (ensureBuilt). The e2e files
 * run side by side, so the build is taken under a lock (a folder made atomically): one file builds,
 * the others wait and then find it fresh. A lock left by a killed run (older than 10 minutes, by
 * its change time) is removed.
 */
async function builtDashboard(): Promise<string> {
  const lock = join(PACKAGE_ROOT, 'dist', '.web-build.lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        if (Date.now() - statSync(lock).ctimeMs > 600_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // removed meanwhile: try again
      }
      await delay(100);
    }
  }
  try {
    return (await ensureBuilt()).dir;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The two window sizes every page is checked at: a phone and a desktop. */
export const WIDTHS = [
  { width: 390, height: 844 },
  { width: 1440, height: 900 },
] as const;

/** What a test body gets: the server's address and the helpers bound to this file's browser. */
export interface Dashboard {
  /** The server's base URL (set in `before`: read it inside a test, not at describe time). */
  readonly base: string;
  /** Open a page at `hash`, collecting console errors and uncaught exceptions. */
  open(hash: string, viewport?: { width: number; height: number }): Promise<{ page: Page; errors: string[] }>;
  text(page: Page, selector: string): Promise<string>;
  changed(page: Page, selector: string, before: string): Promise<string>;
  assertNoOverflow(page: Page, where: string): Promise<void>;
  overlappingTicks(page: Page): Promise<string[]>;
  assertTooltips(page: Page, name: string): Promise<void>;
  assertKeyboardTooltips(page: Page, name: string): Promise<void>;
}

/**
 * A describe block with its own dashboard server and browser: started in `before`, closed in
 * `after`; `body` declares the tests (they run one after another, in order).
 */
export function dashboardSuite(title: string, body: (d: Dashboard) => void): void {
  describe(title, { skip: SKIP }, () => {
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
      server = createDashboardServer(await builtDashboard());
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
      assert.ok(
        scroll <= inner,
        `${where}: page scrolls sideways (${scroll} px wide in a ${inner} px window)`,
      );
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
          // Polled until the key has moved the point (unless there is one point) and a tooltip and
          // the live region show it, or 15 s have passed (a loaded machine): then asserted.
          const settled = ([p, t, l]: (string | null)[]) =>
            /^\d+\/\d+$/.test(p ?? '') &&
            !!t?.trim() &&
            !!l?.includes(`Point ${p!.replace('/', ' of ')}`) &&
            (prev === undefined || p !== prev || /^1\/1$/.test(p!));
          let state = await read();
          for (let waited = 0; !settled(state) && waited < 15_000; waited += 50) {
            await page.waitForTimeout(50);
            state = await read();
          }
          const [point, tip, live] = state as [string, string | null, string];
          assert.match(point, /^\d+\/\d+$/, `${name} chart ${i + 1}: a point has keyboard focus`);
          assert.ok(
            tip && tip.trim().length > 0,
            `${name} chart ${i + 1}, ${key ?? 'focus'}: a tooltip shows`,
          );
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

    body({
      get base() {
        return base;
      },
      open,
      text,
      changed,
      assertNoOverflow,
      overlappingTicks,
      assertTooltips,
      assertKeyboardTooltips,
    });
  });
}
