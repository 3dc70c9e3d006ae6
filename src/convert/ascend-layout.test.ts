/**
 * `convert --to mxfp8|mxfp4 --layout ascend`: MX scales as CANN's MX matmul takes them on Ascend 950
 * (aclnnQuantMatmulV5 mx mode, npu_quant_matmul: float8_e8m0fnu scales shaped (n, ceil(k/64), 2)):
 * the same scale bytes as ModelOpt's `[out, ceil(in/32)]`, paired; a weight whose row has an odd
 * number of 32-blocks ends each scale row with a 0 pad byte, as CANN pads. In-process, one thread.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { openCheckpoint } from '../io/index.js';
import { dequantize, getScheme, type QuantizedTensor, quantize } from '../quant/index.js';
import { convertCheckpoint } from './convert.js';
import { withTemp, writeLlama } from './fixtures.js';
import { inspectCheckpoint } from './inspect.js';
import { quantTarget } from './layouts.js';
import { toBf16Bytes, toFloat32 } from './tensor.js';

/** Ascend scale pairs: each row's `g` scale bytes, then a 0 pad byte when `g` is odd. */
function paired(codes: Uint8Array, rows: number, g: number): Uint8Array {
  const w = 2 * Math.ceil(g / 2);
  const out = new Uint8Array(rows * w);
  for (let r = 0; r < rows; r++) out.set(codes.subarray(r * g, r * g + g), r * w);
  return out;
}

/** down_proj [out, 200]: 7 blocks of 32 per row, an odd count: scale pairs [out, 4, 2], the last byte 0. */
async function checkOddRows(dir: string, out: string, scaleName: string, q: QuantizedTensor, rows: number) {
  const ck = await openCheckpoint(out);
  try {
    const s = ck.info(scaleName);
    assert.deepEqual([s.dtype, s.shape], ['F8_E8M0', [rows, 4, 2]]);
    assert.deepEqual(await ck.read(scaleName), paired(q.scaleCodes!, rows, 7));
  } finally {
    await ck.close();
  }
  const back = join(dir, `${out}-bf16`);
  await convertCheckpoint(out, back, { to: 'bf16', threads: 1, include: [], exclude: [] });
  const b = await openCheckpoint(back);
  try {
    const name = 'model.layers.0.mlp.down_proj.weight';
    // packed FP4 comes back at its stored (block-padded) width, the padding zeros
    const width = b.info(name).shape[1]!;
    const want = new Float32Array(rows * width);
    const d = dequantize(q);
    for (let r = 0; r < rows; r++) want.set(d.subarray(r * 200, r * 200 + 200), r * width);
    assert.deepEqual(await b.read(name), toBf16Bytes(want));
  } finally {
    await b.close();
  }
}

test('mxfp8 with Ascend scale pairs: shapes, bytes, odd block counts padded, way back', async () => {
  await withTemp(async (dir) => {
    // hidden 192: 6 blocks of 32 per row (3 pairs); intermediate 200: 7 blocks (odd) for down_proj
    const fx = await writeLlama(join(dir, 'in'), { layers: 1, hidden: 192, intermediate: 200 });
    const out = join(dir, 'asc');
    const r = await convertCheckpoint(fx.dir, out, { to: 'mxfp8', scaleLayout: 'ascend', threads: 1 });
    const ck = await openCheckpoint(out);
    try {
      const name = 'model.layers.0.mlp.up_proj.weight';
      const s = ck.info(`${name}_scale`);
      assert.deepEqual([s.dtype, s.shape], ['F8_E8M0', [200, 3, 2]]);
      const x = toFloat32('BF16', fx.tensors.get(name)!.data);
      const q = quantize(x, [200, 192], getScheme('torchao-mxfp8-floor'));
      assert.deepEqual(await ck.read(`${name}_scale`), q.scaleCodes);
      assert.deepEqual(await ck.read(name), q.codes);
    } finally {
      await ck.close();
    }
    const down = 'model.layers.0.mlp.down_proj.weight';
    assert.equal(r.tensors.find((t) => t.name === down)?.action, 'quantized');
    const xd = toFloat32('BF16', fx.tensors.get(down)!.data);
    await checkOddRows(
      dir,
      out,
      `${down}_scale`,
      quantize(xd, [192, 200], getScheme('torchao-mxfp8-floor')),
      192,
    );
    // rows split in column tiles (slabs of 150 values: columns [0, 128) and [128, 200)): same bytes
    const split = join(dir, 'asc-split');
    await convertCheckpoint(fx.dir, split, {
      to: 'mxfp8',
      scaleLayout: 'ascend',
      threads: 1,
      slabElements: 150,
    });
    const [a, c] = [await openCheckpoint(out), await openCheckpoint(split)];
    try {
      for (const n of [down, `${down}_scale`, 'model.layers.0.mlp.up_proj.weight_scale']) {
        assert.deepEqual(await c.read(n), await a.read(n), n);
      }
    } finally {
      await a.close();
      await c.close();
    }
    assert.equal((await inspectCheckpoint(out)).layout, 'mxfp8');
    const back = join(dir, 'bf16');
    await convertCheckpoint(out, back, { to: 'bf16', threads: 1 });
    const b = await openCheckpoint(back);
    try {
      assert.deepEqual(b.info('model.layers.0.mlp.up_proj.weight').shape, [200, 192]);
      assert.ok(!b.tensorNames().some((n) => n.endsWith('_scale')));
    } finally {
      await b.close();
    }
  });
});

