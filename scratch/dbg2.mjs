import { chromium } from 'playwright-core';
import { createDashboardServer, listen } from '/work/wt/dash2/dist/web/server.js';
const server = createDashboardServer('/work/wt/dash2/dist/web');
const { url } = await listen(server, 0);
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--headless'] });
const p = await b.newPage({ viewport: { width: 390, height: 844 } });
p.on('console', (m) => console.log('console', m.type(), m.text()));
p.on('pageerror', (e) => console.log('pageerror', String(e)));
for (const hash of ['#/performance?model=qwen3-235b-a22b&chip=mlu590&count=16&weights=int8', '#/performance?model=qwen3-235b-a22b&chip=mlu590&count=16&weights=int8&assume=scaleUpGBps%3D400']) {
  await p.goto(url + hash); await p.reload();
  await p.waitForTimeout(6000);
  console.log(hash, '\n  main:', (await p.textContent('#app')).replace(/\s+/g,' ').slice(0, 200));
  for (const s of ['[data-unfit]', '[data-metric="tps-chip"]', '[data-metric="serve-best"]', '#serve-out figure', 'p.error:visible']) console.log('  ', s, await p.locator(s).count(), (await p.locator(s).first().textContent().catch(()=>''))?.slice(0,300));
  console.log('  scroll', await p.evaluate(() => [document.documentElement.scrollWidth, innerWidth]));
}
await p.screenshot({ path: 'scratch/perf-390.png', fullPage: true });
await b.close(); server.close();
