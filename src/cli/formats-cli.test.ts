/**
 * The format commands as a user runs them: real processes, exit codes, stdout and stderr.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('./bin.js', import.meta.url));
function run(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('chipstack encode / decode / formats', () => {
  test('encode --json gives input, code, hex, value; non-finite values as strings', () => {
    const r = run('encode', '--format', 'e4m3fn', '--json', '1', '-3', '465', 'nan');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse(r.out), [
      { input: '1', code: 0x38, hex: '0x38', value: 1 },
      { input: '-3', code: 0xc4, hex: '0xC4', value: -3 },
      { input: '465', code: 0x7f, hex: '0x7F', value: 'NaN' },
      { input: 'nan', code: 0x7f, hex: '0x7F', value: 'NaN' },
    ]);
  });
  test('encode honours preset, rounding and overflow', () => {
    const j = (...a: string[]) => JSON.parse(run('encode', '--json', ...a).out) as { code: number }[];
    assert.equal(j('-f', 'e8m0', '-p', 'deepgemm', '0')[0]!.code, 1);
    assert.equal(j('-f', 'e2m1', '-p', 'microxcaling', '5')[0]!.code, 7);
    assert.equal(j('-f', 'e4m3fn', '--overflow', 'saturate', '1000')[0]!.code, 0x7e);
    assert.equal(j('-f', 'e4m3fn', '--rounding', 'up', '1.01')[0]!.code, 0x39);
    assert.equal(j('-f', 'hif8', '-p', 'huawei', '40960')[0]!.code, 0x6f);
  });
  test('decode takes hex and decimal codes', () => {
    const r = run('decode', '-f', 'hif8', '--json', '0x6E', '128', '0x6f');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse(r.out), [
      { code: 0x6e, hex: '0x6E', value: 32768 },
      { code: 128, hex: '0x80', value: 'NaN' },
      { code: 0x6f, hex: '0x6F', value: 'Infinity' },
    ]);
  });
  test('formats --json lists every format with its limits', () => {
    const rows = JSON.parse(run('formats', '--json').out) as { name: string; maxFinite: number }[];
    assert.equal(rows.length, 12);
    assert.equal(rows.find((r) => r.name === 'e4m3fn')!.maxFinite, 448);
    assert.equal(rows.find((r) => r.name === 'hif8')!.maxFinite, 32768);
  });
  test('report prints the disagreements table', () => {
    const r = run('report');
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
    [['frobnicate'], /unknown command/],
  ] as const) {
    test(`bad input: ${args.join(' ')} → one line, exit 2`, () => {
      const r = run(...args);
      assert.equal(r.code, 2);
      assert.match(r.err, message);
      assert.equal(r.err.trim().split('\n').length, 1, r.err);
      assert.doesNotMatch(r.err, /at .*\.js:\d+/);
    });
  }
  test('--help works for every command', () => {
    for (const c of ['formats', 'encode', 'decode', 'report']) {
      const r = run(c, '--help');
      assert.equal(r.code, 0);
      assert.match(r.out, /--json/);
    }
  });
});
