/**
 * End-to-end tests of the dashboard in Debian's Chromium, driven by playwright-core: every page
 * loads without console errors, interactions change the numbers, a shared URL restores the state,
 * a malformed upload shows an error and the page keeps working. Screenshots of each page go to
 * the git-ignored screenshots/ folder (local runs only).
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
import { ensureBuilt, PACKAGE_ROOT } from './build.js';
import { createDashboardServer, listen } from './server.js';

const CHROMIUM = '/usr/bin/chromium';
const CI = process.env.CI === 'true';
const missing = !existsSync(CHROMIUM);
const SKIP =
  missing && !CI
    ? `${CHROMIUM} not found: install Debian's chromium (apt-get install chromium) to run the browser tests`
    : false;
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
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
    if (!CI) mkdirSync(SHOTS, { recursive: true });
  });

  after(async () => {
    await context?.close();
    await new Promise((r) => server?.close(r));
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  /** Open a page at `hash`, collecting console errors and uncaught exceptions. */
  async function open(hash: string): Promise<{ page: Page; errors: string[] }> {
    const page = await context.newPage();
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

  const READY: Record<string, string[]> = {
    formats: ['[data-format="e4m3fn"]', '[data-sqnr="nvfp4"]', 'figure.chart svg'],
    chips: ['button[data-chip="h100-sxm"]', 'figure.chart svg', 'text=CloudMatrix 384'],
    performance: ['[data-metric="tps-chip"]', 'text=Predicted against published measurements'],
    supply: ['[data-metric="share2025"]', 'text=Tornado rows'],
  };

  for (const [name, selectors] of Object.entries(READY)) {
    it(`${name} page loads with no console errors`, async () => {
      const { page, errors } = await open(`#/${name}`);
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
      }
      if (!CI) await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
      assert.deepEqual(errors, []);
      await page.close();
    });
  }

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
    if (!CI) {
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
    if (!CI) await page.screenshot({ path: join(SHOTS, 'chips-dark.png'), fullPage: false });
    assert.deepEqual(errors, []);
    await page.close();
  });
});
