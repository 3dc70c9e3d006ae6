#!/usr/bin/env node
// `npm test`'s runner: every compiled test file under dist/ (or the folders and files given), run by
// node:test's own run() as `node --test --test-concurrency=2 --test-timeout=300000 dist/` does, with
// one difference: the order files start in. `node --test` sorts files by path, which starts the
// longest one (dist/web/e2e.test.js, under a browser) last, so the run ended with one of the two cores
// idle. Here the files known to be long start first (longest processing time first) and the rest
// follow by path; a file missing from the list below only starts later, it is never left out.
// Measured on the 2-core VM: concurrency 2 is best (3 costs more CPU than it fills), and the
// browser tests stay one file (one browser, one warm profile): split into three files run side
// by side they took about 18 s more CPU.
// Re-measure with `node scripts/time-tests.mjs` and update LONG when the slow files change.
//
// Usage: node scripts/test.mjs [--concurrency N] [dist/dir-or-file ...]
// Exit code 1 when a test fails (a todo test's failure does not count), as `node --test`.
import { relative, resolve } from 'node:path';
import { run } from 'node:test';
import { spec, tap } from 'node:test/reporters';
import { testFiles } from './test-files.mjs';

/** The slowest files, slowest first (scripts/time-tests.mjs, wall time alone, 2-core AMD EPYC). */
const LONG = [
  'web/e2e.test.js',
  'convert/memory.test.js',
  'cli/fuzz.test.js',
  'formats/codec.test.js',
  'convert/tiles.test.js',
  'web/server.test.js',
  'quant/scheme-dual-mx.test.js',
  'convert/threads.test.js',
  'convert/convert.test.js',
  'onnx/onnx.test.js',
  'convert/cli.test.js',
  'convert/nonfinite.test.js',
  'convert/ascend-layout.test.js',
];

const args = process.argv.slice(2);
let concurrency = 2;
const roots = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--concurrency' || a.startsWith('--concurrency=')) {
    const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
    concurrency = Number(v);
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      process.stderr.write(`test: --concurrency must be a whole number from 1, got "${v}"\n`);
      process.exit(2);
    }
  } else roots.push(a);
}
if (roots.length === 0) roots.push('dist');

const found = testFiles(roots);
const dist = resolve('dist');
const rank = (f) => {
  const i = LONG.indexOf(relative(dist, f));
  return i < 0 ? LONG.length : i;
};
const files = found.map((f, i) => ({ f, i, r: rank(f) })).sort((a, b) => a.r - b.r || a.i - b.i);

const stream = run({ files: files.map((x) => x.f), concurrency, timeout: 300_000 });
stream.on('test:fail', (data) => {
  if (data.todo === undefined || data.todo === false) process.exitCode = 1;
});
stream.compose(process.stdout.isTTY ? spec : tap).pipe(process.stdout);
