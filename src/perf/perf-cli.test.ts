import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cli } from '../cli/cli.testutil.js';

const BIN = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
const spawnRun = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
/** `main` in-process (cli.testutil.ts); the first bad-input case runs the real executable. */
const run = async (...args: string[]) => {
  const r = await cli(...args);
  return { status: r.code, stdout: r.out, stderr: r.err };
};

describe('perf CLI', () => {
  it('prints the issue example as a table with the path, bottlenecks and assumptions', async () => {
    const r = await run(
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
    assert.match(r.stdout, /^attention core +61 +[\d.]+ +[\d.]+ +(compute|memory)$/m);
    assert.match(r.stdout, /\(\d+ chips; tp\/ep\/pp auto: smallest that fits\)/);
    assert.match(r.stdout, /tokens\/s per chip \d+/);
    assert.match(r.stdout, /J\/token/);
    assert.match(r.stdout, /assumptions:/);
  });

  it('prints JSON for perf, training, compare-systems and validate', async () => {
    const p = JSON.parse(
      (
        await run(
          'perf',
          '--model',
          'ds-r1',
          '--system',
          'cm384',
          '--weights',
          'fp8',
          '--phase',
          'prefill',
          '--json',
        )
      ).stdout,
    );
    assert.match(p.paths.gemm, /dequantised to bf16/);
    const t = JSON.parse(
      (
        await run(
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
        )
      ).stdout,
    );
    assert.ok(t.chipHours > 2e6);
    const c = JSON.parse((await run('compare-systems', 'cloudmatrix-384', 'gb200-nvl72', '--json')).stdout);
    assert.equal(c.rows[0].metric, 'chips');
    const v = JSON.parse((await run('validate', '--json')).stdout);
    assert.ok(v.validation.rows.length >= 16);
    for (const r of v.validation.rows) {
      for (const k of ['measured', 'predicted', 'errorPct', 'role', 'source', 'looErrorPct'])
        assert.ok(k in r, k);
    }
    assert.ok(Number.isFinite(v.validation.validationMedianAbsErrorPct));
    assert.ok(Number.isFinite(v.validation.looMedianAbsErrorPct));
    assert.equal(v.scenarios[0].id, 'cm384-vs-nvl72');
  });

  it('accepts every overlap kind and orders them: none <= shared-expert <= dispatch-only <= micro-batch', async () => {
    const rate = async (...extra: string[]) => {
      const r = await run(
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
        '--tp',
        '1',
        '--ep',
        '64',
        '--pp',
        '1',
        '--json',
        ...extra,
      );
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as { tokensPerSecPerChip: number; assumptions: string[] };
    };
    const none = await rate('--overlap', '0');
    const shared = await rate('--overlap', '1', '--overlap-kind', 'shared-expert');
    const dispatch = await rate('--overlap', '1', '--overlap-kind', 'dispatch-only');
    const micro = await rate('--overlap', '1', '--overlap-kind', 'micro-batch');
    assert.ok(shared.assumptions.some((a) => /hidden behind the shared experts/.test(a)));
    // The shared experts are local work, so hiding the dispatch under them hides no more than under all local work.
    assert.ok(none.tokensPerSecPerChip < shared.tokensPerSecPerChip);
    assert.ok(shared.tokensPerSecPerChip <= dispatch.tokensPerSecPerChip);
    assert.ok(dispatch.tokensPerSecPerChip <= micro.tokensPerSecPerChip);
  });

  it('prints text for compare-systems and validate', async () => {
    assert.match(
      (await run('compare-systems', 'cm384', 'nvl72')).stdout,
      /^all-in power kW +559 +145 +3\.86$/m,
    );
    const v = await run('validate');
    assert.match(v.stdout, /^cm384-decode +ascend-910 +calibration +1943 /m);
    assert.match(v.stdout, /leave-one-out median/);
    assert.match(v.stdout, /median \|error\|/);
  });

  it('rejects unknown names and bad numbers in one line with exit code 2', async () => {
    const first = ['perf', '--model', 'gpt-9', '--system', 'cm384'];
    for (const args of [
      first,
      ['perf', '--model', 'deepseek-v3', '--system', 'cm384', '--weights', 'fp7'],
      ['perf', '--model', 'deepseek-v3', '--system', 'cm384', '--batch', 'lots'],
      ['perf', '--model', 'deepseek-v3', '--system', 'cm384', '--batch', 'inf'],
      ['perf', '--model', 'deepseek-v3', '--system', 'cm384', '--phase', 'train'],
      ['compare-systems', 'cm384', 'nope'],
      ['perf', '--model', 'deepseek-v3', '--system', 'cm384', '--pue', '0.8'],
      ['perf', '--model', 'deepseek-v3', '--system', 'cm384', '--overlap-kind', 'both'],
      [
        'perf',
        '--model',
        'deepseek-v3',
        '--system',
        'hgx-h800-8',
        '--phase',
        'training',
        '--tokens',
        '1e12',
        '--chips',
        '8',
        '--mfu',
        '1.5',
      ],
      [
        'perf',
        '--model',
        'deepseek-v3',
        '--system',
        'hgx-h800-8',
        '--phase',
        'training',
        '--tokens',
        '1e12',
        '--chips',
        '8',
        '--mfu',
        '0',
      ],
      ['perf', '--model', 'deepseek-v3', '--system', 'cm384', '--pp', '62'],
      ['perf', '--model', 'deepseek-v3', '--system', 'hgx-h800-8', '--tp', '16'],
      ['perf', '--model', 'deepseek-v3', '--system', 'cm384', '--batch', '2.5'],
      ['perf', '--model', 'deepseek-v3', '--system', 'cm384', '--batch', '1e13'],
      [
        'perf',
        '--model',
        'deepseek-v3',
        '--system',
        'hgx-h100-8',
        '--weights',
        'bf16',
        '--tp',
        '1',
        '--ep',
        '8',
        '--pp',
        '1',
      ],
      ['perf', '--model', 'deepseek-v3', '--system', 'kunlunxin-p800:16'],
      ['perf', '--model', 'deepseek-v3', '--system', 'ascend-910b:8', '--assume', 'bogus=1'],
      // Chip figures given, but the cluster's scale-up domain is unknown and the run spans boards.
      [
        'perf',
        '--model',
        'deepseek-v3',
        '--system',
        'kunlunxin-p800-cluster',
        '--weights',
        'bf16',
        ...['hbmBandwidthTBps=2', 'hbmCapacityGB=96', 'bf16DenseTflops=300', 'scaleUpGBps=400'].flatMap(
          (a) => ['--assume', a],
        ),
      ],
    ]) {
      // the real executable for the first case (its exit status), in-process for the rest
      const r = args === first ? spawnRun(...args) : await run(...args);
      assert.equal(r.status, 2, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^chipstack: /);
      if (args.includes('kunlunxin-p800-cluster')) assert.match(r.stderr, /scaleUpDomainChips is unknown/);
    }
  });

  it('names the shortfall and the smallest deployment that fits, and the missing chip figure', async () => {
    const r = await run(
      'perf',
      '--model',
      'deepseek-v3',
      '--system',
      'hgx-h100-8',
      '--weights',
      'bf16',
      '--tp',
      '1',
      '--ep',
      '8',
      '--pp',
      '1',
    );
    assert.match(
      r.stderr,
      /does not fit .* short by [\d.]+ GB; smallest that fits: tp \d+ ep \d+ pp \d+ \(\d+ chips\)/,
    );
    assert.match(
      (await run('perf', '--model', 'deepseek-v3', '--system', 'kunlunxin-p800:16')).stderr,
      /kunlunxin-p800: published figure hbmBandwidthTBps is unknown; give --assume/,
    );
  });

  it('builds a system from a chip, with assumptions printed in text and JSON', async () => {
    const t = await run('perf', '--model', 'llama-3.1-8b', '--system', 'ascend-910b:8', '--json');
    assert.equal(t.status, 0, t.stderr);
    const j = JSON.parse(t.stdout);
    assert.equal(j.workload.system, 'ascend-910b:8');
    assert.ok(j.memory.fits && j.tokensPerSecPerChip > 0);
    const a = await run(
      'perf',
      '--model',
      'llama-3.1-8b',
      '--system',
      'mlu590:8',
      '--assume',
      'hbmCapacityGB=80',
      '--assume',
      'hbmBandwidthTBps=2',
      '--assume',
      'scaleUpGBps=400',
    );
    assert.equal(a.status, 0, a.stderr);
    assert.match(a.stdout, /assumed by the user \(--assume\): hbmCapacityGB = 80/);
  });

  it('searches serving within a TPOT limit and prints the Pareto frontier, in text and JSON', async () => {
    const r = await run(
      'perf',
      '--model',
      'llama-3.1-8b',
      '--system',
      'h100-sxm:8',
      '--weights',
      'fp8',
      '--tpot-max',
      '30',
      '--pareto',
      '--json',
    );
    assert.equal(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.ok(s.best && s.best.tpotMs <= 30);
    assert.ok(s.pareto.length >= 1 && s.pareto.every((p: { tpotMs: number }) => p.tpotMs <= 30));
    assert.ok(
      s.pareto.some(
        (p: { tokensPerSecPerChip: number }) => p.tokensPerSecPerChip === s.best.tokensPerSecPerChip,
      ),
    );
    assert.ok(s.prefillDecode.prefillChipsPerDecodeChip > 0);
    assert.match(
      (await run('perf', '--model', 'llama-3.1-8b', '--system', 'h100-sxm:8', '--tpot-max', '30', '--pareto'))
        .stdout,
      /Pareto frontier/,
    );
  });

  it('has --help on every command', async () => {
    for (const c of ['perf', 'compare-systems', 'validate']) {
      const r = await run(c, '--help');
      assert.equal(r.status, 0);
      assert.match(r.stdout, /--json/);
    }
  });
});
