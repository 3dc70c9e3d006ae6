/**
 * End-to-end, every page of the dashboard at 390 and 1440 px in both themes: no console errors, no
 * sideways scroll, tick labels apart, charts with text alternatives, exports and tooltips (mouse and
 * keyboard); first-paint timings reported, not asserted. The fixture: e2e.testutil.ts.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import { dashboardSuite, READY, SCREENSHOTS, SHOTS, WIDTHS } from './e2e.testutil.js';

dashboardSuite('dashboard in headless Chromium: every page', (d) => {
  const { open, assertNoOverflow, overlappingTicks, assertTooltips, assertKeyboardTooltips } = d;

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
});
