// x86 instructions per element in the hot loop of each kernel, as V8 (TurboFan) compiles it on
// this machine: a load-independent measure of the kernels' cost (benchmarks on a shared 2-core VM
// are noisy). The hot loop is the largest innermost loop of the function (V8 may unroll it: the
// count covers all copies); elements per pass are counted from its arithmetic: 4 per f32x4
// multiply or FMA for float kernels, 8 per i32x4.dot_i16x8_s (vpmaddwd) for the integer kernels,
// 4 per 16-byte load for the quantizer's amax loop and 4 per multiply for its encode loop.
// The "elements" rule assumes each element is multiplied once (float kernels) or meets one
// vpmaddwd lane pair (integer kernels), which holds for every kernel listed.
// Usage: npm run build && node bench/kernel-code.mjs [--json]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

const child = process.argv.find((a) => a.startsWith('--child='))?.slice(8);
if (child) {
  const { b64, memory } = JSON.parse(readFileSync(child, 'utf8'));
  const env = memory ? { env: { memory: new WebAssembly.Memory({ initial: 1, maximum: 65536 }) } } : {};
  new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(b64, 'base64')), env);
  process.exit(0);
}
const json = process.argv.includes('--json');

/** Function names of a .wat in index order (no imported functions in these modules). */
function funcNames(wat) {
  return [...wat.matchAll(/\(func (?:\(export "(\w+)"\)|\$(\w+))/g)].map((m) => m[1] ?? m[2]);
}

/** TurboFan code per function index: [{ off, text }] */
function code(b64, memory, relaxed) {
  const dir = mkdtempSync(join(tmpdir(), 'kcode-'));
  try {
    writeFileSync(join(dir, 'm.json'), JSON.stringify({ b64, memory }));
    const flags = ['--print-wasm-code', '--no-liftoff', '--no-wasm-lazy-compilation'];
    if (relaxed) flags.push('--experimental-wasm-relaxed-simd');
    const out = execFileSync(
      process.execPath,
      [...flags, new URL(import.meta.url).pathname, `--child=${join(dir, 'm.json')}`],
      {
        encoding: 'utf8',
        maxBuffer: 1 << 28,
      },
    );
    const fns = new Map();
    for (const block of out.split('--- WebAssembly code ---').slice(1)) {
      const idx = /name: wasm-function\[(\d+)\]/.exec(block);
      if (!idx || !/compiler: TurboFan/.test(block)) continue;
      const ins = [];
      for (const line of block.split('\n')) {
        const m = /^0x[0-9a-f]+\s+([0-9a-f]+)\s+[0-9a-f]+\s+(.*)$/.exec(line);
        if (m && !/^nop\b/.test(m[2].trim())) ins.push({ off: parseInt(m[1], 16), text: m[2].trim() });
      }
      fns.set(Number(idx[1]), ins);
    }
    return fns;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Loops: instruction ranges from a backward jump's target to the jump, leaving out ranges that
 * hold a call or return (V8's out-of-line stack checks jump back into the loop from there).
 */
function loopsOf(ins) {
  const loops = [];
  for (const { off, text } of ins) {
    const m = /^j\w+\s+0x[0-9a-f]+\s+<\+0x([0-9a-f]+)>/.exec(text);
    if (!m || parseInt(m[1], 16) >= off) continue;
    const body = ins.filter((i) => i.off >= parseInt(m[1], 16) && i.off <= off);
    if (!body.some((i) => /^(call|ret)/.test(i.text))) loops.push(body);
  }
  return loops;
}

/** The hot loop: of the innermost loops, the one with the most elements per pass. */
function hotLoop(ins, elements) {
  const loops = loopsOf(ins);
  const inner = loops.filter(
    (b) =>
      !loops.some(
        (c) => c !== b && c.length < b.length && c[0].off >= b[0].off && c.at(-1).off <= b.at(-1).off,
      ),
  );
  let best = [];
  for (const b of inner)
    if (elements(b) > elements(best) || (elements(b) === elements(best) && b.length < best.length)) best = b;
  return best;
}

const count = (body, re) => body.filter((i) => re.test(i.text)).length;
const RULES = {
  float: (b) => 4 * count(b, /^v(mulps|fmadd\w*ps|fnmadd\w*ps)\b/),
  int: (b) => 8 * count(b, /^vpmaddwd\b/),
  // FP4 x int8: two table look-ups (vpshufb, 16 nibbles each) per row and 32 elements in both
  // builds (the relaxed build sums with vpmaddubsw and one vpmaddwd per row, so vpmaddwd no
  // longer counts elements)
  fp4: (b) => 16 * count(b, /^vpshufb\b/),
  loads: (b) => 4 * count(b, /^vmov(dqu|ups|aps|dqa)\s+xmm\d+,\[/),
  // the quantizer's encode loop (it narrows codes to bytes; its clip-count loop also multiplies)
  encode: (b) => (count(b, /^vpackus/) ? 4 * count(b, /^vmulps\b/) : 0),
};

const KERNELS = [
  [
    'src/kernels/gemv.wat',
    'dist/kernels/gemv.wasm.js',
    true,
    [
      ['gemv_f32', 'fp32 GEMV', 'float'],
      ['gemv_bf16', 'bf16 GEMV', 'float'],
      ['gemv_e4m3', 'E4M3 GEMV (DeepSeek FP8, MXFP8)', 'float'],
      ['gemv_fp4', 'FP4 GEMV (MXFP4), int8 act', 'fp4'],
      ['gemv_nvfp4', 'NVFP4 GEMV, int8 act', 'fp4'],
      ['gemv_i8', 'int8 GEMV (Q8_0), int8 act', 'int'],
      ['tile', 'GEMM 2x4 tile (fp32 panel)', 'float'],
    ],
  ],
  [
    'src/quant/kernels.wat',
    'dist/quant/kernels.wasm.js',
    false,
    [
      ['rows_e4m3', 'quantize E4M3 rows (UE8M0 1x128): encode loop', 'encode'],
      ['rows_e2m1', 'quantize E2M1 rows (MXFP4): encode loop', 'encode'],
      ['$amax:rows_e4m3', 'quantize: amax loop', 'loads'],
    ],
  ],
];

const rows = [];
for (const [wat, js, memory, list] of KERNELS) {
  const names = funcNames(readFileSync(wat, 'utf8'));
  const mod = await import(new URL(`../${js}`, import.meta.url));
  const builds = [['simd128', mod.wasmBase64]];
  if (mod.wasmBase64Relaxed) builds.push(['relaxed', mod.wasmBase64Relaxed]);
  for (const [variant, b64] of builds) {
    const fns = code(b64, memory, variant === 'relaxed');
    for (const [name, what, rule] of list) {
      const amax = name.startsWith('$amax:');
      const ins = fns.get(names.indexOf(amax ? name.slice(6) : name));
      if (!ins) continue;
      let body = hotLoop(ins, RULES[rule]);
      if (amax) {
        // the amax loop: the smallest loop holding integer max (or float max) and no multiply
        body =
          loopsOf(ins)
            .filter((b) => count(b, /^v(pmaxsd|maxps)\b/) > 0 && count(b, /^vmulps\b/) === 0)
            .sort((a, b) => a.length - b.length)[0] ?? [];
      }
      const elements = body.length ? RULES[rule](body) : 0;
      if (process.env.KCODE_DUMP === `${name}:${variant}`) for (const i of body) console.error(i.text);
      rows.push({
        kernel: what,
        build: variant,
        loopInstructions: body.length,
        elementsPerPass: elements,
        perElement: elements ? +(body.length / elements).toFixed(3) : null,
      });
    }
  }
}
if (json) console.log(JSON.stringify({ cpu: cpus()[0]?.model, node: process.version, rows }, null, 1));
else {
  console.log(
    `${cpus()[0]?.model}; node ${process.version}; x86 instructions per element in each kernel's hot loop (V8 TurboFan)`,
  );
  console.log('| kernel | build | loop instructions | elements per pass | instructions per element |');
  console.log('|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.kernel} | ${r.build} | ${r.loopInstructions} | ${r.elementsPerPass} | ${r.perElement ?? '?'} |`,
    );
}
