// Dashboard: first computed figure from a cold browser cache (a fresh Chromium context per load),
// in the page's own clock (ms from navigation start), median of N loads per page and width.
// Usage: node bench/dashboard-cold.mjs [PAGE ...]   (default: formats performance supply)
// Env: LOADS (default 6), WIDTHS (default "390,1440"), CHROMIUM (default /usr/bin/chromium),
//      AB="before=/tmp/before/dist/web,after=dist/web": built dashboards to compare, loaded in
//      turn (alternating which goes first) in one browser, so that they share the machine's state
//      (this VM's speed drifts by ~0.2 s between windows: only such an A/B compares two builds).
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
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
const builds = process.env.AB
  ? process.env.AB.split(',').map((s) => {
      const [label, dir] = s.split('=');
      if (!label || !dir) {
        console.error(`AB: expected label=dir[,label=dir...], got "${process.env.AB}"`);
        process.exit(2);
      }
      return { label, dir: resolve(dir) };
    })
  : [{ label: 'this build', dir: (await ensureBuilt()).dir }];
const variants = [];
for (const b of builds) {
  const server = createDashboardServer(b.dir);
  variants.push({ ...b, server, base: (await listen(server, 0)).url });
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu'],
});
console.log(`${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, load ${loadavg()[0].toFixed(1)}`);
const median = (ms) => {
  const s = [...ms].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : Math.round((s[m - 1] + s[m]) / 2);
};
try {
  for (const p of pages) {
    for (const width of widths) {
      const ms = new Map(variants.map((v) => [v.label, []]));
      const l0 = loadavg()[0];
      for (let i = 0; i < loads; i++) {
        for (const v of i % 2 ? [...variants].reverse() : variants) {
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
          await page.goto(`${v.base}#/${p}`);
          await page.locator(FIGURE[p]).first().waitFor({ timeout: 120_000 });
          ms.get(v.label).push(Math.round(await page.evaluate(() => window.__figureMs)));
          await ctx.close();
        }
      }
      for (const v of variants) {
        const all = ms.get(v.label).sort((a, b) => a - b);
        console.log(
          `${p} at ${width} px${variants.length > 1 ? ` [${v.label}]` : ''}: median ${median(all)} ms (${all.join(' ')}), load ${l0.toFixed(1)} -> ${loadavg()[0].toFixed(1)}`,
        );
      }
    }
  }
} finally {
  await browser.close();
  for (const v of variants) v.server.close();
}
