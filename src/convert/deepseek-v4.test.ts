/**
 * `convert --to deepseek-v4`: DeepSeek-V4's checkpoint as its inference code loads it (expert_dtype
 * "fp4"): routed experts E2M1 packed two per byte (I8, element 2j in the low nibble) with an
 * F8_E8M0 `.scale` per 32, other linear weights E4M3 with an F8_E8M0 `.scale` per 128x128 tile.
 * Bytes are checked against the whole-tensor quantizer, decoded independently of the source
 * reader, and the way back (bf16) and `inspect` detection are checked too. In-process, one thread.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { codec } from '../formats/index.js';
import { openCheckpoint, type TensorSpec, writeShardedCheckpoint } from '../io/index.js';
import { dequantize, getScheme, quantize } from '../quant/index.js';
import { convertCheckpoint } from './convert.js';
import { values, withTemp } from './fixtures.js';
import { inspectCheckpoint } from './inspect.js';
import { toBf16Bytes, toFloat32 } from './tensor.js';

const E2M1 = codec('e2m1');
const E4M3 = codec('e4m3fn');
const e8m0 = (c: number) => (c === 255 ? Number.NaN : 2 ** (c - 127));

const SPECS: TensorSpec[] = [
  { name: 'embed.weight', dtype: 'BF16', shape: [50, 160] },
  { name: 'layers.0.attn_norm.weight', dtype: 'BF16', shape: [160] },
  { name: 'layers.0.attn.wq.weight', dtype: 'BF16', shape: [192, 160] },
  { name: 'layers.0.ffn.gate.weight', dtype: 'BF16', shape: [4, 160] },
  { name: 'layers.0.ffn.experts.0.w1.weight', dtype: 'BF16', shape: [96, 160] },
  { name: 'layers.0.ffn.experts.1.w2.weight', dtype: 'BF16', shape: [160, 100] },
  { name: 'layers.0.ffn.shared_experts.w1.weight', dtype: 'BF16', shape: [96, 160] },
];

test('convert --to deepseek-v4: layout, bytes, config, inspect, and back to bf16', async () => {
  await withTemp(async (dir) => {
    const src = join(dir, 'in');
    const data = new Map<string, Uint8Array>();
    for (const [i, s] of SPECS.entries()) {
      data.set(
        s.name,
        toBf16Bytes(
          values(
            s.shape.reduce((a, b) => a * b, 1),
            i + 3,
            0.05,
          ),
        ),
      );
    }
    await writeShardedCheckpoint(
      src,
      SPECS,
      SPECS.map((s) => ({ name: s.name, data: data.get(s.name)! })),
      { maxShardBytes: 60_000, sync: false },
    );
    await writeFile(
      join(src, 'config.json'),
      JSON.stringify({ model_type: 'deepseek_v4', hidden_size: 160 }),
    );
    const out = join(dir, 'v4');
    const r = await convertCheckpoint(src, out, { to: 'deepseek-v4', threads: 1 });
    assert.equal(r.scheme, 'deepgemm-block-ue8m0+torchao-mxfp4-rceil');

    const ck = await openCheckpoint(out);
    try {
      const names = ck.tensorNames().sort();
      assert.deepEqual(names, [
        'embed.weight',
        'layers.0.attn.wq.scale',
        'layers.0.attn.wq.weight',
        'layers.0.attn_norm.weight',
        'layers.0.ffn.experts.0.w1.scale',
        'layers.0.ffn.experts.0.w1.weight',
        'layers.0.ffn.experts.1.w2.scale',
        'layers.0.ffn.experts.1.w2.weight',
        'layers.0.ffn.gate.weight',
        'layers.0.ffn.shared_experts.w1.scale',
        'layers.0.ffn.shared_experts.w1.weight',
      ]);
      const fp4 = getScheme('torchao-mxfp4-rceil');
      const fp8 = getScheme('deepgemm-block-ue8m0');
      // routed experts: I8 [out, ceil(in/32) * 16], low nibble first; F8_E8M0 [out, ceil(in/32)]
      for (const [name, out_, inDim] of [
        ['layers.0.ffn.experts.0.w1', 96, 160],
        ['layers.0.ffn.experts.1.w2', 160, 100],
      ] as const) {
        const w = ck.info(`${name}.weight`);
        const s = ck.info(`${name}.scale`);
        const blocks = Math.ceil(inDim / 32);
        assert.deepEqual([w.dtype, w.shape], ['I8', [out_, blocks * 16]]);
        assert.deepEqual([s.dtype, s.shape], ['F8_E8M0', [out_, blocks]]);
        const x = toFloat32('BF16', data.get(`${name}.weight`)!);
        const q = quantize(x, [out_, inDim], fp4);
        const packed = await ck.read(`${name}.weight`);
        const scales = await ck.read(`${name}.scale`);
        assert.deepEqual(scales, q.scaleCodes);
        const want = dequantize(q);
        for (let r = 0; r < out_; r++) {
          for (let c = 0; c < blocks * 32; c++) {
            const byte = packed[r * blocks * 16 + (c >> 1)]!;
            const code = c % 2 === 0 ? byte & 15 : byte >> 4;
            if (c >= inDim) {
              assert.equal(code, 0, `${name}: padding code`);
              continue;
            }
            assert.equal(code, q.codes[r * inDim + c], `${name}: code [${r}, ${c}]`);
            const v = Math.fround(E2M1.decode(code) * e8m0(scales[r * blocks + (c >> 5)]!));
            assert.equal(v, want[r * inDim + c], `${name}: value [${r}, ${c}]`);
          }
        }
      }
      // dense weights, shared experts included: F8_E4M3 [out, in], F8_E8M0 [ceil(out/128), ceil(in/128)]
      for (const [name, out_, inDim] of [
        ['layers.0.attn.wq', 192, 160],
        ['layers.0.ffn.shared_experts.w1', 96, 160],
      ] as const) {
        const w = ck.info(`${name}.weight`);
        const s = ck.info(`${name}.scale`);
        assert.deepEqual([w.dtype, w.shape], ['F8_E4M3', [out_, inDim]]);
        assert.deepEqual([s.dtype, s.shape], ['F8_E8M0', [Math.ceil(out_ / 128), Math.ceil(inDim / 128)]]);
        const q = quantize(toFloat32('BF16', data.get(`${name}.weight`)!), [out_, inDim], fp8);
        assert.deepEqual(await ck.read(`${name}.weight`), q.codes);
        const scales = await ck.read(`${name}.scale`);
        assert.deepEqual(scales, q.scaleCodes);
        const cb = Math.ceil(inDim / 128);
        const x = await ck.read(`${name}.weight`);
        for (let i = 0; i < x.length; i += 37) {
          const [r, c] = [Math.floor(i / inDim), i % inDim];
          const v = E4M3.decode(x[i]!) * e8m0(scales[(r >> 7) * cb + (c >> 7)]!);
          assert.equal(v, dequantize(q)[i], `${name}: value ${i}`);
        }
      }
      for (const kept of ['embed.weight', 'layers.0.attn_norm.weight', 'layers.0.ffn.gate.weight']) {
        assert.equal(ck.info(kept).dtype, 'BF16', kept);
        assert.deepEqual(await ck.read(kept), data.get(kept));
      }
    } finally {
      await ck.close();
    }
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    assert.equal(config.expert_dtype, 'fp4');
    assert.deepEqual(config.quantization_config, {
      activation_scheme: 'dynamic',
      fmt: 'e4m3',
      quant_method: 'fp8',
      weight_block_size: [128, 128],
      scale_fmt: 'ue8m0',
    });

    const report = await inspectCheckpoint(out);
    assert.equal(report.layout, 'deepseek-v4');
    assert.equal(report.quantized['deepseek-v4'], 4);

    // the way back: every quantized weight decoded to BF16 under its own name, `.scale` gone
    const back = join(dir, 'bf16');
    await convertCheckpoint(out, back, { to: 'bf16', threads: 1 });
    const b = await openCheckpoint(back);
    try {
      assert.deepEqual(b.tensorNames().sort(), SPECS.map((s) => s.name).sort());
      const ex = 'layers.0.ffn.experts.1.w2.weight';
      assert.deepEqual(b.info(ex).shape, [160, 128]); // the padded width: FP4 rows hold whole blocks
      const q = quantize(toFloat32('BF16', data.get(ex)!), [160, 100], getScheme('torchao-mxfp4-rceil'));
      const d = dequantize(q);
      const got = toFloat32('BF16', await b.read(ex));
      for (let r = 0; r < 160; r++) {
        for (let c = 0; c < 128; c++)
          assert.equal(got[r * 128 + c], c < 100 ? d[r * 100 + c] : 0, `[${r}, ${c}]`);
      }
      assert.deepEqual(b.info('layers.0.attn.wq.weight').shape, [192, 160]);
    } finally {
      await b.close();
    }
    const backConfig = JSON.parse(await readFile(join(back, 'config.json'), 'utf8'));
    assert.equal(backConfig.expert_dtype, undefined);
    assert.equal(backConfig.quantization_config, undefined);
  });
});

test('deepseek-v4 refuses F32 scales and a routed-expert scheme that is not MXFP4', async () => {
  await assert.rejects(
    convertCheckpoint('/nonexistent-chipstack-input', '/tmp/x', { to: 'deepseek-v4', scaleDtype: 'F32' }),
    /no such file/,
  );
  const { quantTarget } = await import('./layouts.js');
  assert.throws(() => quantTarget('deepseek-v4', undefined, 'F32'), /F8_E8M0/);
  assert.throws(() => quantTarget('deepseek-v4', 'nvfp4'), /does not fit the mxfp4 layout/);
  const t = quantTarget('deepseek-v4', 'triton-mxfp4');
  assert.equal(t.experts?.scheme.name, 'triton-mxfp4');
  assert.equal(t.scheme.name, 'deepgemm-block-ue8m0');
});