test('mxfp4 with Ascend scale pairs: low nibble first, scale bytes paired, odd block counts padded, way back', async () => {
  await withTemp(async (dir) => {
    const fx = await writeLlama(join(dir, 'in'), { layers: 1, hidden: 192, intermediate: 200 });
    const out = join(dir, 'asc4');
    const r = await convertCheckpoint(fx.dir, out, { to: 'mxfp4', scaleLayout: 'ascend', threads: 1 });
    const name = 'model.layers.0.mlp.up_proj.weight';
    const x = toFloat32('BF16', fx.tensors.get(name)!.data);
    const q = quantize(x, [200, 192], getScheme('triton-mxfp4'));
    const ck = await openCheckpoint(out);
    try {
      const base = 'model.layers.0.mlp.up_proj';
      const s = ck.info(`${base}_scales`);
      assert.deepEqual([s.dtype, s.shape], ['F8_E8M0', [200, 3, 2]]);
      assert.deepEqual(await ck.read(`${base}_scales`), q.scaleCodes);
      assert.deepEqual(ck.info(`${base}_blocks`).shape, [200, 6, 16]);
      const packed = await ck.read(`${base}_blocks`);
      // element 2j in the low nibble, 2j+1 in the high one (Ascend 950's FP4 packing, README)
      for (let i = 0; i < q.codes.length; i += 2) {
        assert.equal(packed[i / 2], q.codes[i]! | (q.codes[i + 1]! << 4), `byte ${i / 2}`);
      }
    } finally {
      await ck.close();
    }
    const down = 'model.layers.0.mlp.down_proj.weight';
    assert.equal(r.tensors.find((t) => t.name === down)?.action, 'quantized');
    const xd = toFloat32('BF16', fx.tensors.get(down)!.data);
    await checkOddRows(
      dir,
      out,
      'model.layers.0.mlp.down_proj_scales',
      quantize(xd, [192, 200], getScheme('triton-mxfp4')),
      192,
    );
    assert.equal((await inspectCheckpoint(out)).layout, 'mxfp4');
    const back = join(dir, 'bf16');
    await convertCheckpoint(out, back, { to: 'bf16', threads: 1 });
    const b = await openCheckpoint(back);
    try {
      assert.deepEqual(b.info(name).shape, [200, 192]);
      assert.deepEqual(toFloat32('BF16', await b.read(name)), dequantize(q)); // MXFP4 values are exact in BF16
    } finally {
      await b.close();
    }
  });
});

