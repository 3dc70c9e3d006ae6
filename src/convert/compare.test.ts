/**
 * `compare --in` streams: each scheme's error, combined over tiles, equals `analyze` on the whole
 * tensor (the oracle) for block schemes, with tiles that cut rows; schemes needing the whole tensor
 * run whole. Bad flags of `compare` and `convert` are one line and exit code 2.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cli } from '../cli/cli.testutil.js';
import { openCheckpoint, writeShardedCheckpoint } from '../io/index.js';
import { analyze, getScheme } from '../quant/index.js';
import { compareTensor } from './compare.js';
import { values, withTemp, writeLlama } from './fixtures.js';
import { logicalTensors } from './source.js';

const _BIN = fileURLToPath(new URL('../cli/bin.js', import.meta.url));

/** `main` in-process (cli.testutil.ts): no process start per case. */
const run = cli;

describe('compare', () => {
  test('streamed over tiles equals analyze on the whole tensor', async () => {
    await withTemp(async (tmp) => {
      const shape = [300, 1000];
      const x = values(300 * 1000, 3);
      await writeShardedCheckpoint(
        tmp,
        [{ name: 'w', dtype: 'F32', shape }],
        [{ name: 'w', data: new Uint8Array(x.buffer) }],
        { maxShardBytes: 1e9, sync: false },
      );
      const ck = await openCheckpoint(tmp);
      try {
        const t = logicalTensors(ck)[0]!;
        const names = [
          'triton-mxfp4',
          'deepgemm-block-ue8m0',
          'torchao-mxfp8-floor',
          'nvfp4',
          'fp8-per-tensor',
        ];
        const schemes = names.map((n) => getScheme(n));
        const r = await compareTensor(t, schemes, { slabElements: 4096, explicit: true });
        assert.deepEqual(
          r.results.map((e) => e.scheme),
          schemes.map((s) => s.name),
        );
        for (const [i, s] of schemes.entries()) {
          const want = analyze(x, shape, s);
          const got = r.results[i]!;
          assert.equal(got.bitsPerElement, want.bitsPerElement, s.name);
          assert.equal(got.maxAbsError, want.maxAbsError, s.name);
          assert.equal(got.maxRelError, want.maxRelError, s.name);
          for (const k of ['mse', 'sqnrDb', 'saturated', 'flushedToZero'] as const) {
            assert.ok(
              Math.abs(got[k] - want[k]) <= Math.abs(want[k]) * 1e-9,
              `${s.name} ${k}: ${got[k]} vs ${want[k]}`,
            );
          }
        }
      } finally {
        await ck.close();
      }
    });
  });

  test('bad flags: one line, exit code 2', async () => {
    await withTemp(async (tmp) => {
      const fx = await writeLlama(join(tmp, 'in'), { layers: 1 });
      const cases: [string[], RegExp][] = [
        [['compare', '--schemes', ',,,'], /names no scheme/],
        [['compare', '--schemes', ''], /names no scheme/],
        [['compare', '--tensor', 'x'], /--tensor needs --in/],
        [['compare', '--in', fx.dir, '--shape', '4x4'], /--shape is for synthetic data/],
        [
          ['compare', '--in', fx.dir, '--tensor', 'nope\u001b'],
          /no F32\/F16\/BF16\/F64 tensor named "nope\\u001b"/,
        ],
        [['compare', '--in', ''], /--in is empty/],
        [
          ['convert', fx.dir, join(tmp, 'o'), '--to', 'mxfp4', '--scale-fmt', 'fp32'],
          /--scale-fmt applies to --to deepseek-fp8 only/,
        ],
        [
          ['convert', fx.dir, join(tmp, 'o'), '--to', 'nvfp4', '--scale-dtype', 'e8m0'],
          /--scale-dtype applies/,
        ],
        [['convert', fx.dir, join(tmp, 'o'), '--to', 'bf16', '--scheme', 'nvfp4'], /--scheme does not apply/],
        [
          ['convert', fx.dir, join(tmp, 'o'), '--to', 'mxfp4', '--on-nonfinite', 'ignore'],
          /--on-nonfinite must be one of/,
        ],
        [['convert', fx.dir, '', '--to', 'mxfp4'], /output folder is empty/],
      ];
      for (const [args, pattern] of cases) {
        const r = await run(...args);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
        assert.match(r.err, pattern);
        assert.equal(r.err.trim().split('\n').length, 1, r.err);
        assert.doesNotMatch(r.err, /\n\s+at /);
        assert.ok(!r.err.includes(String.fromCharCode(27)), 'no raw escape character');
      }
      const ok = await run('compare', '--in', fx.dir, '--schemes', 'triton-mxfp4', '--json');
      assert.equal(ok.code, 0, ok.err);
      assert.equal(JSON.parse(ok.out).results.length, 1);
    });
  });
});
