// Checkpoint conversion throughput: a generated BF16 checkpoint (2 GB by default, in os.tmpdir(),
// deleted after) converted to deepseek-fp8 (ue8m0) and to mxfp4, each with 1 thread (encoding in
// the calling thread) and with THREADS worker threads (default 2), beside `cp` of the same files
// and a plain read, in one run. Each conversion is `convertCheckpoint` in a child process, as the
// CLI runs it (shards fsynced). MB/s of input and peak RSS of each process; the load average is
// printed before and after (the machine may be shared).
// With BEFORE (a copy of an earlier dist/, e.g. bench/out/dist-before), every conversion also runs
// on that build, interleaved, and the table gives each row's throughput relative to it.
// Usage: npm run build && node bench/convert.mjs [GB] [THREADS] [BEFORE]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { values } from '../dist/convert/fixtures.js';
import { toBf16Bytes } from '../dist/convert/index.js';
import { writeShardedCheckpoint } from '../dist/io/index.js';
import { printTable } from './util.mjs';

const GB = Number(process.argv[2] ?? 2);
const THREADS = Number(process.argv[3] ?? 2);
const DIM = 4096; // [4096, 4096] BF16 = 32 MiB per tensor
const tensorBytes = DIM * DIM * 2;
const count = Math.max(1, Math.round((GB * 2 ** 30) / tensorBytes));
const root = mkdtempSync(join(tmpdir(), 'chipstack-bench-convert-'));
const input = join(root, 'in');
const API = new URL('../dist/convert/index.js', import.meta.url).href;
const BEFORE = process.argv[4];
const BEFORE_API = BEFORE ? pathToFileURL(join(resolve(BEFORE), 'convert', 'index.js')).href : undefined;
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

/** Run a command under /usr/bin/time: wall seconds and peak RSS (MB). */
function measure(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  const kb = Number(r.stderr.trim().split('\n').pop());
  return { s, rssMB: kb / 1024 };
}

try {
  const data = toBf16Bytes(values(DIM * DIM, 7));
  const specs = Array.from({ length: count }, (_, i) => ({
    name: `model.layers.${i >> 2}.mlp.${['gate', 'up', 'down', 'extra'][i & 3]}_proj.weight`,
    dtype: 'BF16',
    shape: [DIM, DIM],
  }));
  await writeShardedCheckpoint(
    input,
    specs,
    specs.map((s) => ({ name: s.name, data })),
    { maxShardBytes: 5e8, sync: false },
  );
  const files = readdirSync(input).map((f) => join(input, f));
  const bytes = files.reduce((a, f) => a + statSync(f).size, 0);
  const readScript = `const fs=require('fs');const b=Buffer.allocUnsafe(16<<20);for(const f of process.argv.slice(1)){const fd=fs.openSync(f,'r');while(fs.readSync(fd,b,0,b.length,null)>0);fs.closeSync(fd);}`;
  measure(process.execPath, ['-e', readScript, ...files]); // warm the page cache
  const convert = (to, out, threads, api = API) => [
    '--input-type=module',
    '-e',
    `import(${JSON.stringify(api)}).then((m) => m.convertCheckpoint(...JSON.parse(process.argv[1])))`,
    JSON.stringify([
      input,
      join(root, out),
      { to, scheme: to === 'deepseek-fp8' ? 'deepgemm-block-ue8m0' : undefined, threads },
    ]),
  ];
  const rows = [];
  const row = (what, threads, m, ratio = '') =>
    rows.push([what, threads, (bytes / 1e6 / m.s).toFixed(0), m.s.toFixed(2), m.rssMB.toFixed(0), ratio]);
  const loadBefore = load();
  row('cp -r', '', measure('cp', ['-r', input, join(root, 'copy')]));
  rmSync(join(root, 'copy'), { recursive: true, force: true });
  row('read (node, 16 MB chunks)', '', measure(process.execPath, ['-e', readScript, ...files]));
  for (const to of ['deepseek-fp8', 'mxfp4']) {
    for (const threads of [1, THREADS]) {
      const label = `convert --to ${to}${to === 'deepseek-fp8' ? ' (ue8m0)' : ''}`;
      let before;
      if (BEFORE_API) {
        before = measure(process.execPath, convert(to, 'out', threads, BEFORE_API));
        rmSync(join(root, 'out'), { recursive: true, force: true });
        row(`${label}, before`, threads, before);
      }
      const now = measure(process.execPath, convert(to, 'out', threads));
      row(label, threads, now, before ? `${(before.s / now.s).toFixed(2)}x` : '');
      rmSync(join(root, 'out'), { recursive: true, force: true });
    }
  }
  console.log(
    `input: ${(bytes / 1e9).toFixed(2)} GB BF16, ${count} tensors [${DIM}, ${DIM}], ${files.length - 1} shards; ` +
      `${availableParallelism()} cores; load average ${loadBefore} before, ${load()} after`,
  );
  printTable(['what', 'threads', 'MB/s (input)', 'seconds', 'peak RSS MB', 'vs before'], rows);
} finally {
  rmSync(root, { recursive: true, force: true });
}
