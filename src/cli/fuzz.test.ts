/**
 * A fuzz test of the command line's argument parsing: random and adversarial argument lists for
 * every command (prototype names, empty strings, huge numbers, NaN, negative and fractional
 * values, unicode and control characters, the flags of other commands) must end with exit code 0
 * or 2, never 1 (an internal error), and never print a stack trace.
 *
 * It calls `main` in one worker thread (no process start per case), inside a temporary working
 * folder that holds a tiny safetensors file, so `inspect`, `compare --in` and `convert` do real
 * work and anything they write stays there. Work that would run long or allocate a lot is
 * capped: `serve` always gets `--json --runs 100`, `supply` `--runs 200`, `bench gemv` a 64x64
 * shape, one thread and 0.01 s; their own size options are not fuzzed (see the targeted cases).
 *
 * CHIPSTACK_FUZZ_RUNS (default 150) and CHIPSTACK_FUZZ_SEED (default fixed) tune a run.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { CliWorker } from './cli.testutil.js';
import { buildProgram } from './main.js';

const RUNS = Number(process.env.CHIPSTACK_FUZZ_RUNS ?? 150);
const SEED = Number(process.env.CHIPSTACK_FUZZ_SEED ?? 20261130);

/** A minimal valid safetensors file: one F32 tensor [4, 32]. */
function safetensors(): Buffer {
  const n = 4 * 32;
  const header = Buffer.from(
    JSON.stringify({ w: { dtype: 'F32', shape: [4, 32], data_offsets: [0, n * 4] } }),
  );
  const data = Buffer.alloc(n * 4);
  for (let i = 0; i < n; i++) data.writeFloatLE(Math.sin(i * 0.37) * (i % 31 === 0 ? 40 : 1), i * 4);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([len, header, data]);
}

const STACK = /\n\s+at .+(:\d+:\d+|\(native\))|internal error/;

/** Values that break naive parsers, and a few that are valid somewhere. */
const VALUES = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '',
  ' ',
  '-',
  '-1',
  '0',
  '-0',
  '1',
  '1.5',
  '2',
  '100',
  '1e309',
  '-1e309',
  '1e-400',
  'NaN',
  'nan',
  'inf',
  '-inf',
  'Infinity',
  '0x10',
  '0x',
  '99999999999999999999',
  '4294967296',
  '9007199254740993',
  ',,,',
  ',',
  'a,,b',
  'x',
  '4x4',
  '0x4',
  '8x32',
  '100000x100000',
  '65536x65536',
  'e4m3fn',
  'bf16',
  'mxfp4',
  'nvfp4',
  'deepseek-fp8',
  'baseline',
  'huawei',
  'h100-sxm',
  'cloudmatrix-384',
  'deepseek-v3',
  'decode',
  'ue8m0',
  'f32',
  '1GB',
  '0B',
  't.safetensors',
  'out',
  '.',
  'nope',
  '€',
  '日本語',
  '\u0000',
  '\u001b[31mred',
  'a\nb',
  '\u202egnp.exe',
  '💥💥',
  'a'.repeat(3000),
];

/** A valid call of each command that needs arguments; fuzzed options follow (the last value of an option wins). */
const BASE: Record<string, string[]> = {
  encode: ['-f', 'e4m3fn', '1.5'],
  decode: ['-f', 'e4m3fn', '0x7e'],
  perf: ['--model', 'deepseek-v3', '--system', 'cloudmatrix-384'],
  'compare-systems': ['cloudmatrix-384', 'gb200-nvl72'],
  inspect: ['t.safetensors'],
  convert: ['t.safetensors', 'out', '--to', 'mxfp8'],
  compare: ['--in', 't.safetensors'],
};

/** Option names that make a command run long or allocate a lot: capped per command, never fuzzed. */
const CAPPED: Record<string, { prefix: string[]; drop: string[] }> = {
  serve: { prefix: ['--json', '--runs', '100'], drop: ['--runs', '--port', '--host'] },
  supply: { prefix: ['--runs', '200'], drop: ['--runs', '-n'] },
  'bench gemv': {
    prefix: ['--shape', '64x64', '--threads', '1', '--seconds', '0.01', '--m', '1'],
    drop: ['--shape', '--threads', '--seconds', '--m'],
  },
};

