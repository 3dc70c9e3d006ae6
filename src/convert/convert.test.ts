/**
 * Conversion of a generated multi-shard Llama-shaped BF16 checkpoint to each layout and back:
 * the layout exactly as reference loaders expect it, every slab-written tensor identical to the
 * whole-tensor quantizer's output, per-element error within the scheme's bound.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type Checkpoint, openCheckpoint, type TensorSpec, writeShardedCheckpoint } from '../io/index.js';
import { type BlockScheme, getScheme, packFp4, quantize } from '../quant/index.js';
import { convertCheckpoint } from './convert.js';
import { type Fixture, withTemp, writeLlama } from './fixtures.js';
import { bytesOf, type QuantLayout } from './layouts.js';
import { MARKER } from './ledger.js';
import { logicalTensors, transpose } from './source.js';
import { toBf16Bytes, toFloat32 } from './tensor.js';

const fr = Math.fround;

/**
 * Per-element bound: half a step of the element grid relative to |x|, the subnormal step, clipping.
 * (hifloat4 is checked exactly against `dequantize` in hifloat4-layout.test.ts.)
 */
const BOUNDS: Partial<Record<QuantLayout, { rel: number; sub: number; max: number }>> = {
  'deepseek-fp8': { rel: 2 ** -4, sub: 2 ** -10, max: 448 },
  mxfp8: { rel: 2 ** -4, sub: 2 ** -10, max: 448 },
  mxfp4: { rel: 2 ** -2, sub: 0.25, max: 6 },
  nvfp4: { rel: 2 ** -2, sub: 0.25, max: 6 },
};

/** Quantization-orientation float32 values of a fixture tensor. */
function qvalues(fx: Fixture, name: string): { x: Float32Array; qshape: number[] } {
  const { spec, data } = fx.tensors.get(name)!;
  const x = toFloat32('BF16', data);
  if (name.endsWith('experts.gate_up_proj')) {
    const [e, i, o] = spec.shape as [number, number, number];
    const out = new Float32Array(x.length);
    for (let k = 0; k < e; k++) out.set(transpose(x.subarray(k * i * o, (k + 1) * i * o), i, o), k * i * o);
    return { x: out, qshape: [e, o, i] };
  }
  return { x, qshape: [...spec.shape] };
}

/** Rows of `cols` codes widened to `padded` with zeros. */
function padRows(codes: Uint8Array, cols: number, padded: number): Uint8Array {
  if (cols === padded) return codes;
  const rows = codes.length / cols;
  const out = new Uint8Array(rows * padded);
  for (let r = 0; r < rows; r++) out.set(codes.subarray(r * cols, (r + 1) * cols), r * padded);
  return out;
}

async function readAll(ck: Checkpoint, name: string) {
  return ck.read(name);
}

/** Check one quantized weight: bytes as the whole-tensor quantizer gives, decoded values within the bound. */
async function checkWeight(
  ck: Checkpoint,
  fx: Fixture,
  layout: QuantLayout,
  scheme: BlockScheme,
  name: string,
  outs: readonly string[],
) {
  const { x, qshape } = qvalues(fx, name);
  const q = quantize(x, qshape, scheme, { axis: -1 });
  const got = await Promise.all(outs.map((o) => readAll(ck, o)));
  const fp4 = layout === 'mxfp4' || layout === 'nvfp4';
  const cols = qshape[qshape.length - 1]!;
  const rows = qshape[qshape.length - 2]!;
  const [br, bc] = scheme.block as [number, number];
  // packed FP4 rows hold whole blocks: a ragged last block padded with zero codes (written out here)
  const padded = Math.ceil(cols / bc) * bc;
  const weight = fp4 ? packFp4(padRows(q.codes, cols, padded), 'gpt-oss') : q.codes;
  assert.deepEqual(got[0], weight, `${name}: weight bytes`);
  const scaleInfo = ck.info(outs[1]!);
  const scales = scaleInfo.dtype === 'F32' ? bytesOf(q.scales) : q.scaleCodes!;
  assert.deepEqual(got[1], scales, `${name}: scale bytes`);
  if (layout === 'nvfp4') assert.equal(toFloat32('F32', got[2]!)[0], fr(1 / q.globalScale));
  // decoded as a loader does, against the original
  const t = logicalTensors(ck).find((l) => l.name === name)!;
  assert.deepEqual(t.qshape, fp4 ? [...qshape.slice(0, -1), padded] : qshape);
  const stride = fp4 ? padded : cols;
  const batch = x.length / (rows * cols);
  const rb = Math.ceil(rows / br);
  const cb = Math.ceil(cols / bc);
  const b = BOUNDS[layout]!;
  for (let m = 0; m < batch; m++) {
    const y = await t.readRows(m, 0, rows);
    for (let r = 0; r < rows; r++) {
      for (let c = cols; c < stride; c++) assert.equal(y[r * stride + c], 0, `${name}: padding decodes to 0`);
      for (let c = 0; c < cols; c++) {
        const xi = x[(m * rows + r) * cols + c]!;
        const s = q.scales[(m * rb + Math.floor(r / br)) * cb + Math.floor(c / bc)]!;
        // float32 rounding of 1/s, of x/s and of the decoded product: a relative 2^-8 of slack
        const bound =
          (Math.max(Math.abs(xi) * b.rel, s * b.sub) + Math.max(0, Math.abs(xi) - b.max * s)) *
            (1 + 2 ** -8) +
          1e-30;
        const err = Math.abs(y[r * stride + c]! - xi);
        if (!(err <= bound))
          assert.fail(`${name}[${m},${r},${c}]: |${y[r * stride + c]} - ${xi}| > ${bound}`);
      }
    }
  }
}

