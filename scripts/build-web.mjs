// Bundle the dashboard: web/src/main.ts and web/src/worker.ts (with the library modules from
// src/ and the JSON under data/) into dist/web/, and copy the static files beside them.
// Then precompress the text assets (.br, .gz) and write dist/web/assets.json: the list of files
// the server may serve (tsc also writes src/web/*.js into dist/web/; those are never served).
// Usage: node scripts/build-web.mjs [--dev]   (--dev: no minification, with source maps)
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { brotliCompressSync, gzipSync, constants as zlibConstants } from 'node:zlib';

const STATIC = ['index.html', 'style.css'];

/** Build dist/web under `root` (default: this package). */
export async function buildWeb({
  root = fileURLToPath(new URL('..', import.meta.url)),
  dev = false,
  quiet = false,
} = {}) {
  const esbuild = await import('esbuild');
  const out = join(root, 'dist', 'web');
  mkdirSync(out, { recursive: true });
  // chunks of earlier builds (their names carry a content hash), with their compressed copies
  for (const f of readdirSync(out)) if (/^chunk-.*\.js(\.map|\.br|\.gz)?$/.test(f)) rmSync(join(out, f));
  const t0 = Date.now();
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { app: 'web/src/main.ts', worker: 'web/src/worker.ts' },
    outdir: out,
    bundle: true,
    format: 'esm',
    // each page, Plot and the data load as shared chunks on first use: the first paint needs only
    // app.js and the page shown (chunks sit beside app.js, so worker.js resolves the same)
    splitting: true,
    chunkNames: 'chunk-[hash]',
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
    minify: !dev,
    // Source maps only in a dev build: a production build ships (and serves) none.
    sourcemap: dev,
    metafile: true,
    legalComments: 'linked',
    logLevel: quiet ? 'silent' : 'warning',
  });
  const built = Object.keys(result.metafile.outputs).map((f) => f.split('/').pop());
  if (!dev) for (const f of ['app.js.map', 'worker.js.map']) rmSync(join(out, f), { force: true });
  // index.html last: its time stamp marks the build as complete (see src/web/build.ts)
  for (const f of STATIC.slice().reverse()) copyFileSync(join(root, 'web', f), join(out, f));
  const files = [...new Set([...STATIC, ...built])].sort();
  const listed = [...files];
  for (const f of files) {
    if (!/\.(js|css|html|json|svg|txt)$/.test(f)) continue;
    const body = readFileSync(join(out, f));
    const br = brotliCompressSync(body, {
      params: {
        [zlibConstants.BROTLI_PARAM_QUALITY]: 11,
        [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    });
    writeFileSync(join(out, `${f}.br`), br);
    writeFileSync(join(out, `${f}.gz`), gzipSync(body, { level: 9 }));
    listed.push(`${f}.br`, `${f}.gz`);
  }
  // the asset list, written to a temp name and renamed: the server serves only these files
  writeFileSync(join(out, 'assets.json.tmp'), `${JSON.stringify({ files: listed.sort() }, null, 1)}\n`);
  renameSync(join(out, 'assets.json.tmp'), join(out, 'assets.json'));
  const now = new Date();
  utimesSync(join(out, 'index.html'), now, now);
  if (!quiet) {
    const sizes = Object.entries(result.metafile.outputs)
      .filter(([f]) => f.endsWith('.js'))
      .map(([f, o]) => `${f.split('/').pop()} ${(o.bytes / 1024).toFixed(0)} KiB`);
    console.log(`dist/web: ${sizes.join(', ')} (${Date.now() - t0} ms)`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildWeb({ dev: process.argv.includes('--dev') });
}
