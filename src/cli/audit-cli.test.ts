/**
 * Regressions from the session-5 audit of the whole command line against "bad input gets one
 * clear line and exit 2, and nothing is lost" and "never touch what is not ours": each case
 * failed (exit 0 on bad input, a hang, an overwritten file, NaN/Infinity in a table, a folder
 * left behind) before its fix. All in-process (cli.testutil.ts); no process is spawned.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { rawFile } from '../io/fixtures.js';
import { openSafetensors } from '../io/index.js';
import { matmulModel, matmulWithExternalWeight } from '../onnx/testutil.js';
import { writeParts } from '../onnx/write.js';
import { nvfp4GlobalScale } from '../quant/index.js';
import { type CliReply, cli } from './cli.testutil.js';

/** Exit 2, one line on stderr matching `pattern`, no stack trace, nothing on stdout. */
function refused(r: CliReply, pattern: RegExp): void {
  assert.equal(r.code, 2, `exit ${r.code}: ${r.err}${r.out.slice(0, 300)}`);
  assert.match(r.err, pattern);
  assert.equal(r.err.trim().split('\n').length, 1, r.err);
  assert.doesNotMatch(r.err, /\n\s+at |internal error/);
  assert.equal(r.out, '');
}

/** A safetensors file of one F32 tensor `name` [rows, cols] with values f(i). */
function f32File(name: string, shape: number[], f: (i: number) => number): Uint8Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Uint8Array(n * 4);
  const v = new DataView(data.buffer);
  for (let i = 0; i < n; i++) v.setFloat32(i * 4, f(i), true);
  return rawFile(JSON.stringify({ [name]: { dtype: 'F32', shape, data_offsets: [0, n * 4] } }), data);
}

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

