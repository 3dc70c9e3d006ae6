// Bundle the dashboard: web/src/main.ts and web/src/worker.ts (with the library modules from
// src/ and the JSON under data/) into dist/web/, and copy the static files beside them.
// Usage: node scripts/build-web.mjs [--dev]   (--dev: no minification)
import { copyFileSync, mkdirSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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
  // chunks of earlier builds (their names carry a content hash)
  for (const f of readdirSync(out)) if (/^chunk-.*\.js(\.map)?$/.test(f)) rmSync(join(out, f));
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
    sourcemap: true,
    metafile: true,
    legalComments: 'linked',
    logLevel: quiet ? 'silent' : 'warning',
  });
  // index.html last: its time stamp marks the build as complete (see src/web/build.ts)
  for (const f of STATIC.slice().reverse()) copyFileSync(join(root, 'web', f), join(out, f));
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
