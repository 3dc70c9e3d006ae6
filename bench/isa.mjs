// Per-instruction cost of WebAssembly SIMD operations on this CPU, as V8 compiles them: for each
// operation a tiny module runs a loop of 8 independent chains `v_i = op(v_i, c)` (throughput, not
// latency); cost is (time - empty loop) per operation, in ns and in cycles of a calibration loop
// (a dependent chain of scalar i32.add and xor, 1 cycle each on every current x86 core). With
// `--print-wasm-code` available (Node's release builds have the disassembler), each operation's
// x86 instruction count is read from V8's TurboFan code.
// Usage: node bench/isa.mjs [--json] [--relaxed] [filter]
// --relaxed turns on Node 20's --experimental-wasm-relaxed-simd first (v8.setFlagsFromString).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import wabtInit from 'wabt';

const args = process.argv.slice(2);
const json = args.includes('--json');
const relaxed = args.includes('--relaxed');
const child = args.find((a) => a.startsWith('--child='))?.slice(8);
if (child) {
  // compile the given binaries (one TurboFan function each) and exit: the parent reads the code
  for (const b64 of JSON.parse(readFileSync(child, 'utf8')))
    new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(b64, 'base64')));
  process.exit(0);
}
const filter = args.find((a) => !a.startsWith('--'));
if (relaxed) setFlagsFromString('--experimental-wasm-relaxed-simd');
const wabt = await wabtInit();

// [name, wat expression of (local.get $v) and (local.get $c) giving v128, constant c (i32x4)]
const OPS = [
  ['f32x4.add', '(f32x4.add (V) (C))', 'f32x4 0 0 0 0'],
  ['f32x4.mul', '(f32x4.mul (V) (C))', 'f32x4 1 1 1 1'],
  ['f32x4.div', '(f32x4.div (V) (C))', 'f32x4 1 1 1 1'],
  ['f32x4.max', '(f32x4.max (V) (C))', 'f32x4 0 0 0 0'],
  ['f32x4.pmax', '(f32x4.pmax (V) (C))', 'f32x4 0 0 0 0'],
  ['f32x4.abs', '(f32x4.abs (V))', 'f32x4 0 0 0 0'],
  ['f32x4.gt', '(f32x4.gt (V) (C))', 'f32x4 0 0 0 0'],
  ['f32x4.nearest', '(f32x4.nearest (V))', 'f32x4 0 0 0 0'],
  ['f32x4.convert_i32x4_s', '(f32x4.convert_i32x4_s (V))', 'i32x4 0 0 0 0'],
  ['f32x4.convert_i32x4_u', '(f32x4.convert_i32x4_u (V))', 'i32x4 0 0 0 0'],
  ['i32x4.trunc_sat_f32x4_s', '(i32x4.trunc_sat_f32x4_s (V))', 'i32x4 0 0 0 0'],
  ['i32x4.trunc_sat_f32x4_u', '(i32x4.trunc_sat_f32x4_u (V))', 'i32x4 0 0 0 0'],
  ['i32x4.add', '(i32x4.add (V) (C))', 'i32x4 1 1 1 1'],
  ['v128.and', '(v128.and (V) (C))', 'i32x4 -1 -1 -1 -1'],
  ['v128.bitselect', '(v128.bitselect (V) (C) (C))', 'i32x4 -1 0 -1 0'],
  ['i32x4.gt_s', '(i32x4.gt_s (V) (C))', 'i32x4 1 1 1 1'],
  ['i32x4.gt_u', '(i32x4.gt_u (V) (C))', 'i32x4 1 1 1 1'],
  ['i32x4.lt_u', '(i32x4.lt_u (V) (C))', 'i32x4 1 1 1 1'],
  ['i32x4.max_s', '(i32x4.max_s (V) (C))', 'i32x4 1 1 1 1'],
  ['i32x4.min_u', '(i32x4.min_u (V) (C))', 'i32x4 1 1 1 1'],
  ['i32x4.shl 16', '(i32x4.shl (V) (i32.const 16))', 'i32x4 0 0 0 0'],
  ['i32x4.shr_s 4', '(i32x4.shr_s (V) (i32.const 4))', 'i32x4 0 0 0 0'],
  ['i16x8.shr_s 4', '(i16x8.shr_s (V) (i32.const 4))', 'i32x4 0 0 0 0'],
  ['i8x16.shr_u 4', '(i8x16.shr_u (V) (i32.const 4))', 'i32x4 0 0 0 0'],
  [
    'i8x16.shuffle (interleave with 0)',
    '(i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (C) (V))',
    'i32x4 0 0 0 0',
  ],
  ['i8x16.shuffle (general)', '(i8x16.shuffle 3 1 4 1 5 9 2 6 5 3 5 8 9 7 9 3 (V) (V))', 'i32x4 0 0 0 0'],
  ['i8x16.swizzle', '(i8x16.swizzle (C) (V))', 'i8x16 0 1 2 3 4 6 8 12 0 -1 -2 -3 -4 -6 -8 -12'],
  ['i16x8.extend_low_i8x16_s', '(i16x8.extend_low_i8x16_s (V))', 'i32x4 0 0 0 0'],
  ['i16x8.extend_high_i8x16_s', '(i16x8.extend_high_i8x16_s (V))', 'i32x4 0 0 0 0'],
  ['i32x4.dot_i16x8_s', '(i32x4.dot_i16x8_s (V) (C))', 'i16x8 1 1 1 1 1 1 1 1'],
  ['i16x8.narrow_i32x4_s', '(i16x8.narrow_i32x4_s (V) (C))', 'i32x4 0 0 0 0'],
  ['i16x8.narrow_i32x4_u', '(i16x8.narrow_i32x4_u (V) (C))', 'i32x4 0 0 0 0'],
  ['i8x16.narrow_i16x8_u', '(i8x16.narrow_i16x8_u (V) (C))', 'i32x4 0 0 0 0'],
  ['f32x4.relaxed_madd', '(f32x4.relaxed_madd (V) (C) (C))', 'f32x4 1 1 1 1', true],
  [
    'i16x8.relaxed_dot_i8x16_i7x16_s',
    '(i16x8.relaxed_dot_i8x16_i7x16_s (V) (C))',
    'i8x16 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1',
    true,
  ],
  [
    'i32x4.relaxed_dot_i8x16_i7x16_add_s',
    '(i32x4.relaxed_dot_i8x16_i7x16_add_s (V) (C) (V))',
    'i8x16 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1',
    true,
  ],
  [
    'i8x16.relaxed_swizzle',
    '(i8x16.relaxed_swizzle (C) (V))',
    'i8x16 0 1 2 3 4 6 8 12 0 -1 -2 -3 -4 -6 -8 -12',
    true,
  ],
  ['i32x4.relaxed_trunc_f32x4_s', '(i32x4.relaxed_trunc_f32x4_s (V))', 'i32x4 0 0 0 0', true],
];
const CHAINS = 8;