const CASES: { layout: QuantLayout; scheme: string; scaleDtype?: 'F32' | 'F8_E8M0' }[] = [
  { layout: 'deepseek-fp8', scheme: 'deepgemm-block-ue8m0' },
  { layout: 'deepseek-fp8', scheme: 'deepgemm-block-fp32' },
  { layout: 'deepseek-fp8', scheme: 'deepgemm-block-ue8m0', scaleDtype: 'F8_E8M0' },
  { layout: 'mxfp8', scheme: 'torchao-mxfp8-floor' },
  { layout: 'mxfp4', scheme: 'triton-mxfp4' },
  { layout: 'nvfp4', scheme: 'nvfp4' },
];

describe('convert a Llama-shaped BF16 checkpoint', () => {
  for (const c of CASES) {
    test(`to ${c.layout} (${c.scheme}${c.scaleDtype ? `, ${c.scaleDtype} scales` : ''}) and back to bf16`, async () => {
      await withTemp(async (tmp) => {
        const fx = await writeLlama(join(tmp, 'in'), { experts: c.layout === 'mxfp4' });
        const r = await convertCheckpoint(fx.dir, join(tmp, 'q'), {
          to: c.layout,
          scheme: c.scheme,
          scaleDtype: c.scaleDtype,
          maxShardBytes: 100_000,
          sync: false,
        });
        assert.ok(r.shards > 1, 'several output shards');
        const scheme = getScheme(c.scheme);
        const ck = await openCheckpoint(join(tmp, 'q'));
        try {
          const quantized = r.tensors.filter((t) => t.action === 'quantized');
          const names = quantized.map((t) => t.name).sort();
          const expected = [...fx.tensors.keys()]
            .filter((n) => /(proj\.weight|experts\.gate_up_proj)$/.test(n))
            .filter((n) => c.layout === 'mxfp4' || !n.includes('experts'))
            // down_proj (in = 200, not a multiple of 32 or 16) too: its last block is ragged
            .sort();
          assert.deepEqual(names, expected);
          for (const t of quantized) await checkWeight(ck, fx, c.layout, scheme, t.name, t.outputs);
          // names, dtypes and shapes exactly as the reference loaders expect
          const w = 'model.layers.0.self_attn.q_proj';
          const info = (n: string) => {
            const i = ck.info(n);
            return [i.dtype, i.shape];
          };
          if (c.layout === 'deepseek-fp8') {
            assert.deepEqual(info(`${w}.weight`), ['F8_E4M3', [160, 160]]);
            assert.deepEqual(info(`${w}.weight_scale_inv`), [c.scaleDtype ?? 'F32', [2, 2]]);
            assert.deepEqual(info('model.layers.0.mlp.down_proj.weight_scale_inv'), [
              c.scaleDtype ?? 'F32',
              [2, 2],
            ]);
            if (scheme.scaleStorage === 'e8m0' && (c.scaleDtype ?? 'F32') === 'F32') {
              const s = new Uint32Array((await ck.read(`${w}.weight_scale_inv`)).buffer);
              for (const bits of s) assert.equal(bits & 0x7fffff, 0, 'ue8m0 scales are powers of two');
            }
          } else if (c.layout === 'mxfp4') {
            assert.deepEqual(info(`${w}_blocks`), ['U8', [160, 5, 16]]);
            assert.deepEqual(info(`${w}_scales`), ['U8', [160, 5]]);
            assert.deepEqual(info('model.layers.0.mlp.experts.gate_up_proj_blocks'), ['U8', [2, 64, 5, 16]]);
            assert.deepEqual(info('model.layers.0.mlp.experts.gate_up_proj_scales'), ['U8', [2, 64, 5]]);
            // in = 200: 7 blocks of 32, the last padded with zero codes (as triton's downcast_to_mxfp)
            assert.deepEqual(info('model.layers.0.mlp.down_proj_blocks'), ['U8', [160, 7, 16]]);
            assert.deepEqual(info('model.layers.0.mlp.down_proj_scales'), ['U8', [160, 7]]);
          } else if (c.layout === 'mxfp8') {
            assert.deepEqual(info(`${w}.weight`), ['F8_E4M3', [160, 160]]);
            assert.deepEqual(info(`${w}.weight_scale`), ['U8', [160, 5]]);
            // in = 200: FP8 codes as they are, ceil(200 / 32) = 7 scales per row
            assert.deepEqual(info('model.layers.0.mlp.down_proj.weight'), ['F8_E4M3', [160, 200]]);
            assert.deepEqual(info('model.layers.0.mlp.down_proj.weight_scale'), ['U8', [160, 7]]);
          } else {
            assert.deepEqual(info(`${w}.weight`), ['U8', [160, 80]]);
            assert.deepEqual(info(`${w}.weight_scale`), ['F8_E4M3', [160, 10]]);
            assert.deepEqual(info(`${w}.weight_scale_2`), ['F32', []]);
            // in = 200: padded to 13 blocks of 16 before packing (ModelOpt NVFP4QTensor.quantize)
            assert.deepEqual(info('model.layers.0.mlp.down_proj.weight'), ['U8', [160, 104]]);
            assert.deepEqual(info('model.layers.0.mlp.down_proj.weight_scale'), ['F8_E4M3', [160, 13]]);
          }
          // tensors not quantized are copied byte for byte
          for (const n of [
            'model.embed_tokens.weight',
            'lm_head.weight',
            'model.norm.weight',
            'model.position_ids',
          ]) {
            assert.deepEqual(await ck.read(n), fx.tensors.get(n)!.data, n);
          }
        } finally {
          await ck.close();
        }
        const config = JSON.parse(await readFile(join(tmp, 'q', 'config.json'), 'utf8'));
        const files = await readdir(join(tmp, 'q'));
        assert.ok(files.includes('tokenizer.json') && files.includes('tokenizer_config.json'));
        assert.ok(
          !files.includes('notes.txt') && !files.some((f) => f.startsWith('.') && f !== MARKER),
          'no temporary file left; the marker lists what was written',
        );
        const qc = config.quantization_config;
        if (c.layout === 'deepseek-fp8') {
          const base = {
            activation_scheme: 'dynamic',
            fmt: 'e4m3',
            quant_method: 'fp8',
            weight_block_size: [128, 128],
          };
          assert.deepEqual(qc, scheme.scaleStorage === 'e8m0' ? { ...base, scale_fmt: 'ue8m0' } : base);
        } else if (c.layout === 'mxfp4') {
          assert.equal(qc.quant_method, 'mxfp4');
          for (const m of ['model.embed_tokens', 'lm_head']) {
            assert.ok(qc.modules_to_not_convert.includes(m), m);
          }
          assert.ok(!qc.modules_to_not_convert.includes('model.layers.0.mlp.down_proj'));
        } else {
          assert.equal(qc.quant_algo, c.layout === 'mxfp8' ? 'MXFP8' : 'NVFP4');
          assert.ok(files.includes('hf_quant_config.json'));
        }

        // and back: same names, dtypes and shapes as the input; weights are BF16 of the decoded values
        const back = await convertCheckpoint(join(tmp, 'q'), join(tmp, 'back'), { to: 'bf16', sync: false });
        assert.equal(
          back.tensors.filter((t) => t.action === 'dequantized').length,
          r.tensors.filter((t) => t.action === 'quantized').length,
        );
        const q = await openCheckpoint(join(tmp, 'q'));
        const bk = await openCheckpoint(join(tmp, 'back'));
        try {
          assert.deepEqual(bk.tensorNames().sort(), [...fx.tensors.keys()].sort());
          const decoded = new Map(logicalTensors(q).map((t) => [t.name, t]));
          for (const [n, { spec, data }] of fx.tensors) {
            const i = bk.info(n);
            const t = decoded.get(n)!;
            // packed FP4 stores whole blocks: a ragged in-dimension comes back padded (with zeros)
            const fp4 = t.layout === 'mxfp4' || t.layout === 'nvfp4';
            const bc = t.layout === 'nvfp4' ? 16 : 32;
            const want = fp4
              ? t.transposed
                ? spec.shape.map((d, k) => (k === 1 ? Math.ceil(d / bc) * bc : d))
                : [...spec.shape.slice(0, -1), Math.ceil(spec.shape.at(-1)! / bc) * bc]
              : spec.shape;
            assert.deepEqual([i.dtype, i.shape], [spec.dtype, want], n);
            if (t.layout === 'plain') {
              assert.deepEqual(await bk.read(n), data, n);
              continue;
            }
            const { batch, rows, cols } = {
              batch: t.qshape.length === 3 ? t.qshape[0]! : 1,
              rows: t.qshape.at(-2)!,
              cols: t.qshape.at(-1)!,
            };
            const parts: Uint8Array[] = [];
            for (let m = 0; m < batch; m++) {
              const y = await t.readRows(m, 0, rows);
              parts.push(toBf16Bytes(t.transposed ? transpose(y, rows, cols) : y));
            }
            assert.deepEqual(
              await bk.read(n),
              Buffer.concat(parts).length ? new Uint8Array(Buffer.concat(parts)) : parts[0],
              n,
            );
          }
        } finally {
          await q.close();
          await bk.close();
        }
        const backConfig = JSON.parse(await readFile(join(tmp, 'back', 'config.json'), 'utf8'));
        assert.equal(backConfig.quantization_config, undefined);
      });
    });
  }

  test('--include and --exclude change the selection; a non-float tensor cannot be quantized', async () => {
    await withTemp(async (tmp) => {
      const fx = await writeLlama(join(tmp, 'in'), { layers: 1 });
      const r = await convertCheckpoint(fx.dir, join(tmp, 'a'), {
        to: 'deepseek-fp8',
        include: ['lm_head.weight'],
        exclude: ['*.mlp.*', '*k_proj*'],
        sync: false,
      });
      const quantized = r.tensors
        .filter((t) => t.action === 'quantized')
        .map((t) => t.name)
        .sort();
      assert.deepEqual(quantized, [
        'lm_head.weight',
        'model.layers.0.self_attn.o_proj.weight',
        'model.layers.0.self_attn.q_proj.weight',
        'model.layers.0.self_attn.v_proj.weight',
      ]);
      await assert.rejects(
        convertCheckpoint(fx.dir, join(tmp, 'b'), {
          to: 'mxfp4',
          include: ['model.position_ids'],
          sync: false,
        }),
        /tensor "model.position_ids": dtype I64 is not a float type/,
      );
    });
  });
});

