/**
 * Tensors of rank 3 and more are blocked over their reduction axis: a Conv weight [O, I, kh, kw] as
 * the matrix [O, I·kh·kw], fused experts [E, N, K] per expert over K; slabs hold many rows of that
 * view (not one kh x kw matrix each). Reference: quant's `quantize` on the view, written out here
 * (the reshape is the test's own, not convert's), and the layouts' stored shapes.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openCheckpoint, type TensorSpec, writeShardedCheckpoint } from '../io/index.js';
import { getScheme, nvfp4GlobalScale, packFp4, quantize, tensorAmax } from '../quant/index.js';
import { convertCheckpoint } from './convert.js';
import { values, withTemp } from './fixtures.js';
import { bytesOf, DEFAULT_SCHEMES, type QuantLayout } from './layouts.js';
import { logicalTensors, tiles } from './source.js';
import { toBf16Bytes, toFloat32 } from './tensor.js';

const SPECS: TensorSpec[] = [
  { name: 'conv.weight', dtype: 'BF16', shape: [64, 64, 3, 3] }, // reduction I·kh·kw = 576
  { name: 'conv1d.weight', dtype: 'BF16', shape: [32, 8, 5] }, // 40: a ragged last block
  { name: 'mlp.experts.w1', dtype: 'BF16', shape: [2, 48, 64] }, // per expert over K = 64
];
/** The reference view of each: [matrices, rows, reduction length]. */
const VIEW: Record<string, [number, number, number]> = {
  'conv.weight': [1, 64, 576],
  'conv1d.weight': [1, 32, 40],
  'mlp.experts.w1': [2, 48, 64],
};

async function write(dir: string) {
  const data = SPECS.map((s, i) => ({
    name: s.name,
    data: toBf16Bytes(
      values(
        s.shape.reduce((a, b) => a * b, 1),
        i + 7,
        0.5,
      ),
    ),
  }));
  await writeShardedCheckpoint(dir, SPECS, data, { maxShardBytes: 1e9, sync: false });
  return new Map(data.map((d) => [d.name, toFloat32('BF16', d.data)]));
}

describe('rank 3 and 4 tensors', () => {
  test('a [64, 64, 3, 3] Conv weight is one [64, 576] view and one slab, not 4096', async () => {
    await withTemp(async (tmp) => {
      await write(join(tmp, 'in'));
      const ck = await openCheckpoint(join(tmp, 'in'));
      try {
        const byName = new Map(logicalTensors(ck).map((t) => [t.name, t]));
        for (const [name, [e, rows, k]] of Object.entries(VIEW)) {
          const t = byName.get(name)!;
          assert.deepEqual(t.qshape, e === 1 ? [rows, k] : [e, rows, k], name);
          assert.deepEqual(t.shape, SPECS.find((s) => s.name === name)!.shape, name);
          assert.equal(tiles(t.qshape, 1, 1 << 20).length, e, `${name}: one slab per matrix of the view`);
        }
        // with small slabs, still many rows per slab: 64 rows of 576 in slabs of 4096 values
        assert.equal(tiles(byName.get('conv.weight')!.qshape, 1, 4096).length, 10);
      } finally {
        await ck.close();
      }
    });
  });

  for (const layout of ['mxfp8', 'nvfp4', 'deepseek-fp8', 'mxfp4'] as QuantLayout[]) {
    test(`${layout}: bytes of quantize on the view, stored shapes, and back`, async () => {
      await withTemp(async (tmp) => {
        const x = await write(join(tmp, 'in'));
        const scheme = getScheme(DEFAULT_SCHEMES[layout]);
        const include = SPECS.map((s) => s.name);
        const r = await convertCheckpoint(join(tmp, 'in'), join(tmp, 'q'), {
          to: layout,
          include,
          sync: false,
        });
        assert.deepEqual(
          r.tensors.map((t) => t.action),
          ['quantized', 'quantized', 'quantized'],
        );
        const ck = await openCheckpoint(join(tmp, 'q'));
        try {
          for (const t of r.tensors) {
            const [e, rows, k] = VIEW[t.name]!;
            const bc = scheme.block[1] as number;
            const padded = Math.ceil(k / bc) * bc;
            const codes: Uint8Array[] = [];
            const scales: Uint8Array[] = [];
            for (let m = 0; m < e; m++) {
              const xm = x.get(t.name)!.subarray(m * rows * k, (m + 1) * rows * k);
              // NVFP4: one tensor scale for the whole tensor (all experts), from its amax
              const opts =
                layout === 'nvfp4' ? { globalScale: nvfp4GlobalScale(tensorAmax(x.get(t.name)!)) } : {};
              const q = quantize(xm, [rows, k], scheme, opts);
              if (layout === 'mxfp4' || layout === 'nvfp4') {
                const p = new Uint8Array(rows * padded);
                for (let i = 0; i < rows; i++) p.set(q.codes.subarray(i * k, (i + 1) * k), i * padded);
                codes.push(packFp4(p, 'gpt-oss'));
              } else codes.push(q.codes);
              scales.push(layout === 'deepseek-fp8' ? bytesOf(q.scales) : q.scaleCodes!);
            }
            const [w, s] = t.outputs as [string, string];
            assert.deepEqual(await ck.read(w), new Uint8Array(Buffer.concat(codes)), `${t.name}: codes`);
            assert.deepEqual(await ck.read(s), new Uint8Array(Buffer.concat(scales)), `${t.name}: scales`);
            const spec = SPECS.find((p) => p.name === t.name)!;
            const lead = e === 1 ? [] : [e];
            const wantW =
              layout === 'mxfp4'
                ? [...lead, rows, padded / 32, 16]
                : layout === 'nvfp4'
                  ? [...lead, rows, padded / 2]
                  : spec.shape; // FP8 keeps the tensor's own shape
            assert.deepEqual(ck.info(w).shape, wantW, `${t.name}: weight shape`);
            const wantS =
              layout === 'deepseek-fp8'
                ? [...lead, Math.ceil(rows / 128), Math.ceil(k / 128)]
                : [...lead, rows, Math.ceil(k / bc)];
            assert.deepEqual(ck.info(s).shape, wantS, `${t.name}: scale shape`);
          }
        } finally {
          await ck.close();
        }
        if (layout === 'mxfp8' || layout === 'deepseek-fp8') {
          // FP8 layouts come back in the tensor's own shape
          await convertCheckpoint(join(tmp, 'q'), join(tmp, 'back'), { to: 'bf16', sync: false });
          const bk = await openCheckpoint(join(tmp, 'back'));
          try {
            for (const s of SPECS) assert.deepEqual(bk.info(s.name).shape, s.shape, s.name);
          } finally {
            await bk.close();
          }
        }
      });
    });
  }
});