function moduleText(expr, c, ops) {
  const body = [];
  for (let r = 0; r < ops / CHAINS; r++)
    for (let i = 0; i < CHAINS; i++)
      body.push(
        `(local.set $v${i} ${expr.replaceAll('(V)', `(local.get $v${i})`).replaceAll('(C)', '(local.get $c)')})`,
      );
  const locals = Array.from({ length: CHAINS }, (_, i) => `(local $v${i} v128)`).join(' ');
  const sum = Array.from({ length: CHAINS }, (_, i) => `(local.get $v${i})`).reduce(
    (a, b) => `(v128.xor ${a} ${b})`,
  );
  return `(module (func (export "run") (param $n i32) (result i32) ${locals} (local $c v128)
    (local.set $c (v128.const ${c}))
    ${Array.from({ length: CHAINS }, (_, i) => `(local.set $v${i} (v128.const i32x4 ${i} 1 2 3))`).join(' ')}
    (loop $l ${body.join(' ')}
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (i32x4.extract_lane 0 ${sum})))`;
}
const CAL = `(module (func (export "run") (param $n i32) (result i32) (local $a i32)
  (loop $l (local.set $a (i32.xor (i32.add (i32.xor (i32.add (i32.xor (i32.add (i32.xor (i32.add
    (local.get $a) (local.get $n)) (local.get $n)) (local.get $n)) (local.get $n)) (local.get $n)) (local.get $n)) (local.get $n)) (local.get $n)))
    (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
  (local.get $a)))`;

