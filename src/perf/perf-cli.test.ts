import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

describe('perf CLI', () => {
  it('prints the issue example as a table with the path, bottlenecks and assumptions', () => {
    const r = run(
      'perf',
      '--model',
      'deepseek-v3',
      '--system',
      'cloudmatrix-384',
      '--weights',
      'int8',
      '--phase',
      'decode',
      '--batch',
      '96',
      '--seq',
      '4096',
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /GEMM path: int8 weights x int8 activations -> int8 matrix unit/);
    assert.match(r.stdout, /^attention core +61 +[\d.]+ +[\d.]+ +compute$/m);
    assert.match(r.stdout, /tokens\/s per chip \d+/);
    assert.match(r.stdout, /J\/token/);
    assert.match(r.stdout, /assumptions:/);
  });

  it('prints JSON for perf, training, compare-systems and validate', () => {
    const p = JSON.parse(
      run('perf', '--model', 'ds-r1', '--system', 'cm384', '--weights', 'fp8', '--phase', 'prefill', '--json')
        .stdout,
    );
    assert.match(p.paths.gemm, /dequantised to bf16/);
    const t = JSON.parse(
      run(
        'perf',
        '--model',
        'deepseek-v3',
        '--system',
        'hgx-h800-8',
        '--phase',
        'training',
        '--tokens',
        '14.8e12',
        '--chips',
        '2048',
        '--json',
      ).stdout,
    );
    assert.ok(t.chipHours > 2e6);
    const c = JSON.parse(run('compare-systems', 'cloudmatrix-384', 'gb200-nvl72', '--json').stdout);
    assert.equal(c.rows[0].metric, 'chips');
    const v = JSON.parse(run('validate', '--json').stdout);
    assert.ok(v.validation.medianAbsErrorPct <= 15);
    assert.equal(v.scenarios[0].id, 'cm384-vs-nvl72');
  });

  it('prints text for compare-systems and validate', () => {
    assert.match(run('compare-systems', 'cm384', 'nvl72').stdout, /^all-in power kW +559 +145 +3\.86$/m);
    const v = run('validate');
    assert.match(v.stdout, /^cm384-decode +1943 /m);
    assert.match(v.stdout, /median \|error\|/);
  });

  it('rejects unknown names and bad numbers in one line with exit code 2', () => {
    for (const args of [
      ['perf', '--model', 'gpt-9', '--system', 'cm384'],
      ['perf', '--model', 'deepseek-v3', '--system', 'cm384', '--weights', 'fp7'],
      ['perf', '--model', 'deepseek-v3', '--system', 'cm384', '--batch', 'lots'],
      ['perf', '--model', 'deepseek-v3', '--system', 'cm384', '--batch', 'inf'],
      ['perf', '--model', 'deepseek-v3', '--system', 'cm384', '--phase', 'train'],
      ['compare-systems', 'cm384', 'nope'],
    ]) {
      const r = run(...args);
      assert.equal(r.status, 2, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^chipstack: /);
    }
  });

  it('has --help on every command', () => {
    for (const c of ['perf', 'compare-systems', 'validate']) {
      const r = run(c, '--help');
      assert.equal(r.status, 0);
      assert.match(r.stdout, /--json/);
    }
  });
});
