/**
 * `convert --to hifloat4`: chipstack's own HiFloat4 layout (README). Every stored byte is checked
 * against quant's `quantize` element by element with an independent reading of the layout (codes two
 * per byte, low nibble first; per 64-value unit the E6M2 byte, bit i of `_hif4_exp8` = the level-2
 * exponent of values 8i..8i+7, bit j of the U16 `_hif4_exp4` = the level-3 exponent of values
 * 4j..4j+3); the way back to BF16 equals `dequantize` on every element (HiFloat4 values have at most
 * 5 significant bits, so BF16 holds them exactly); threads and column-split slabs give the same
 * bytes; damaged parts and unfit schemes are one line and exit code 2. In-process.
 */
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from '../cli/cli.testutil.js';
import { type Checkpoint, openCheckpoint, writeShardedCheckpoint } from '../io/index.js';
import { dequantize, getScheme, type QuantizedTensor, quantize } from '../quant/index.js';
import { convertCheckpoint } from './convert.js';
import { type Fixture, withTemp, writeLlama } from './fixtures.js';
import { inspectCheckpoint } from './inspect.js';
import { transpose } from './source.js';
import { toFloat32 } from './tensor.js';

const UP = 'model.layers.0.mlp.up_proj.weight'; // [200, 192]: 3 whole units per row
const DOWN = 'model.layers.0.mlp.down_proj.weight'; // [192, 200]: 3 units and a ragged one of 8
const EXPERTS = 'experts.gate_up_proj'; // gpt-oss fused experts [2, 192, 64], stored [E, in, out]

function oneLineError(r: { code: number | null; err: string }, pattern: RegExp) {
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, pattern);
  assert.equal(r.err.trim().split('\n').length, 1, r.err);
}

function quantized(fx: Fixture, name: string): { q: QuantizedTensor; rows: number; cols: number } {
  const { spec, data } = fx.tensors.get(name)!;
  const [rows, cols] = spec.shape as [number, number];
  return { q: quantize(toFloat32('BF16', data), [rows, cols], getScheme('hifloat4-g64')), rows, cols };
}

/** Check the four stored tensors of `name` byte by byte; returns how often each exponent bit was 1 and 0. */
async function checkStored(ck: Checkpoint, fx: Fixture, name: string, bits: number[]) {
  const { q, rows, cols } = quantized(fx, name);
  const units = Math.ceil(cols / 64);
  const want = {
    [name]: ['U8', [rows, units * 32]],
    [`${name}_hif4_scale`]: ['U8', [rows, units]],
    [`${name}_hif4_exp8`]: ['U8', [rows, units]],
    [`${name}_hif4_exp4`]: ['U16', [rows, units]],
  };
  for (const [n, [dtype, shape]] of Object.entries(want)) {
    assert.deepEqual([ck.info(n).dtype, ck.info(n).shape], [dtype, shape], n);
  }
  const codes = await ck.read(name);
  const scale = await ck.read(`${name}_hif4_scale`);
  const e8 = await ck.read(`${name}_hif4_exp8`);
  const e4 = await ck.read(`${name}_hif4_exp4`);
  assert.deepEqual(scale, q.scaleCodes, `${name}: E6M2 bytes`);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < units * 64; c++) {
      const byte = codes[r * units * 32 + (c >> 1)]!;
      const code = c & 1 ? byte >> 4 : byte & 15;
      const u = r * units + Math.floor(c / 64);
      const e = c % 64;
      assert.equal(code, c < cols ? q.codes[r * cols + c] : 0, `${name}[${r},${c}]: code`);
      if (c >= cols) continue;
      const micro = q.microExponents![u * 16 + (e >> 2)]!;
      const b8 = (e8[u]! >> (e >> 3)) & 1;
      const b4 = ((e4[2 * u]! | (e4[2 * u + 1]! << 8)) >> (e >> 2)) & 1;
      assert.equal(b8, micro >> 1, `${name}[${r},${c}]: exp8 bit`);
      assert.equal(b4, micro & 1, `${name}[${r},${c}]: exp4 bit`);
      bits[b8]!++;
      bits[2 + b4]!++;
    }
  }
  return q;
}

/** The BF16 way back equals `dequantize` on every element (padding columns 0). */
async function checkWayBack(back: string, fx: Fixture, names: readonly string[]) {
  const b = await openCheckpoint(back);
  try {
    assert.ok(!b.tensorNames().some((n) => n.includes('_hif4_')));
    for (const name of names) {
      const { q, rows, cols } = quantized(fx, name);
      const width = Math.ceil(cols / 64) * 64;
      assert.deepEqual([b.info(name).dtype, b.info(name).shape], ['BF16', [rows, width]]);
      const got = toFloat32('BF16', await b.read(name));
      const d = dequantize(q);
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < width; c++) {
          const want = c < cols ? d[r * cols + c]! : 0;
          if (!Object.is(got[r * width + c], want)) {
            assert.fail(`${name}[${r},${c}]: ${got[r * width + c]} back, dequantize gives ${want}`);
          }
        }
      }
    }
  } finally {
    await b.close();
  }
}

