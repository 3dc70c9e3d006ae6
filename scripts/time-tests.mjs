#!/usr/bin/env node
// Times each compiled test file alone (node --test FILE), one after another, and prints the files
// slowest first with wall seconds, user+sys CPU seconds and the load average when each started.
// Usage: node scripts/time-tests.mjs [dist/dir-or-file ...] [--out FILE.tsv]
// Measurement only: it asserts nothing and is not part of `npm test`.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { relative } from 'node:path';
import { testFiles } from './test-files.mjs';

const args = process.argv.slice(2);
let out;
const roots = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--out') out = args[++i];
  else roots.push(args[i]);
}
if (roots.length === 0) roots.push('dist');

const files = testFiles(roots).map((f) => relative(process.cwd(), f));
const rows = [];
for (const f of files) {
  const load = loadavg()[0];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', '%U %S', process.execPath, '--test', '--test-timeout=300000', f],
    { encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const lines = r.stderr.trim().split('\n');
  const [u, s] = lines[lines.length - 1].split(' ').map(Number);
  const tests = /# tests (\d+)/.exec(r.stdout)?.[1] ?? '?';
  const fail = /# fail (\d+)/.exec(r.stdout)?.[1] ?? '?';
  rows.push({ f, wall, cpu: u + s, load, tests, fail, rc: r.status });
  process.stderr.write(
    `${wall.toFixed(1)}s cpu ${(u + s).toFixed(1)}s load ${load.toFixed(2)} ${f} (${tests} tests, fail ${fail})\n`,
  );
}
rows.sort((a, b) => b.wall - a.wall);
const tsv = ['wall_s\tcpu_s\tload1\ttests\tfail\tfile']
  .concat(
    rows.map(
      (r) => `${r.wall.toFixed(1)}\t${r.cpu.toFixed(1)}\t${r.load.toFixed(2)}\t${r.tests}\t${r.fail}\t${r.f}`,
    ),
  )
  .join('\n');
const total = rows.reduce((a, r) => a + r.wall, 0);
const cpu = rows.reduce((a, r) => a + r.cpu, 0);
const text = `${tsv}\n# total wall ${total.toFixed(1)} s, cpu ${cpu.toFixed(1)} s, ${rows.length} files\n`;
if (out) writeFileSync(out, text);
process.stdout.write(text);