describe('CLI argument fuzz', () => {
  const cwd = process.cwd();
  let dir = '';
  const fixture = () => writeFileSync(join(dir, 't.safetensors'), safetensors());

  // the commands and every option flag, read from the program itself
  const program = buildProgram();
  const commands: { path: string[]; flags: string[] }[] = [];
  const walk = (c: ReturnType<typeof buildProgram>, path: string[]) => {
    for (const sub of c.commands) {
      const p = [...path, sub.name()];
      const flags = sub.options.flatMap((o) => [o.long, o.short]).filter((f): f is string => !!f);
      if (sub.commands.length === 0) commands.push({ path: p, flags });
      walk(sub, p);
    }
  };
  walk(program, []);
  const allFlags = [
    ...new Set(commands.flatMap((c) => c.flags)),
    '--help',
    '--version',
    '--',
    '-x',
    '--nope',
  ];

  let cli: CliWorker;
  const run = (args: string[]) => cli.run(args);
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'chipstack-fuzz-'));
    // the worker shares this process's working folder: whatever a command writes lands here
    process.chdir(dir);
    fixture();
    cli = new CliWorker();
  });
  after(async () => {
    await cli.close();
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  });

  /** The argument list for a command, with the caps applied. */
  const argv = (path: readonly string[], tokens: readonly string[]): string[] => {
    const cap = CAPPED[path.join(' ')];
    if (!cap) return [...path, ...tokens];
    const kept = tokens.filter((t) => !cap.drop.some((d) => t === d || t.startsWith(`${d}=`)));
    return [...path, ...cap.prefix, ...kept];
  };

  const seen = { exit0: 0, exit2: 0, commands: new Set<string>() };
  const check = async (args: string[]) => {
    fixture();
    const r = await run(args);
    if (r.code === 0) seen.exit0++;
    if (r.code === 2) seen.exit2++;
    seen.commands.add(args[0] ?? '');
    if (process.env.CHIPSTACK_FUZZ_LOG)
      process.stderr.write(`${r.code} ${JSON.stringify(args).slice(0, 200)}\n`);
    const show = JSON.stringify(args).slice(0, 400);
    assert.ok(r.code === 0 || r.code === 2, `exit ${r.code} for ${show}: ${r.err.slice(0, 400)}`);
    assert.doesNotMatch(r.err, STACK, `stack trace for ${show}`);
    if (r.code === 2) {
      assert.equal(
        r.err.trimEnd().split('\n').length,
        1,
        `more than one line for ${show}: ${r.err.slice(0, 400)}`,
      );
      assert.match(r.err, /^chipstack: \S/, show);
    }
  };

  test(`${RUNS} random argument lists across all commands exit 0 or 2 with no stack trace`, async () => {
    const value = fc.oneof(
      {
        weight: 3,
        arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', '', '-1', '1e309', 'NaN'),
      },
      { weight: 6, arbitrary: fc.constantFrom(...VALUES) },
      { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
      { weight: 1, arbitrary: fc.double().map(String) },
      { weight: 1, arbitrary: fc.integer().map(String) },
    );
    // mostly an option of this command with an adversarial value; also lone values and flags
    const token = (own: readonly string[]) =>
      fc.oneof(
        { weight: 8, arbitrary: fc.tuple(fc.constantFrom(...own), value) },
        { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...own), value).map(([f, v]) => [`${f}=${v}`]) },
        { weight: 1, arbitrary: value.map((v) => [v]) },
        { weight: 1, arbitrary: fc.constantFrom(...allFlags).map((f) => [f]) },
      );
    const caseArb = fc
      .oneof(
        { weight: 20, arbitrary: fc.constantFrom(...commands) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            { path: ['frobnicate'], flags: ['--json'] },
            { path: [], flags: allFlags },
          ),
        },
      )
      .chain((c) =>
        fc.record({
          // half the time start from a valid call, so that the fuzzed options get past the required ones
          path: fc.constantFrom(c.path, [...c.path, ...(BASE[c.path.join(' ')] ?? [])]),
          tokens: fc
            .array(token(c.flags.length > 0 ? c.flags : ['--json']), { maxLength: 4 })
            .map((t) => t.flat()),
        }),
      );
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ path, tokens }) => {
        await check(argv(path, tokens));
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    // not vacuous: both outcomes happened, across most commands
    assert.ok(seen.exit0 > 0 && seen.exit2 > 0, JSON.stringify({ ...seen, commands: [...seen.commands] }));
    assert.ok(seen.commands.size >= Math.min(10, commands.length), [...seen.commands].join(' '));
  });

  // Targeted cases from issue 13, each command's own options at their edges.
  const targeted: string[][] = [
    ['encode', '-f', 'e4m3fn', '-p', '__proto__', '1'],
    ['encode', '-f', 'e4m3fn', '-p', 'constructor', '1'],
    ['encode', '-f', 'e4m3fn', '-p', 'toString', '1'],
    ['encode', '-f', '__proto__', '1'],
    ['encode', '-f', 'e4m3fn', '-r', 'stochastic', '--seed', '-1', '1'],
    ['encode', '-f', 'e4m3fn', '-r', 'stochastic', '--seed', '1.5', '1'],
    ['encode', '-f', 'e4m3fn', '-r', 'stochastic', '--seed', '4294967296', '1'],
    ['encode', '-f', 'e4m3fn', '--seed', '1', '1'],
    ['decode', '-f', 'e4m3fn', '256', '-1', '0x'],
    ['decode', '-f', 'constructor', '1'],
    ['serve', '--port', '', '--json'],
    ['serve', '--port', '-1', '--json'],
    ['serve', '--runs', '1e9', '--json'],
    ['serve', '--host', '', '--json'],
    ['compare', '--schemes', '__proto__'],
    ['compare', '--synthetic', 'constructor'],
    ['compare', '--shape', '65536x65536'],
    ['chips', '--vendor', '__proto__'],
    ['compare-systems', '__proto__', 'constructor'],
    ['perf', '--model', '__proto__', '--system', 'constructor'],
    ['inspect', ''],
    ['inspect', '__proto__'],
    ['convert', 't.safetensors', 'o', '--to', '__proto__'],
    ['accumulate-study', '--bits', '__proto__'],
  ];
  for (const args of targeted) {
    test(`${JSON.stringify(args)} exits 0 or 2 with one line`, async () => {
      await check(args);
    });
  }
  // Found by this test in commands other owners fixed (issue 13): kept as regressions.
  const found: string[][] = [
    ['supply', '--runs', '200', '--scenario', '__proto__'],
    ['supply', '--runs', '200', '-s', 'constructor'],
    ['supply', '--runs', '200', '-s', 'toString'],
    ['bench', 'gemv', '--shape', '100000x100000', '--seconds', '0.01'],
    ['bench', 'gemv', '--shape', '65536x65536', '--seconds', '0.01'],
    ['bench', 'gemv', '--formats', '__proto__', '--seconds', '0.01'],
  ];
  for (const args of found) {
    test(`${JSON.stringify(args)} exits 0 or 2 with one line`, async () => {
      await check(args);
    });
  }
  // exit 2, not 0: flags that would be silently ignored
  for (const args of [
    ['compare', '--schemes', ',,,'],
    ['compare', '--tensor', 'x'],
  ]) {
    test(`${JSON.stringify(args)} is refused (exit 2)`, async () => {
      const t = await run(args);
      assert.equal(t.code, 2, t.err);
    });
  }
  test('encode -- -0 prints -0 (text and JSON)', async () => {
    const t = await run(['encode', '-f', 'e4m3fn', '--', '-0']);
    assert.equal(t.code, 0, t.err);
    assert.match(t.out, /^-0 +0x80 +-0 /m);
    const j = await run(['encode', '-f', 'e4m3fn', '--json', '--', '-0']);
    const rows = JSON.parse(j.out) as { value: number }[];
    assert.ok(Object.is(rows[0]!.value, -0), j.out);
  });
});
