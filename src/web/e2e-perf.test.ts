/**
 * End-to-end, the Performance and Compare pages against perf in Node (simulate, runValidation): a
 * setup that does not fit, CHIP:N systems, attention weights, overlap, validation, pinned setups and
 * TCO, and the batch field. The fixture: e2e.testutil.ts.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import type { Page } from 'playwright-core';
import { loadCatalog } from '../catalog/node.js';
import { num, runValidation, simulate } from '../perf/index.js';
import { loadPerfData } from '../perf/node.js';
import { dashboardSuite, fmtLike, nativeEightBitOf, SCREENSHOTS, SHOTS, WIDTHS } from './e2e.testutil.js';

dashboardSuite('dashboard in headless Chromium: performance and compare', (d) => {
  const { open, text, changed, assertNoOverflow } = d;

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
      await page.goto(`${d.base}#/performance?model=deepseek-v3&system=${system}`);
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
    await page.goto(`${d.base}#/performance?batch=0&system=nope`);
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
    await page.goto(`${d.base}#/performance?attn=fp3`);
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
    await page.goto(`${d.base}#/performance?overlap-kind=two-batch`);
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
    await page.goto(`${d.base}#/compare?pin=system%3Dnope&pin=batch%3D0`);
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

  it('a supply slider and the performance batch change the numbers', async () => {
    const { page, errors } = await open('#/supply');
    await page.locator('[data-metric="share2025"]').waitFor({ timeout: 30_000 });
    const before = await text(page, '[data-metric="share2025"]');
    await page.locator('input[data-param="cxmt_hbm_stacks_per_quarter"]').fill('3');
    const after = await changed(page, '[data-metric="share2025"]', before);
    assert.ok(Number.parseFloat(after) > Number.parseFloat(before), `${after} > ${before}`);
    assert.match(page.url(), /cxmt_hbm_stacks_per_quarter=3/);
    await page.goto(`${d.base}#/performance`);
    await page.locator('[data-metric="tps-chip"]').waitFor({ timeout: 30_000 });
    const tps = await text(page, '[data-metric="tps-chip"]');
    await page.fill('#perf-batch', '8');
    await changed(page, '[data-metric="tps-chip"]', tps);
    assert.match(page.url(), /batch=8/);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
