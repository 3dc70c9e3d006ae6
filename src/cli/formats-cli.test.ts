/**
 * The format commands as a user runs them: exit codes, stdout and stderr. Most cases run `main`
 * in-process (cli.testutil.ts); one spawns the real executable to check the process's exit status.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ArgumentError } from '../formats/index.js';
import { cli } from './cli.testutil.js';
import { describeError, reportError } from './main.js';
import { toJson, UsageError } from './util.js';

const BIN = fileURLToPath(new URL('./bin.js', import.meta.url));
function spawnRun(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const run = cli;

describe('chipstack encode / decode / formats', () => {
  test('encode --json gives input, code, hex, value; non-finite values as strings', async () => {
    const r = await run('encode', '--format', 'e4m3fn', '--json', '1', '-3', '465', 'nan');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse(r.out), [
      { input: '1', code: 0x38, hex: '0x38', value: 1 },
      { input: '-3', code: 0xc4, hex: '0xC4', value: -3 },
      { input: '465', code: 0x7f, hex: '0x7F', value: 'NaN' },
      { input: 'nan', code: 0x7f, hex: '0x7F', value: 'NaN' },
    ]);
  });
  test('encode honours preset, rounding and overflow', async () => {
    const j = async (...a: string[]) =>
      JSON.parse((await run('encode', '--json', ...a)).out) as { code: number }[];
    assert.equal((await j('-f', 'e8m0', '-p', 'deepgemm', '0'))[0]!.code, 1);
    assert.equal((await j('-f', 'e2m1', '-p', 'microxcaling', '5'))[0]!.code, 7);
    assert.equal((await j('-f', 'e4m3fn', '--overflow', 'saturate', '1000'))[0]!.code, 0x7e);
    assert.equal((await j('-f', 'e4m3fn', '--rounding', 'up', '1.01'))[0]!.code, 0x39);
    assert.equal((await j('-f', 'hif8', '-p', 'huawei', '40960'))[0]!.code, 0x6f);
  });
  test('decode takes hex and decimal codes', async () => {
    const r = await run('decode', '-f', 'hif8', '--json', '0x6E', '128', '0x6f');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse(r.out), [
      { code: 0x6e, hex: '0x6E', value: 32768 },
      { code: 128, hex: '0x80', value: 'NaN' },
      { code: 0x6f, hex: '0x6F', value: 'Infinity' },
    ]);
  });
  test('formats --json lists every format with its limits', async () => {
    const rows = JSON.parse((await run('formats', '--json')).out) as { name: string; maxFinite: number }[];
    assert.equal(rows.length, 13);
    assert.equal(rows.find((r) => r.name === 'e4m3fn')!.maxFinite, 448);
    // Huawei's formats side by side: HiF8, the HiFloat4 element, and HiFloat4's E6M2 block scale
    const names = rows.map((r) => r.name);
    assert.deepEqual(names.slice(names.indexOf('hif8'), names.indexOf('hif8') + 3), ['hif8', 'hif4', 'e6m2']);
    assert.deepEqual(
      ['hif8', 'hif4', 'e6m2'].map((n) => rows.find((r) => r.name === n)!.maxFinite),
      [32768, 1.75, 49152],
    );
  });
  test('report prints the disagreements table', async () => {
    const r = await run('report');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /e8m0 +ml_dtypes +torch +microxcaling +deepgemm/);
  });
  for (const [args, message] of [
    [['encode', '-f', 'e9m9', '1'], /unknown format "e9m9"/],
    [['encode', '-f', 'e4m3fn', '-p', 'nope', '1'], /unknown preset "nope"/],
    [['encode', '-f', 'e4m3fn', '-r', 'sideways', '1'], /unknown rounding "sideways"/],
    [['encode', '-f', 'e4m3fn', '1.2.3'], /"1.2.3" is not a number/],
    [['decode', '-f', 'e2m1', '16'], /out of range for e2m1/],
    [['decode', '-f', 'e2m1', 'zz'], /not a hex or decimal integer/],
    [['encode', '1'], /required option/],
    [['encode', '-f', 'e4m3fn', '-p', '__proto__', '1'], /unknown preset "__proto__"/],
    [['encode', '-f', 'e4m3fn', '-p', 'constructor', '1'], /unknown preset "constructor"/],
    [['encode', '-f', 'e4m3fn', '-p', 'toString', '1'], /unknown preset "toString"/],
    [['encode', '-f', 'toString', '1'], /unknown format "toString"/],
    [['encode', '-f', 'e4m3fn', '-r', 'stochastic', '--seed', '-1', '1'], /--seed must be an integer from 0/],
    [
      ['encode', '-f', 'e4m3fn', '-r', 'stochastic', '--seed', '1.5', '1'],
      /--seed must be an integer from 0/,
    ],
    [
      ['encode', '-f', 'e4m3fn', '-r', 'stochastic', '--seed', '4294967296', '1'],
      /--seed must be an integer/,
    ],
    [['encode', '-f', 'e4m3fn', '--seed', '7', '1'], /--seed is for stochastic rounding/],
    [['decode', '-f', '__proto__', '1'], /unknown format "__proto__"/],
    [['encode', '-f', 'e4m3fn', '\u001b[31m'], /is not a number/],
    [['frobnicate'], /unknown command/],
  ] as const) {
    test(`bad input: ${args.join(' ')} → one line, exit 2`, async () => {
      const r = await run(...args);
      assert.equal(r.code, 2);
      assert.match(r.err, message);
      assert.equal(r.err.trim().split('\n').length, 1, r.err);
      assert.doesNotMatch(r.err, /at .*\.js:\d+/);
    });
  }
  test('encode -- -0 prints -0, in the table and in JSON', async () => {
    const t = await run('encode', '-f', 'bf16', '--', '-0');
    assert.equal(t.code, 0, t.err);
    assert.match(t.out, /^-0 +0x8000 +-0 /m);
    const j = await run('encode', '-f', 'e4m3fn', '--json', '--', '-0', '0');
    assert.match(j.out, /"value": -0\n/);
    const rows = JSON.parse(j.out) as { value: number }[];
    assert.ok(Object.is(rows[0]!.value, -0) && Object.is(rows[1]!.value, 0));
  });
  test('a seed gives the same stochastic codes each run', async () => {
    const a = await run(
      'encode',
      '-f',
      'e2m1',
      '-r',
      'stochastic',
      '--seed',
      '4294967295',
      '--json',
      '1.3',
      '2.2',
      '0.7',
    );
    const b = await run(
      'encode',
      '-f',
      'e2m1',
      '-r',
      'stochastic',
      '--seed',
      '4294967295',
      '--json',
      '1.3',
      '2.2',
      '0.7',
    );
    assert.equal(a.code, 0, a.err);
    assert.equal(a.out, b.out);
  });
  test('the real executable: exit status 2 and one line on bad input, 0 on success', () => {
    const bad = spawnRun('encode', '-f', 'e9m9', '1');
    assert.equal(bad.code, 2);
    assert.equal(bad.err.trim().split('\n').length, 1, bad.err);
    assert.match(bad.err, /^chipstack: unknown format "e9m9"/);
    const ok = spawnRun('decode', '-f', 'e4m3fn', '0x38');
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /0x38/);
  });
  test('--help works for every command', async () => {
    for (const c of ['formats', 'encode', 'decode', 'report']) {
      const r = await run(c, '--help');
      assert.equal(r.code, 0);
      assert.match(r.out, /--json/);
    }
  });
});

describe('errors that escape a command', () => {
  test('a system error from a command names the path and says what failed in words', async () => {
    // convert into a folder below a regular file: mkdir fails with ENOTDIR
    const dir = mkdtempSync(join(tmpdir(), 'chipstack-errno-'));
    try {
      const header = Buffer.from(
        JSON.stringify({ w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] } }),
      );
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(header.length));
      const file = join(dir, 'm.safetensors');
      writeFileSync(file, Buffer.concat([len, header, Buffer.alloc(16)]));
      const r = await cli('convert', file, join(file, 'out'), '--to', 'bf16');
      assert.equal(r.code, 2);
      assert.equal(
        r.err,
        `chipstack: ${join(file, 'out')}: cannot create the folder: a part of the path is not a folder (ENOTDIR)\n`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('user errors exit 2, internal ones 1, always on one line', () => {
    assert.deepEqual(describeError(new UsageError('bad --x')), { code: 2, line: 'bad --x' });
    assert.equal(describeError(new ArgumentError('unknown-name', 'format', 'unknown format "q"')).code, 2);
    const enoent = Object.assign(new Error('ENOENT: no such file or directory, open'), {
      code: 'ENOENT',
      path: '/x/y',
      syscall: 'open',
    });
    assert.deepEqual(describeError(enoent), {
      code: 2,
      line: '/x/y: cannot open: no such file or folder (ENOENT)',
    });
    // Node's own errors, made by failing calls: the path, what failed and why in words, the code
    const real = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return describeError(err);
      }
      throw new Error('expected a failure');
    };
    assert.deepEqual(
      real(() => mkdirSync('/nonexistent-chipstack-dir/a/b')),
      {
        code: 2,
        line: '/nonexistent-chipstack-dir/a/b: cannot create the folder: no such file or folder (ENOENT)',
      },
    );
    assert.deepEqual(
      real(() => readFileSync(tmpdir())),
      {
        code: 2,
        line: 'cannot read: it is a folder (EISDIR)',
      },
    );
    const renamed = real(() => renameSync('/nonexistent-chipstack-a', '/nonexistent-chipstack-b'));
    assert.equal(
      renamed.line,
      '/nonexistent-chipstack-a to /nonexistent-chipstack-b: cannot rename: no such file or folder (ENOENT)',
    );
    // no path and no system call: the words and the code
    const odd = Object.assign(new Error('EBUSY: resource busy'), { code: 'EBUSY' });
    assert.equal(describeError(odd).line, 'the file or folder is busy (EBUSY)');
    const bug = describeError(new TypeError('Cannot read properties of undefined\n    at f (x.js:1:2)'));
    assert.equal(bug.code, 1);
    assert.match(bug.line, /^internal error \(TypeError\): Cannot read properties of undefined at f/);
    assert.doesNotMatch(bug.line, /\n/);
    assert.equal(describeError('a string').code, 1);
    assert.equal(describeError(undefined).code, 1);
  });
  test('CHIPSTACK_DEBUG=1 adds the stack trace, and only then', () => {
    const write = process.stderr.write;
    const capture = (debug: string | undefined) => {
      let err = '';
      const saved = process.env.CHIPSTACK_DEBUG;
      if (debug === undefined) delete process.env.CHIPSTACK_DEBUG;
      else process.env.CHIPSTACK_DEBUG = debug;
      process.stderr.write = ((c: string) => {
        err += c;
        return true;
      }) as typeof process.stderr.write;
      try {
        return { code: reportError(new RangeError('boom')), err };
      } finally {
        process.stderr.write = write;
        if (saved === undefined) delete process.env.CHIPSTACK_DEBUG;
        else process.env.CHIPSTACK_DEBUG = saved;
      }
    };
    const quiet = capture(undefined);
    assert.equal(quiet.code, 1);
    assert.equal(quiet.err.trimEnd().split('\n').length, 1, quiet.err);
    assert.match(quiet.err, /set CHIPSTACK_DEBUG=1/);
    const loud = capture('1');
    assert.match(loud.err, /\n\s+at /);
  });
  test('toJson writes -0, NaN and infinities and matches JSON.stringify otherwise', () => {
    const v = {
      a: [1, -0, 0, Number.NaN, Number.POSITIVE_INFINITY],
      b: { c: 'x"\n', d: undefined, e: null },
      f: [],
      g: {},
    };
    assert.equal(
      toJson(v),
      JSON.stringify({ ...v, a: [1, '@', 0, 'NaN', 'Infinity'] }, null, 2).replace('"@"', '-0'),
    );
    assert.ok(Object.is((JSON.parse(toJson([-0])) as number[])[0], -0));
    assert.equal(toJson({ n: 10n }, 0), '{"n":"10"}');
  });
});
