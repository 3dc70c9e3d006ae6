// Dashboard: first computed figure from a cold browser cache (a fresh Chromium context per load),
// in the page's own clock (ms from navigation start), median of N loads per page and width.
// Usage: node bench/dashboard-cold.mjs [PAGE ...]   (default: formats performance supply)
// Env: LOADS (default 6), WIDTHS (default "390,1440"), CHROMIUM (default /usr/bin/chromium).
import { cpus, loadavg } from 'node:os';
import { chromium } from 'playwright-core';
import { ensureBuilt } from '../dist/web/build.js';
import { createDashboardServer, listen } from '../dist/web/server.js';

/** The first computed figure of each page (as src/web/e2e.test.ts times it). */
const FIGURE = {
  formats: '[data-format="e4m3fn"]',
  chips: 'button[data-chip="h100-sxm"]',
  performance: '[data-metric="tps-chip"]',
  compare: '[data-row="tps-chip"][data-pin="1"]',
  supply: '[data-metric="share2025"]',
  kernels: '#gemv-run',
};
const pages = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['formats', 'performance', 'supply'];
for (const p of pages) {
  if (!Object.hasOwn(FIGURE, p)) {
    console.error(`unknown page "${p}"; one of ${Object.keys(FIGURE).join(', ')}`);
    process.exit(2);
  }
}
const loads = Number(process.env.LOADS ?? 6);
const widths = (process.env.WIDTHS ?? '390,1440').split(',').map(Number);
const built = await ensureBuilt();
const server = createDashboardServer(built.dir);
const base = (await listen(server, 0)).url;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu'],
});
console.log(`${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, load ${loadavg()[0].toFixed(1)}`);
try {
  for (const p of pages) {
    for (const width of widths) {
      const ms = [];
      for (let i = 0; i < loads; i++) {
        const ctx = await browser.newContext({ viewport: { width, height: 900 } });
        await ctx.addInitScript((sel) => {
          const w = window;
          const obs = new MutationObserver(() => {
            if (w.__figureMs === undefined && document.querySelector(sel)) {
              w.__figureMs = performance.now();
              obs.disconnect();
            }
          });
          obs.observe(document, { childList: true, subtree: true });
        }, FIGURE[p]);
        const page = await ctx.newPage();
        await page.goto(`${base}#/${p}`);
        await page.locator(FIGURE[p]).first().waitFor({ timeout: 120_000 });
        ms.push(Math.round(await page.evaluate(() => window.__figureMs)));
        await ctx.close();
      }
      ms.sort((a, b) => a - b);
      console.log(
        `${p} at ${width} px: median ${ms[Math.floor(ms.length / 2)]} ms (${ms.join(' ')}), load ${loadavg()[0].toFixed(1)}`,
      );
    }
  }
} finally {
  await browser.close();
  server.close();
}
