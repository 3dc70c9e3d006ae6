/**
 * `chipstack bench gemv` and `chipstack accumulate-study` as a user runs them (no timing checks).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cli } from '../cli/cli.testutil.js';

const _BIN = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
/** `main` in-process (cli.testutil.ts): no process start per case. */
const run = cli;

describe('chipstack kernels commands', () => {
  test('bench gemv --json: one row per format, fp32 speed-up 1, two threads', async () => {
    const r = await run(
      'bench',
      'gemv',
      '--shape',
      '40x300',
      '--formats',
      'fp32,mxfp4,deepseek-fp8',
      '--threads',
      '2',
    );
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /mxfp4/);
    const j = JSON.parse(
      (
        await run(
          'bench',
          'gemv',
          '--shape',
          '40x300',
          '--formats',
          'mxfp4,int8',
          '--threads',
          '2',
          '--seconds',
          '0',
          '--json',
        )
      ).out,
    );
    assert.equal(j.threads, 2);
    assert.deepEqual(
      j.results.map((x: { format: string }) => x.format),
      ['mxfp4', 'int8'],
    );
    for (const x of j.results) {
      assert.ok(x.ms > 0 && x.weightBytes > 0 && x.GBps > 0 && x.speedup > 0);
    }
  });

  test('bench gemv --variant: both kernel builds run (relaxed SIMD turned on in Node)', async () => {
    for (const v of ['simd128', 'relaxed']) {
      const r = await run(
        'bench',
        'gemv',
        '--shape',
        '8x64',
        '--formats',
        'deepseek-fp8',
        '--seconds',
        '0',
        '--variant',
        v,
        '--json',
      );
      assert.equal(r.code, 0, r.err);
      const j = JSON.parse(r.out);
      assert.equal(j.variant, v);
      assert.equal(j.results[0].variant, v);
    }
  });

  test('bench gemv --m runs the GEMM kernel', async () => {
    const j = JSON.parse(
      (await run('bench', 'gemv', '--shape', '16x64', '--m', '3', '--formats', 'nvfp4', '--json')).out,
    );
    assert.equal(j.m, 3);
    assert.equal(j.results[0].format, 'nvfp4');
  });

  test('usage errors exit 2 with one line', async () => {
    for (const args of [
      ['bench', 'gemv', '--shape', '12'],
      ['bench', 'gemv', '--formats', 'fp5'],
      ['bench', 'gemv', '--threads', '0'],
      ['bench', 'gemv', '--threads', '33'],
      ['bench', 'gemv', '--formats', '__proto__'],
      ['bench', 'gemv', '--formats', 'fp32,constructor'],
      ['bench', 'gemv', '--shape', '100000x100000'],
      ['bench', 'gemv', '--shape', '65536x65536'],
      ['bench', 'gemv', '--shape', '16x64', '--m', '100000'],
      ['bench', 'gemv', '--variant', 'avx512'],
      ['accumulate-study', '--rounding', 'up'],
      ['accumulate-study', '--bits', '60'],
    ]) {
      const r = await run(...args);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.err.trim().split('\n').length, 1);
    }
  });

  test('accumulate-study --json: K rows, promotion beats none', async () => {
    const r = await run('accumulate-study', '--json', '--bits', '10');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.mantissaBits, 10);
    assert.deepEqual(
      j.rows.map((x: { k: number }) => x.k),
      [4096, 7168, 16384],
    );
    for (const row of j.rows) assert.ok(row.byNc['128'] < row.noPromotion / 10);
  });
});