let dir = '';
const at = (...p: string[]) => join(dir, ...p);

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'chipstack-audit-'));
  writeFileSync(
    at('nan.safetensors'),
    f32File('l.weight', [2, 64], (i) => (i === 3 ? Number.NaN : i * 0.1)),
  );
  writeFileSync(
    at('allnan.safetensors'),
    f32File('l.weight', [2, 64], () => Number.NaN),
  );
  writeFileSync(
    at('empty.safetensors'),
    f32File('l.weight', [0, 64], () => 0),
  );
  // float32 subnormals: NVFP4's tensor scale 448 * 6 / amax overflows float32
  writeFileSync(
    at('tiny.safetensors'),
    f32File('l.weight', [2, 64], (i) => 1e-45 * (i + 1)),
  );
  writeFileSync(
    at('good.safetensors'),
    f32File('l.weight', [2, 64], (i) => Math.sin(i)),
  );
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('audit: files', () => {
  test('a FIFO named as an input is refused at once (it used to block forever)', async (t) => {
    if (spawnSync('mkfifo', [at('pipe.safetensors')]).status !== 0) return t.skip('mkfifo not available');
    refused(
      await cli('inspect', at('pipe.safetensors')),
      /pipe\.safetensors: is a FIFO .*not a regular file/,
    );
    refused(await cli('compare', '--in', at('pipe.safetensors')), /is a FIFO/);
    refused(await cli('convert', at('pipe.safetensors'), at('pipe-out'), '--to', 'mxfp4'), /is a FIFO/);
    assert.equal(existsSync(at('pipe-out')), false);
  });

  test('a failed convert removes the parent folders it created, and only those', async () => {
    const r = await cli(
      'convert',
      at('nan.safetensors'),
      at('made', 'a', 'b'),
      '--to',
      'mxfp4',
      '--on-nonfinite',
      'error',
    );
    refused(r, /non-finite .*nothing was left/);
    assert.equal(existsSync(at('made')), false, 'no folder of ours is left behind');
    // a parent that existed before stays
    const again = await cli(
      'convert',
      at('nan.safetensors'),
      at('x'),
      '--to',
      'mxfp4',
      '--on-nonfinite',
      'error',
    );
    refused(again, /non-finite/);
    assert.ok(existsSync(dir));
  });

  test('convert refuses an input with no tensors and an output that is a dangling symlink', async () => {
    writeFileSync(at('none.safetensors'), rawFile('{}'));
    refused(
      await cli('convert', at('none.safetensors'), at('none-out'), '--to', 'mxfp4'),
      /holds no tensors/,
    );
    assert.equal(existsSync(at('none-out')), false);
    symlinkSync(at('nowhere'), at('dangling'));
    refused(
      await cli('convert', at('good.safetensors'), at('dangling'), '--to', 'mxfp4'),
      /dangling: is a symbolic link to nothing/,
    );
    assert.equal(existsSync(at('nowhere')), false);
  });

  test('NVFP4 of subnormal weights converts (global scale clamped to the largest float32)', async () => {
    // the reference's global scale overflows (TensorRT-LLM: Infinity); convert stores a positive tensor scale
    assert.equal(nvfp4GlobalScale(1e-43), Number.POSITIVE_INFINITY);
    const r = await cli('convert', at('tiny.safetensors'), at('tiny-out'), '--to', 'nvfp4', '--threads', '1');
    assert.equal(r.code, 0, r.err);
    const f = await openSafetensors(at('tiny-out', 'model-00001-of-00001.safetensors'));
    try {
      const s2 = new DataView((await f.read('l.weight_scale_2')).slice().buffer).getFloat32(0, true);
      assert.ok(s2 > 0 && Number.isFinite(s2), `weight_scale_2 ${s2}`);
    } finally {
      await f.close();
    }
    const back = await cli('inspect', at('tiny-out'), '--stats', '--json');
    assert.equal(JSON.parse(back.out).stats[0].amax, 0, 'every value encodes as 0');
  });

  test('inspect and compare tables hold no NaN or Infinity; an empty tensor is refused by compare', async () => {
    const s = await cli('inspect', at('allnan.safetensors'), '--stats');
    assert.equal(s.code, 0, s.err);
    assert.doesNotMatch(s.out, /NaN|Infinity/);
    const c = await cli('compare', '--in', at('nan.safetensors'), '--schemes', 'mxfp4,nvfp4');
    assert.equal(c.code, 0, c.err);
    const [note, ...rows] = c.out.trim().split('\n').reverse();
    assert.doesNotMatch(rows.join('\n'), /NaN|Infinity/);
    assert.match(note!, /^n\/a: undefined \(the tensor holds NaN or Inf\)/);
    const j = await cli('compare', '--in', at('nan.safetensors'), '--schemes', 'mxfp4', '--json');
    assert.equal(JSON.parse(j.out).results[0].sqnrDb, 'NaN', '--json keeps the number (as a string)');
    const one = await cli('compare', '--shape', '1x1', '--schemes', 'fp8-per-tensor');
    assert.match(one.out, /exact/);
    assert.doesNotMatch(one.out, /Infinity/);
    refused(await cli('compare', '--in', at('empty.safetensors')), /\[0,64\] has no elements to compare/);
    refused(await cli('inspect', ''), /the input path is empty/);
    refused(
      await cli('compare', '--in', at('missing.safetensors')),
      /missing\.safetensors: no such file or folder/,
    );
  });

  test('onnx quantize never replaces a file that is not its own output, with or without --force', async () => {
    const w = new Float32Array(64 * 8).map((_, i) => Math.sin(i));
    writeFileSync(at('w.bin'), Buffer.from(w.buffer));
    const model = matmulWithExternalWeight('w.bin', 0, w.byteLength);
    writeFileSync(at('m.onnx'), model);
    const before = { good: sha(at('good.safetensors')), bin: sha(at('w.bin')), model: sha(at('m.onnx')) };
    const q = (out: string, ...more: string[]) =>
      cli('onnx', 'quantize', at('m.onnx'), out, '--scheme', 'mxfp4', ...more);
    refused(await q(at('good.safetensors')), /good\.safetensors: exists; pass --force to replace it/);
    refused(await q(at('w.bin'), '--force'), /w\.bin: holds the input model's external data/);
    refused(await q(at('m.onnx'), '--force'), /is the input model/);
    refused(await q(''), /the output path is empty/);
    refused(await q(dir), /is a folder/);
    assert.equal((await q(at('q.onnx'))).code, 0);
    refused(await q(at('q.onnx')), /q\.onnx: exists; pass --force/);
    const forced = await q(at('q.onnx'), '--force');
    assert.equal(forced.code, 0, forced.err);
    // --force replaces only what chipstack wrote (its folder's ledger, by device and inode): not
    // someone else's file, not a symlink to our own output, not a file put in place of ours
    refused(
      await q(at('good.safetensors'), '--force'),
      /good\.safetensors: exists and was not written by chipstack/,
    );
    symlinkSync(at('q.onnx'), at('q-link.onnx'));
    refused(await q(at('q-link.onnx'), '--force'), /q-link\.onnx: is not a regular file/);
    writeFileSync(at('r.onnx'), 'mine');
    refused(await q(at('r.onnx'), '--force'), /r\.onnx: exists and was not written by chipstack/);
    assert.equal(readFileSync(at('r.onnx'), 'utf8'), 'mine');
    assert.equal((await q(at('q3.onnx'))).code, 0);
    rmSync(at('q3.onnx'));
    writeFileSync(at('q3.onnx'), 'replaced by the user');
    refused(await q(at('q3.onnx'), '--force'), /q3\.onnx: exists and was not written by chipstack/);
    assert.equal(readFileSync(at('q3.onnx'), 'utf8'), 'replaced by the user');
    assert.deepEqual(
      { good: sha(at('good.safetensors')), bin: sha(at('w.bin')), model: sha(at('m.onnx')) },
      before,
      'inputs and other files unchanged',
    );
    refused(await q(at('q2.onnx'), '--shape', 'x=1x64'), /--shape is for --calib-random/);
    refused(
      await q(at('q2.onnx'), '--gptq', '--calib-random', '1', '--shape', 'nope=1x64'),
      /--shape nope: the model has no input of that name/,
    );
    refused(await q(at('q2.onnx'), '--gptq', '--calib-random', '1', '--shape', 'x=0x64'), /positive integer/);
    refused(await cli('onnx', 'eval', at('m.onnx'), at('q.onnx'), '--random', '1', '--seed', '-1'), /--seed/);
    refused(await cli('onnx', 'probe', '--schemes', ''), /--schemes "" has an empty item/);
    // a file that happens to bear our temporary name is neither written nor removed
    const foreign = at(`.t.onnx.${process.pid}.tmp`);
    writeFileSync(foreign, 'not ours');
    assert.throws(
      () => writeParts([new Uint8Array(4)], at('t.onnx'), at('m.onnx')),
      /cannot write \(EEXIST\)/,
    );
    assert.equal(readFileSync(foreign, 'utf8'), 'not ours');
    assert.equal(existsSync(at('t.onnx')), false);
  });
});

/** Rewrite a safetensors file's header with `edit` (the data bytes are kept as they are). */
function relabel(path: string, edit: (h: Record<string, { shape: number[] }>) => void): void {
  const b = readFileSync(path);
  const n = Number(b.readBigUInt64LE(0));
  const h = JSON.parse(b.subarray(8, 8 + n).toString('utf8'));
  edit(h);
  writeFileSync(path, rawFile(JSON.stringify(h), b.subarray(8 + n)));
}

describe('audit: onnx inputs', () => {
  test('external data that is a FIFO is refused (it used to hang); a weight with no elements is skipped', async (t) => {
    writeFileSync(at('zero.onnx'), matmulModel(0, { rawData: new Uint8Array(0) }));
    refused(
      await cli('onnx', 'quantize', at('zero.onnx'), at('zero-q.onnx'), '--scheme', 'mxfp4'),
      /no quantizable weight selected/,
    );
    if (spawnSync('mkfifo', [at('pipe.bin')]).status !== 0) return t.skip('mkfifo not available');
    const ext = [
      { key: 'location', value: 'pipe.bin' },
      { key: 'length', value: String(64 * 8 * 4) },
    ];
    writeFileSync(at('fifo.onnx'), matmulModel(64, { dataLocation: 1, externalData: ext }));
    refused(
      await cli('onnx', 'quantize', at('fifo.onnx'), at('fifo-q.onnx'), '--scheme', 'mxfp4'),
      /external data pipe\.bin is not a regular file/,
    );
    spawnSync('mkdir', [at('npy')]);
    spawnSync('mkfifo', [at('npy', 'a.npy')]);
    const ev = (...a: string[]) => cli('onnx', 'eval', at('zero.onnx'), at('zero.onnx'), ...a);
    refused(await ev('--inputs', at('npy')), /a\.npy: not a regular file/);
    refused(await ev('--random', '1', '--labels', at('pipe.bin')), /labels must be a regular JSON file/);
  });
});

describe('audit: quantized checkpoints whose header lies about a scale shape', () => {
  test('a transposed block-scale shape (same bytes) is refused naming the tensor, for every layout', async () => {
    writeFileSync(
      at('w130.safetensors'),
      f32File('l.weight', [130, 64], (i) => Math.cos(i)),
    );
    const cases: [string, string, number[]][] = [
      ['mxfp4', 'l_scales', [2, 130]],
      ['mxfp8', 'l.weight_scale', [2, 130]],
      ['nvfp4', 'l.weight_scale', [4, 130]],
      ['deepseek-fp8', 'l.weight_scale_inv', [1, 2]],
    ];
    for (const [to, scale, lie] of cases) {
      const out = at(`lie-${to}`);
      assert.equal((await cli('convert', at('w130.safetensors'), out, '--to', to, '--threads', '1')).code, 0);
      const shard = join(out, 'model-00001-of-00001.safetensors');
      assert.equal((await cli('inspect', out, '--stats')).code, 0, `${to} as written reads back`);
      relabel(shard, (h) => {
        h[scale]!.shape = lie;
      });
      const r = await cli('inspect', out, '--stats');
      refused(r, new RegExp(`tensor "${scale.replace('.', '\\.')}" is .*\\[${lie.join(', ')}\\]`));
      refused(await cli('convert', out, at(`lie-${to}-back`), '--to', 'bf16'), /must/);
      assert.equal(existsSync(at(`lie-${to}-back`)), false);
    }
  });
});

describe('audit: options that were ignored or accepted out of range', () => {
  test('perf refuses values and options it would have ignored', async () => {
    const p = (...a: string[]) => cli('perf', '--model', 'deepseek-v3', '--system', 'cloudmatrix-384', ...a);
    refused(await p('--mtp-acceptance', '-1'), /--mtp-acceptance needs --mtp/);
    refused(
      await p('--mtp', '2', '--mtp-acceptance', '1.5'),
      /--mtp-acceptance must be a number from 0 to 1/,
    );
    refused(await p('--mtp', '1.5'), /MTP draft tokens must be an integer/);
    refused(await p('--imbalance', '0.5'), /expert imbalance .* >= 1, got 0\.5/);
    refused(await p('--output-len', '-1'), /--output-len is for the serving search/);
    refused(await p('--cache-hit', '0.5'), /--cache-hit applies to --phase prefill only/);
    refused(await p('--pareto', '--fp8-fallback', 'nope'), /--fp8-fallback must be bf16 or int8/);
    refused(await p('--tokens', '1e12'), /--tokens applies to --phase training only/);
    const train = ['--phase', 'training', '--tokens', '1e12', '--chips', '8'];
    refused(await p(...train, '--weights', 'nope'), /--weights does not apply to --phase training/);
    refused(await p(...train, '--tpot-max', '50'), /--tpot-max does not apply to --phase training/);
    refused(
      await cli('perf', '--model', 'deepseek-v3', '--system', 'ascend-910b:8', '--assume', '__proto__=1'),
      /--assume: unknown field "__proto__"/,
    );
    refused(
      await cli(
        'perf',
        '--model',
        'deepseek-v3',
        '--system',
        'ascend-910b:8',
        '--assume',
        'tdpW=1',
        '--assume',
        'tdpW=2',
      ),
      /--assume tdpW is given twice/,
    );
    for (const n of ['0x10', '1e3', '', '-1'])
      refused(
        await cli('perf', '--model', 'deepseek-v3', '--system', `ascend-910b:${n}`),
        /chip count must be an integer from 1 to 1,000,000/,
      );
  });

  test('supply, compare, convert and bench refuse what they used to take silently', async () => {
    refused(await cli('supply', '--validate', '-n', '1'), /runs must be at least 100/);
    refused(await cli('supply', '--explain', '-n', '100'), /--runs does not apply to --explain/);
    refused(await cli('supply', '--validate', '-s', 'hbm-cutoff', '-n', '100'), /--scenario does not apply/);
    refused(await cli('compare', '--seed', ''), /--seed must be an integer/);
    refused(await cli('compare', '--schemes', 'mxfp4,,nvfp4'), /has an empty item/);
    refused(
      await cli('convert', at('good.safetensors'), at('inc'), '--to', 'mxfp4', '--include', ''),
      /--include "" is empty/,
    );
    assert.equal(existsSync(at('inc')), false);
    refused(
      await cli(
        'convert',
        at('good.safetensors'),
        at('inc'),
        '--to',
        'mxfp4',
        '--max-shard-size',
        '5constructor',
      ),
      /--max-shard-size/,
    );
    for (const s of ['', 'Infinity', '1e309'])
      refused(await cli('bench', 'gemv', '--shape', '64x64', '--seconds', s), /--seconds/);
  });
});

test('help for an unknown command is an error; help for a known one still prints', async () => {
  refused(await cli('help', 'nope'), /^chipstack: help: unknown command 'nope'/);
  refused(await cli('help', '__proto__'), /unknown command '__proto__'/);
  const ok = await cli('help', 'perf');
  assert.equal(ok.code, 0);
  assert.match(ok.out, /Usage: chipstack perf/);
  assert.equal((await cli('help')).code, 0);
});
