// Checkpoint conversion throughput: a generated BF16 checkpoint (2 GB by default, in os.tmpdir(),
// deleted after) converted to deepseek-fp8 (ue8m0) and to mxfp4 by the CLI, beside `cp` of the
// same files and a plain read, in one run. MB/s of input and peak RSS of each process.
// Usage: npm run build && node bench/convert.mjs [GB]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { values } from '../dist/convert/fixtures.js';
import { toBf16Bytes } from '../dist/convert/index.js';
import { writeShardedCheckpoint } from '../dist/io/index.js';
import { printTable } from './util.mjs';

const GB = Number(process.argv[2] ?? 2);
const DIM = 4096; // [4096, 4096] BF16 = 32 MiB per tensor
const tensorBytes = DIM * DIM * 2;
const count = Math.max(1, Math.round((GB * 2 ** 30) / tensorBytes));
const root = mkdtempSync(join(tmpdir(), 'chipstack-bench-convert-'));
const input = join(root, 'in');
const BIN = new URL('../dist/cli/main.js', import.meta.url).href;

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
  const cli = (to, out, ...extra) => [
    '--input-type=module',
    '-e',
    `import(${JSON.stringify(BIN)}).then(async (m) => process.exit(await m.main(process.argv.slice(1))))`,
    'convert',
    input,
    join(root, out),
    '--to',
    to,
    '--json',
    ...extra,
  ];
  const rows = [];
  const row = (what, m) =>
    rows.push([what, (bytes / 1e6 / m.s).toFixed(0), m.s.toFixed(2), m.rssMB.toFixed(0)]);
  row('cp', measure('cp', ['-r', input, join(root, 'copy')]));
  row('read (node, 16 MB chunks)', measure(process.execPath, ['-e', readScript, ...files]));
  row('convert --to deepseek-fp8 (ue8m0)', measure(process.execPath, cli('deepseek-fp8', 'fp8')));
  row('convert --to mxfp4', measure(process.execPath, cli('mxfp4', 'mxfp4')));
  console.log(
    `input: ${(bytes / 1e9).toFixed(2)} GB BF16, ${count} tensors [${DIM}, ${DIM}], ${files.length - 1} shards`,
  );
  printTable(['what', 'MB/s (input)', 'seconds', 'peak RSS MB'], rows);
} finally {
  rmSync(root, { recursive: true, force: true });
}
