import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, brotliDecompressSync, gunzipSync } from 'node:zlib';
import { cli } from '../cli/cli.testutil.js';
import { PACKAGE_ROOT } from './build.js';
import {
  CSP,
  createDashboardServer,
  hostAllowed,
  listen,
  pickEncoding,
  readAssetList,
  resolvePath,
  SECURITY_HEADERS,
  shutdown,
} from './server.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw request, so that the Host and Accept-Encoding headers are exactly what the test says. */
function raw(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const APP = `export const x = ${JSON.stringify('chipstack '.repeat(500))};\n`;

describe('dashboard server', () => {
  let dir = '';
  let port = 0;
  let url = '';
  let s: ReturnType<typeof createDashboardServer>;
  const local = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    raw(port, path, { host: `127.0.0.1:${port}`, ...headers }, method);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chipstack-web-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><p>hi</p>');
    await writeFile(join(dir, 'app.js'), APP);
    // a precompressed variant from "the build": served as it is when listed
    await writeFile(join(dir, 'app.js.br'), brotliCompressSync(Buffer.from(APP)));
    // files that share the folder but are not built assets
    for (const f of ['server.js', 'server.test.js', 'app.js.map', 'style.css'])
      await writeFile(join(dir, f), 'x');
    await writeFile(
      join(dir, 'assets.json'),
      JSON.stringify({ files: ['index.html', 'app.js', 'app.js.br'] }),
    );
    s = createDashboardServer(dir);
    ({ url, port } = await listen(s, 0));
  });
  after(async () => {
    await shutdown(s, 100);
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the listed files with their type and the security headers, on an ephemeral port', async () => {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const r = await fetch(url);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(r.headers.get('content-security-policy'), CSP);
    assert.equal(r.headers.get('x-frame-options'), 'DENY');
    assert.match(await r.text(), /hi/);
    assert.equal((await fetch(`${url}app.js`)).headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal((await local('/index.html', {}, 'HEAD')).body.length, 0);
  });

  it('has a CSP with no eval, no inline script or style, and no framing', () => {
    assert.doesNotMatch(CSP, /'unsafe-eval'|unsafe-inline/);
    assert.match(CSP, /frame-ancestors 'none'/);
    assert.match(CSP, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
    assert.match(CSP, /style-src 'self'(;|$)/);
  });

  it('serves only the built assets: not server.js, tests, source maps or unlisted files', async () => {
    for (const path of [
      '/server.js',
      '/server.test.js',
      '/app.js.map',
      '/style.css',
      '/assets.json',
      '/app.js.br',
    ]) {
      const r = await local(path);
      assert.equal(r.status, 404, path);
    }
    assert.throws(() => createDashboardServer(join(dir, 'nope')), /assets\.json.*rebuild/);
    assert.throws(() => createDashboardServer(dir, { files: ['../etc/passwd'] }), /not a plain path/);
  });

  it('sends the security headers on every response, errors included', async () => {
    const replies = [
      await local('/'),
      await local('/nope.js'),
      await local('/', {}, 'POST'),
      await local('/..%2f..%2fetc%2fpasswd'),
      await raw(port, '/', { host: 'evil.example:80' }),
    ];
    assert.deepEqual(
      replies.map((r) => r.status),
      [200, 404, 405, 400, 421],
    );
    for (const r of replies) {
      for (const [k, v] of Object.entries(SECURITY_HEADERS))
        assert.equal(r.headers[k], v, `${r.status} ${k}`);
    }
  });

  it('answers only localhost, 127.0.0.1 and [::1] with its own port (DNS rebinding)', async () => {
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
      assert.equal((await raw(port, '/', { host })).status, 200, host);
    }
    for (const host of [
      'evil.example',
      `evil.example:${port}`,
      'localhost',
      `localhost:${port + 1}`,
      '127.0.0.1',
      `127.0.0.1.nip.io:${port}`,
      `localhost.:${port}`,
    ]) {
      const r = await raw(port, '/', { host });
      assert.equal(r.status, 421, host);
      assert.match(r.body.toString(), /misdirected/);
    }
    assert.equal(hostAllowed(undefined, 80), false);
    assert.equal(hostAllowed('localhost', 80), true);
    assert.equal(hostAllowed('box.lan:8080', 8080, ['box.lan']), true);
  });

  it('compresses JS with brotli or gzip as the client accepts, the build file first', async () => {
    const br = await local('/app.js', { 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers.vary, 'Accept-Encoding');
    assert.deepEqual(br.body, readFileSync(join(dir, 'app.js.br')));
    assert.equal(brotliDecompressSync(br.body).toString(), APP);
    const gz = await local('/app.js', { 'accept-encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.ok(gz.body.length < APP.length / 4, `${gz.body.length} bytes`);
    assert.equal(gunzipSync(gz.body).toString(), APP);
    // the gzip body compressed on the fly is cached: the same bytes again
    assert.deepEqual((await local('/app.js', { 'accept-encoding': 'gzip' })).body, gz.body);
    for (const ae of [undefined, 'identity', 'br;q=0, gzip;q=0', 'deflate']) {
      const r = await local('/app.js', ae === undefined ? {} : { 'accept-encoding': ae });
      assert.equal(r.headers['content-encoding'], undefined, ae);
      assert.equal(r.body.toString(), APP);
    }
    assert.equal(pickEncoding('*'), 'br');
    assert.equal(pickEncoding('br;q=0, *;q=0.5'), 'gzip');
  });

  it('resolves paths only under the root', () => {
    assert.equal(resolvePath('/srv/web', '/../../etc/passwd'), null);
    assert.equal(resolvePath('/srv/web', '/%E0%A4%A'), null);
    assert.equal(resolvePath('/srv/web', '/'), '/srv/web/index.html');
  });
});

describe('server shutdown', () => {
  it('closes idle and stalled connections within the grace period', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chipstack-web-'));
    try {
      await writeFile(join(dir, 'index.html'), 'hi');
      const s = createDashboardServer(dir, { files: ['index.html'] });
      const { port } = await listen(s, 0);
      const closed = (sock: Socket) => new Promise<void>((r) => sock.on('close', () => r()));
      const open = () =>
        new Promise<Socket>((resolve, reject) => {
          const sock = connect(port, '127.0.0.1', () => resolve(sock));
          sock.on('error', () => {});
          sock.once('error', reject);
        });
      // an idle keep-alive connection after one request
      const idle = await open();
      await new Promise<void>((resolve) => {
        idle.once('data', () => resolve());
        idle.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`);
      });
      // a slow client that never finishes its headers
      const slow = await open();
      slow.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
      const both = Promise.all([closed(idle), closed(slow)]);
      await shutdown(s, 200);
      await both;
      assert.equal(s.listening, false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
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

  for (const args of [
    ['--port', 'abc'],
    ['--port', ''],
    ['--port', '-1'],
    ['--port', '1.5'],
    ['--port', '65536'],
    ['--runs', '1e9'],
    ['--runs', '99999999999'],
    ['--host', ''],
  ]) {
    // in-process (cli.testutil.ts): main's exit code is what bin.js exits with
    it(`rejects ${args.join(' ')} with one line and exit code 2`, async () => {
      const r = await cli('serve', ...args, '--json');
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, new RegExp(args[0]!));
      assert.equal(r.err.trim().split('\n').length, 1, r.err);
    });
  }

  it('serves the dashboard, and on SIGTERM stops even with a stalled client', async () => {
    const p = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--runs', '1000']);
    const exited = new Promise<number | null>((r) => p.on('close', (code) => r(code)));
    let sock: Socket | undefined;
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
      assert.equal((await fetch(`${url}server.js`)).status, 404);
      const u = new URL(url);
      sock = connect(Number(u.port), u.hostname);
      sock.on('error', () => {});
      await new Promise<void>((resolve) => sock!.once('connect', () => resolve()));
      sock.write(`GET / HTTP/1.1\r\nHost: ${u.host}\r\n`); // never finished
    } finally {
      p.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
    sock?.destroy();
  });
});

describe('the production build', () => {
  const list = join(PACKAGE_ROOT, 'dist', 'web', 'assets.json');
  it('lists only bundles, static files and their compressed variants', {
    skip: !existsSync(list) && 'dist/web not built',
  }, () => {
    const files = readAssetList(join(PACKAGE_ROOT, 'dist', 'web'));
    assert.ok(files.includes('index.html') && files.includes('app.js') && files.includes('worker.js'));
    assert.ok(files.includes('app.js.br') && files.includes('app.js.gz'));
    for (const f of files) {
      assert.doesNotMatch(f, /\.map$|\.test\.|^server\.js|^build\.js|\.d\.ts$/, f);
      assert.ok(existsSync(join(PACKAGE_ROOT, 'dist', 'web', f)), f);
    }
  });
  it('bundles no eval and no schema validator: the data is checked at build time', {
    skip: !existsSync(list) && 'dist/web not built',
  }, () => {
    for (const f of ['app.js', 'worker.js', 'perf-worker.js', 'supply-worker.js']) {
      const js = readFileSync(join(PACKAGE_ROOT, 'dist', 'web', f), 'utf8');
      assert.doesNotMatch(js, /new Function\(|\beval\(/, f);
      assert.doesNotMatch(js, /sourceMappingURL/, f);
    }
    const bundles = readAssetList(join(PACKAGE_ROOT, 'dist', 'web')).filter((f) => f.endsWith('.js'));
    for (const f of bundles) {
      // ajv's generated validators carry its error messages
      const js = readFileSync(join(PACKAGE_ROOT, 'dist', 'web', f), 'utf8');
      assert.doesNotMatch(js, /must have required property/, `${f} holds a schema validator`);
    }
    // the stand-in that accepts only the files the build checked
    const worker = readFileSync(join(PACKAGE_ROOT, 'dist', 'web', 'perf-worker.js'), 'utf8');
    assert.match(worker, /was not checked against its JSON Schema by scripts\/build-web\.mjs/);
  });
});