test('dual-level MXFP4 with --layout ascend: blocks, E8M0 pairs and float32 level-0 scales; read back', async () => {
  await withTemp(async (dir) => {
    // hidden 576: 18 blocks of 32 (9 pairs) and two 512-groups (512 + 64) per row
    const fx = await writeLlama(join(dir, 'in'), { layers: 1, hidden: 576, intermediate: 200 });
    const opts = { to: 'mxfp4', scaleLayout: 'ascend', scheme: 'ascend-dual-mxfp4' } as const;
    const out = join(dir, 'dual');
    const r = await convertCheckpoint(fx.dir, out, { ...opts, threads: 1 });
    const name = 'model.layers.0.mlp.up_proj.weight';
    const base = 'model.layers.0.mlp.up_proj';
    const x = toFloat32('BF16', fx.tensors.get(name)!.data);
    const q = quantize(x, [200, 576], getScheme('ascend-dual-mxfp4'));
    const files = async (path: string) => {
      const ck = await openCheckpoint(path);
      try {
        return {
          blocks: await ck.read(`${base}_blocks`),
          scales: await ck.read(`${base}_scales`),
          level0: await ck.read(`${base}_level0_scales`),
          info: [ck.info(`${base}_scales`), ck.info(`${base}_level0_scales`)].map((t) => [t.dtype, t.shape]),
        };
      } finally {
        await ck.close();
      }
    };
    const got = await files(out);
    assert.deepEqual(got.info, [
      ['F8_E8M0', [200, 9, 2]],
      ['F32', [200, 2]],
    ]);
    assert.deepEqual(got.scales, q.scaleCodes);
    assert.deepEqual(got.level0, new Uint8Array(q.coarseScales!.buffer));
    for (let i = 0; i < q.codes.length; i += 2) {
      assert.equal(got.blocks[i / 2], q.codes[i]! | (q.codes[i + 1]! << 4), `byte ${i / 2}`);
    }
    const down = 'model.layers.0.mlp.down_proj.weight';
    assert.equal(r.tensors.find((t) => t.name === down)?.action, 'quantized');
    const xd = toFloat32('BF16', fx.tensors.get(down)!.data);
    await checkOddRows(
      dir,
      out,
      'model.layers.0.mlp.down_proj_scales',
      quantize(xd, [576, 200], getScheme('dual-mxfp4')),
      576,
    );
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    assert.equal(config.quantization_config.quant_method, 'ascend_dual_level_mxfp4');
    assert.equal((await inspectCheckpoint(out)).layout, 'mxfp4');
    // two threads, and slabs of 300 values: rows split in column tiles, cut at 512, never inside a level-0 group
    for (const [i, more] of [{ threads: 2 }, { threads: 1, slabElements: 300 }].entries()) {
      const other = join(dir, `dual${i}`);
      await convertCheckpoint(fx.dir, other, { ...opts, ...more });
      assert.deepEqual(await files(other), got, JSON.stringify(more));
    }
    // the way back: e2m1 x 2^(code-127) x level-0, then BF16
    const back = join(dir, 'bf16');
    await convertCheckpoint(out, back, { to: 'bf16', threads: 1 });
    const b = await openCheckpoint(back);
    try {
      assert.deepEqual(await b.read(name), toBf16Bytes(dequantize(q)));
    } finally {
      await b.close();
    }
  });
});

test('the Ascend scale layout is for the MX formats only', () => {
  for (const f of ['deepseek-v4', 'nvfp4', 'deepseek-fp8'] as const) {
    assert.throws(() => quantTarget(f, undefined, undefined, 'ascend'), /mxfp8 and mxfp4/);
  }
  assert.equal(quantTarget('mxfp8', undefined, undefined, 'ascend').scaleLayout, 'ascend');
  assert.equal(quantTarget('mxfp4', undefined, undefined, 'ascend').scaleLayout, 'ascend');
});

test('dual-level MXFP4 is refused by every FP4 layout but mxfp4 --layout ascend', () => {
  for (const format of ['mxfp4', 'deepseek-v4'] as const) {
    assert.throws(() => quantTarget(format, 'ascend-dual-mxfp4'), /level-0 scale per 512/);
  }
  assert.throws(
    () => quantTarget('mxfp8', 'dual-mxfp4', undefined, 'ascend'),
    /does not fit the mxfp8 layout/,
  );
  assert.equal(quantTarget('mxfp4', 'dual-mxfp4', undefined, 'ascend').scheme.name, 'ascend-dual-mxfp4');
});
