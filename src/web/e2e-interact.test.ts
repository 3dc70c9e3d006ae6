/**
 * End-to-end, interactions on the Formats, Chips, Model, Supply and Kernels pages: typed numbers and
 * codes, downloads (charts, tables, fake-quantized files against the library in Node), uploads
 * (malformed and valid), a shared URL, the live GEMV benchmark, supply against runSupply in Node.
 * The fixture: e2e.testutil.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { parseSafetensorsBuffer } from '../io/buffer.js';
import { parseModel, tensorFloat32 } from '../onnx/model.js';
import { quantizeModelBytes } from '../onnx/quantize.js';
import { DT, ModelProto } from '../onnx/schema.js';
import { buildModelBytes } from '../onnx/write.js';
import { analyze, dequantize, getScheme, quantize } from '../quant/index.js';
import { runSupply } from '../supply/index.js';
import { loadSupplyData } from '../supply/load.js';
import { dashboardSuite, SCREENSHOTS, SHOTS, safetensors, WIDTHS } from './e2e.testutil.js';

dashboardSuite('dashboard in headless Chromium: interactions', (d) => {
  const { open, text, changed, assertNoOverflow, assertTooltips, assertKeyboardTooltips } = d;

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

  it('a shared URL restores the state', async () => {
    const { page, errors } = await open('#/formats?x=0.3&schemes=nvfp4,int8-q8_0&dist=laplace&seed=7');
    await page.locator('[data-sqnr="nvfp4"]').waitFor({ timeout: 30_000 });
    assert.equal(await page.inputValue('#x-input'), '0.3');
    assert.equal(await page.locator('[data-sqnr]').count(), 2);
    assert.equal(await page.locator('input[value="int8-q8_0"]').isChecked(), true);
    assert.equal(await page.locator('input[value="torchao-mxfp4-floor"]').isChecked(), false);
    assert.match(await text(page, '.status'), /laplace 256x1024 seed 7/);
    await page.goto(`${d.base}#/supply?scenario=hbm-cutoff&runs=2000&tsmc_die_bank_dies=0.5`);
    await page.locator('[data-metric="share2025"]').waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('select').first().inputValue(), 'hbm-cutoff');
    assert.equal(await page.locator('input[data-param="tsmc_die_bank_dies"]').inputValue(), '0.5');
    await page.locator('text=2,000 runs x 16 quarters').waitFor();
    await page.goto(`${d.base}#/chips?sort=hbmCapacityGB&dir=asc&chip=ascend-910c&rf=fp4`);
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