test('hifloat4: tensors, every byte and exponent bit, config, inspect, way back bit for bit', async () => {
  await withTemp(async (dir) => {
    const fx = await writeLlama(join(dir, 'in'), {
      layers: 1,
      hidden: 192,
      intermediate: 200,
      experts: true,
    });
    const out = join(dir, 'h4');
    const r = await convertCheckpoint(fx.dir, out, { to: 'hifloat4', threads: 1, include: [`*${EXPERTS}`] });
    assert.equal(r.tensors.find((t) => t.name === DOWN)?.action, 'quantized');
    const bits = [0, 0, 0, 0];
    const ck = await openCheckpoint(out);
    try {
      await checkStored(ck, fx, UP, bits);
      await checkStored(ck, fx, DOWN, bits);
    } finally {
      await ck.close();
    }
    // the fixture exercises both values of both exponent levels
    assert.ok(
      bits.every((n) => n > 0),
      `exponent bits seen: ${bits}`,
    );
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    assert.deepEqual(
      [config.quantization_config.quant_method, config.quantization_config.group_size],
      ['chipstack_hifloat4', 64],
    );
    const report = await inspectCheckpoint(out);
    assert.equal(report.layout, 'hifloat4');
    assert.equal(report.quantized.hifloat4, 8);
    const back = join(dir, 'bf16');
    await convertCheckpoint(out, back, { to: 'bf16', threads: 1 });
    await checkWayBack(back, fx, [UP, DOWN, 'model.layers.0.self_attn.k_proj.weight']);
    // gpt-oss fused experts [E, in, out], blocked per expert over `in`, come back as [E, in, out]
    const x = toFloat32('BF16', fx.tensors.get(`model.layers.0.mlp.${EXPERTS}`)!.data);
    const xt = new Float32Array(x.length);
    for (let e = 0; e < 2; e++)
      xt.set(transpose(x.subarray(e * 192 * 64, (e + 1) * 192 * 64), 192, 64), e * 192 * 64);
    const d = dequantize(quantize(xt, [2, 64, 192], getScheme('hifloat4-g64'), { axis: -1 }));
    const b = await openCheckpoint(back);
    try {
      const name = `model.layers.0.mlp.${EXPERTS}`;
      assert.deepEqual(b.info(name).shape, [2, 192, 64]);
      const got = toFloat32('BF16', await b.read(name));
      for (let e = 0; e < 2; e++) {
        const want = transpose(d.subarray(e * 64 * 192, (e + 1) * 64 * 192), 64, 192);
        for (let i = 0; i < want.length; i++) {
          if (!Object.is(got[e * 64 * 192 + i], want[i])) assert.fail(`${name}[${e}] element ${i}`);
        }
      }
    } finally {
      await b.close();
    }
  });
});

test('hifloat4: 2 threads and column-split slabs write the same bytes; the CLI alias hif4', async () => {
  await withTemp(async (dir) => {
    const fx = await writeLlama(join(dir, 'in'), { layers: 1, hidden: 192, intermediate: 200 });
    await convertCheckpoint(fx.dir, join(dir, 'a'), { to: 'hifloat4', threads: 1 });
    // slabs of 150 values: rows of 192 or 200 are cut into columns [0, 128) and [128, ...)
    await convertCheckpoint(fx.dir, join(dir, 'b'), { to: 'hifloat4', threads: 2, slabElements: 150 });
    const cliRun = await cli('convert', fx.dir, join(dir, 'c'), '--to', 'hif4', '--json');
    assert.equal(cliRun.code, 0, cliRun.err);
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((n) => openCheckpoint(join(dir, n))));
    try {
      for (const n of a.tensorNames()) {
        const want = await a.read(n);
        assert.deepEqual(await b.read(n), want, n);
        assert.deepEqual(await c.read(n), want, n);
      }
    } finally {
      await Promise.all([a, b, c].map((x) => x!.close()));
    }
  });
});

test('hifloat4: damaged parts and unfit schemes are one line, exit code 2', async () => {
  await withTemp(async (dir) => {
    const fx = await writeLlama(join(dir, 'in'), { layers: 1, hidden: 128, intermediate: 128 });
    oneLineError(
      await cli('convert', fx.dir, join(dir, 'o'), '--to', 'hifloat4', '--scheme', 'triton-mxfp4'),
      /does not fit the hifloat4 layout/,
    );
    oneLineError(
      await cli('convert', fx.dir, join(dir, 'o'), '--to', 'mxfp4', '--scheme', 'hif4'),
      /does not fit the mxfp4 layout/,
    );
    // a HiFloat4 weight whose exp4 tensor is missing, then one whose exp4 has the wrong dtype
    const name = 'w.weight';
    const parts = (exp4: 'U16' | 'U8' | null) => {
      const specs = [
        { name, dtype: 'U8' as const, shape: [2, 32] },
        { name: `${name}_hif4_scale`, dtype: 'U8' as const, shape: [2, 1] },
        { name: `${name}_hif4_exp8`, dtype: 'U8' as const, shape: [2, 1] },
        ...(exp4 ? [{ name: `${name}_hif4_exp4`, dtype: exp4, shape: [2, exp4 === 'U8' ? 2 : 1] }] : []),
      ];
      return specs;
    };
    for (const [exp4, pattern] of [
      [null, /tensor "w\.weight_hif4_exp4" is missing/],
      ['U8', /tensor "w\.weight_hif4_exp4" is U8 \[2, 2\]; .* needs U16 \[2, 1\]/],
    ] as const) {
      const d = join(dir, `bad-${exp4}`);
      const specs = parts(exp4);
      await writeShardedCheckpoint(
        d,
        specs,
        specs.map((s) => ({ name: s.name, data: new Uint8Array(s.shape[0]! * s.shape[1]!) })),
        { maxShardBytes: 1e9, sync: false },
      );
      oneLineError(await cli('convert', d, join(dir, 'o'), '--to', 'bf16'), pattern);
      oneLineError(await cli('inspect', d), pattern);
      await rm(join(dir, 'o'), { recursive: true, force: true });
    }
  });
});
