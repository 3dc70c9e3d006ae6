import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CSP, createDashboardServer, listen, resolvePath } from './server.js';

describe('dashboard server', () => {
  let dir = '';
  let url = '';
  const server = () => s;
  let s: ReturnType<typeof createDashboardServer>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chipstack-web-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><p>hi</p>');
    await writeFile(join(dir, 'app.js'), 'export {};');
    s = createDashboardServer(dir);
    url = (await listen(s, 0)).url;
  });
  after(async () => {
    await new Promise((r) => server().close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it('serves files with their type and a same-origin-only CSP on an ephemeral port', async () => {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const r = await fetch(url);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(r.headers.get('content-security-policy'), CSP);
    assert.match(await r.text(), /hi/);
    assert.equal((await fetch(`${url}app.js`)).headers.get('content-type'), 'text/javascript; charset=utf-8');
  });

  it('refuses other methods, missing files and paths outside the root', async () => {
    assert.equal((await fetch(url, { method: 'POST' })).status, 405);
    assert.equal((await fetch(`${url}nope.js`)).status, 404);
    const raw = (path: string) =>
      new Promise<number>((resolve, reject) =>
        get({ host: '127.0.0.1', port: new URL(url).port, path }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        }).on('error', reject),
      );
    assert.equal(await raw('/..%2f..%2f..%2fetc%2fpasswd'), 400);
    assert.equal(await raw('/%2e%2e/%2e%2e/etc/passwd'), 400);
    assert.equal(resolvePath('/srv/web', '/../../etc/passwd'), null);
    assert.equal(resolvePath('/srv/web', '/%E0%A4%A'), null);
    assert.equal(resolvePath('/srv/web', '/'), '/srv/web/index.html');
  });
});

const BIN = fileURLToPath(new URL('../cli/bin.js', import.meta.url));

function runCli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args]);
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('chipstack serve', () => {
  it('--json prints the live headline summary and exits', async () => {
    const r = await runCli(['serve', '--json', '--runs', '2000']);
    assert.equal(r.code, 0, r.err);
    const s = JSON.parse(r.out);
    assert.equal(s.formats.e4m3fnMax, 448);
    assert.equal(s.formats.hif8Max, 32768);
    const sq = Object.fromEntries(
      s.quantization.schemes.map((x: { scheme: string; sqnrDb: number }) => [x.scheme, x.sqnrDb]),
    );
    assert.ok(sq.nvfp4 > sq.mxfp4 && sq.mxfp8 > sq.nvfp4, JSON.stringify(sq));
    const share = s.supply.shareOfDemand2025;
    assert.ok(share.p5 < share.p50 && share.p50 < share.p95);
    assert.equal(s.systems.ratios.find((x: { metric: string }) => x.metric === 'chips').ratio, 384 / 72);
  });

  it('rejects a bad port with exit code 2', async () => {
    const r = await runCli(['serve', '--port', 'abc', '--json']);
    assert.equal(r.code, 2);
    assert.match(r.err, /--port "abc"/);
  });

  it('serves the dashboard and prints its URL', async () => {
    const p = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--runs', '1000']);
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        p.stdout.on('data', (d) => {
          out += d;
          const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m && out.includes('Press Ctrl+C')) resolve(m[1]!);
        });
        p.on('close', (code) => reject(new Error(`serve exited with ${code} before printing a URL: ${out}`)));
      });
      const r = await fetch(url);
      assert.equal(r.status, 200);
      assert.match(await r.text(), /<main id="app"/);
    } finally {
      p.kill('SIGTERM');
    }
  });
});
