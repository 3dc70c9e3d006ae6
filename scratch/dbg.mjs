import { chromium } from 'playwright-core';
import { createDashboardServer, listen } from '/work/wt/dash2/dist/web/server.js';
const server = createDashboardServer('/work/wt/dash2/dist/web');
const { url } = await listen(server, 0);
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--headless'] });
const p = await b.newPage();
p.on('console', (m) => console.log('console', m.type(), m.text()));
p.on('pageerror', (e) => console.log('pageerror', String(e)));
await p.goto(url + '#/kernels');
await p.locator('#gemv-run').waitFor();
await p.selectOption('.controls select', '1024x2048');
await p.click('#gemv-run');
for (let i = 0; i < 8; i++) { await p.waitForTimeout(3000); console.log(await p.textContent('.status'), '|', (await p.textContent('#gemv-out')).slice(0, 300)); }
await b.close(); server.close();