function binary(text) {
  const m = wabt.parseWat('isa.wat', text, { simd: true, relaxed_simd: true });
  const { buffer } = m.toBinary({});
  m.destroy();
  return buffer;
}
function compile(text) {
  return new WebAssembly.Instance(new WebAssembly.Module(binary(text))).exports.run;
}
function best(run, n, reps = 7) {
  run(1000);
  let t = Number.POSITIVE_INFINITY;
  for (let r = 0; r < reps; r++) {
    const a = process.hrtime.bigint();
    run(n);
    t = Math.min(t, Number(process.hrtime.bigint() - a));
  }
  return t;
}

const ops = OPS.filter(([name, , , rx]) => (!filter || name.includes(filter)) && (!rx || relaxed));

// x86 instruction counts: V8 unrolls small loops, so each op is compiled alone in a function of
// (v128) returning op(v, c), minus the same function returning c, or v where the op takes no
// constant (constant materialization, which kernels hoist out of loops, and prologue cancel out).
// (a distinct export name per module: V8 compiles identical modules once)
const single = (expr, c, id) =>
  `(module (func (export "run${id}") (param $v v128) (result v128) ${expr.replaceAll('(V)', '(local.get $v)').replaceAll('(C)', `(v128.const ${c})`)}))`;
let x86 = null;
const dir = mkdtempSync(join(tmpdir(), 'isa-'));
try {
  const bins = ops.flatMap(([, expr, c], i) =>
    [single(expr, c, `o${i}`), single(expr.includes('(C)') ? '(C)' : '(V)', c, `b${i}`)].map((t) =>
      Buffer.from(binary(t)).toString('base64'),
    ),
  );
  writeFileSync(join(dir, 'b.json'), JSON.stringify(bins));
  const flags = ['--print-wasm-code', '--no-liftoff', '--no-wasm-lazy-compilation'];
  if (relaxed) flags.push('--experimental-wasm-relaxed-simd');
  const out = execFileSync(
    process.execPath,
    [...flags, new URL(import.meta.url).pathname, `--child=${join(dir, 'b.json')}`],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    },
  );
  const sizes = [];
  for (const block of out.split('--- WebAssembly code ---').slice(1)) {
    if (!/compiler: TurboFan/.test(block) || !/kind: wasm function/.test(block)) continue;
    sizes.push(
      block.split('\n').filter((l) => /^0x[0-9a-f]+ +[0-9a-f]+ +[0-9a-f]+ +\S/.test(l) && !/\snop\b/.test(l))
        .length,
    );
  }
  if (sizes.length === 2 * ops.length) x86 = ops.map((_, i) => sizes[2 * i] - sizes[2 * i + 1]);
  else if (process.env.ISA_DEBUG)
    console.error(`x86 counts: ${sizes.length} functions for ${ops.length} ops`);
} catch (e) {
  if (process.env.ISA_DEBUG) console.error(e);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const N = 2_000_000;
const cal = best(compile(CAL), N) / (N * 8); // ns per dependent scalar add = ns per cycle
const empty = best(compile(moduleText('(V)', 'i32x4 0 0 0 0', 8)), N);
const rows = ops.map(([name, expr, c], i) => {
  const t = best(compile(moduleText(expr, c, 16)), N);
  const ns = Math.max(0, t - empty) / (N * 16);
  return { op: name, ns: +ns.toFixed(4), cycles: +(ns / cal).toFixed(2), x86: x86 ? x86[i] : null };
});
const meta = {
  cpu: cpus()[0]?.model,
  node: process.version,
  load: loadavg().map((v) => +v.toFixed(2)),
  ghzEstimate: +(1 / cal).toFixed(2),
  relaxed,
};
if (json) console.log(JSON.stringify({ ...meta, rows }, null, 1));
else {
  console.log(
    `${meta.cpu}; node ${meta.node}; load ${meta.load.join(' ')}; clock estimate ${meta.ghzEstimate} GHz (dependent i32.add/xor chain)`,
  );
  console.log('op | x86 instructions (V8) | cycles per op (8 independent chains) | ns');
  for (const r of rows) console.log(`${r.op} | ${r.x86 ?? '?'} | ${r.cycles} | ${r.ns}`);
}