describe('exclude_modules', () => {
  test('lists the module of every unquantized float matrix, whatever its name ends with', async () => {
    await withTemp(async (tmp) => {
      const specs: TensorSpec[] = [
        { name: 'enc.proj.kernel', dtype: 'BF16', shape: [64, 64] }, // not `.weight`: not selected
        { name: 'dec.proj.weight', dtype: 'BF16', shape: [64, 64] }, // quantized
        { name: 'dec.proj.bias', dtype: 'BF16', shape: [64] }, // a vector of a quantized module
        { name: 'head', dtype: 'F32', shape: [32, 64] }, // no module path: the name itself
        { name: 'dec.norm.weight', dtype: 'BF16', shape: [64] }, // a vector: not listed
        { name: 'dec.ids', dtype: 'I64', shape: [1, 4] }, // not a float: not listed
      ];
      const data = specs.map((s) => {
        const n = s.shape.reduce((a, b) => a * b, 1);
        const bytes = s.dtype === 'BF16' ? 2 : s.dtype === 'F32' ? 4 : 8;
        return { name: s.name, data: new Uint8Array(n * bytes).fill(0x3c) };
      });
      await writeShardedCheckpoint(join(tmp, 'in'), specs, data, { maxShardBytes: 1e9, sync: false });
      const { writeFile } = await import('node:fs/promises');
      await writeFile(join(tmp, 'in', 'config.json'), '{"model_type": "test"}\n');
      for (const to of ['mxfp8', 'nvfp4', 'mxfp4'] as const) {
        const r = await convertCheckpoint(join(tmp, 'in'), join(tmp, to), { to, sync: false });
        assert.deepEqual(
          r.tensors.filter((t) => t.action === 'quantized').map((t) => t.name),
          ['dec.proj.weight'],
        );
        const qc = JSON.parse(await readFile(join(tmp, to, 'config.json'), 'utf8')).quantization_config;
        const want = ['enc.proj', 'head'];
        if (to === 'mxfp4') assert.deepEqual([...qc.modules_to_not_convert].sort(), want);
        else {
          assert.deepEqual([...qc.exclude_modules].sort(), want);
          const hf = JSON.parse(await readFile(join(tmp, to, 'hf_quant_config.json'), 'utf8'));
          assert.deepEqual([...hf.quantization.exclude_modules].sort(), want);
        }
      }
    });
  });
});
