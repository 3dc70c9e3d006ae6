import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { defaultCatalog } from '../catalog/node.js';
import { perfText } from '../cli/commands/perf.js';
import { resolveSystem } from './chip.js';
import { fitInput, memoryPerChip } from './fit.js';
import { defaultPerfData } from './node.js';
import type { OpCost } from './ops.js';
import { modelShape } from './shape.js';
import { hiddenComm, PerfFitError, PerfInputError, simulate, type Workload } from './simulate.js';

const cat = defaultCatalog();
const data = defaultPerfData();
const base: Workload = {
  model: 'deepseek-v3',
  system: 'cloudmatrix-384',
  phase: 'decode',
  batch: 96,
  seqLen: 4096,
  weights: 'int8',
  ep: 160,
};
const run = (w: Partial<Workload>) => simulate(data, cat, { ...base, ...w });

describe('simulate', () => {
  it('reports throughput, latencies, energy, bottlenecks and assumptions', () => {
    const r = run({});
    assert.ok(r.tokensPerSecPerChip > 500 && r.tokensPerSecPerChip < 10_000);
    assert.equal(r.tokensPerSecPerSystem, r.tokensPerSecPerChip * 384);
    assert.ok(r.tpotS! > 0.005 && r.tpotS! < 0.2);
    assert.ok(r.ttftS > 0);
    assert.ok(r.energy.joulesPerToken! > 0 && r.energy.usdPerMtok! > 0);
    assert.ok(r.memory.fits);
    for (const o of r.ops) assert.ok(['compute', 'memory', 'network'].includes(o.bottleneck));
    assert.equal(r.ops.find((o) => o.name === 'attention core')!.bottleneck, 'compute');
    assert.equal(r.ops.find((o) => o.name === 'MoE combine (all-to-all)')!.bottleneck, 'network');
    assert.ok(r.assumptions.some((a) => /chip power 800/.test(a)));
  });

  it('names the path FP8 takes on a chip without FP8', () => {
    assert.match(run({ weights: 'fp8', activations: 'bf16' }).paths.gemm, /dequantised to bf16/);
    assert.match(run({ weights: 'fp8', fp8Fallback: 'int8' }).paths.gemm, /requantised to int8/);
  });

  it('is faster with fewer weight bytes and slower with longer contexts', () => {
    const bf16 = run({ weights: 'bf16', batch: 8 });
    const int8 = run({ weights: 'int8', batch: 8 });
    assert.ok(int8.tokensPerSecPerChip > bf16.tokensPerSecPerChip);
    fc.assert(
      fc.property(fc.integer({ min: 256, max: 16_384 }), fc.integer({ min: 2, max: 4 }), (seq, k) => {
        assert.ok(run({ seqLen: seq * k }).tpotS! >= run({ seqLen: seq }).tpotS!);
      }),
      { numRuns: 15 },
    );
  });

  it('scales decode throughput per chip with batch until compute binds', () => {
    let prev = 0;
    for (const batch of [1, 4, 16, 64]) {
      const t = run({ batch }).tokensPerSecPerChip;
      assert.ok(t > prev, `batch ${batch}`);
      prev = t;
    }
  });

  it('counts MTP as accepted tokens per step', () => {
    const plain = run({});
    const mtp = run({ mtp: { draftTokens: 1, acceptance: 0.7 } });
    assert.ok(Math.abs(mtp.tpotS! - mtp.stepS / 1.7) < 1e-12);
    assert.ok(mtp.tokensPerSecPerChip > plain.tokensPerSecPerChip);
  });

  it('runs prefill, dense models with TP, pipelines and cache hits', () => {
    const p = run({ phase: 'prefill', batch: 4 });
    assert.equal(p.tpotS, null);
    assert.equal(p.ttftS, p.stepS);
    const hit = run({ phase: 'prefill', batch: 4, cacheHitRate: 0.5 });
    assert.ok(hit.tokensPerSecPerChip > p.tokensPerSecPerChip);
    const llama = simulate(data, cat, {
      model: 'llama-3.1-70b',
      system: 'hgx-h100-8',
      phase: 'decode',
      batch: 32,
      seqLen: 2048,
      weights: 'fp8',
      tp: 8,
    });
    assert.ok(llama.ops.some((o) => o.name === 'TP all-reduce'));
    assert.ok(llama.memory.fits);
    const pp = simulate(data, cat, {
      model: 'llama-3.1-70b',
      system: 'hgx-h100-8',
      phase: 'decode',
      batch: 32,
      seqLen: 2048,
      weights: 'fp8',
      tp: 4,
      pp: 2,
    });
    assert.ok(pp.memory.weightsGB < llama.memory.weightsGB * 1.1);
  });

  it('refuses a setup that does not fit, naming the shortfall and the smallest fit; warns when it spans systems', () => {
    const bad = {
      model: 'deepseek-v3',
      system: 'hgx-h100-8',
      phase: 'decode',
      batch: 8,
      seqLen: 4096,
      weights: 'bf16',
      tp: 1,
      ep: 8,
      pp: 1,
    } as const;
    assert.throws(
      () => simulate(data, cat, bad),
      (e: unknown) => {
        assert.ok(e instanceof PerfFitError);
        assert.match(
          e.message,
          /does not fit at tp 1 ep 8 pp 1: .* short by [\d.]+ GB; smallest that fits: tp \d+ ep \d+ pp \d+/,
        );
        assert.ok(e.memory.shortfallGB > 0 && e.smallest !== null);
        // The suggested deployment really fits and simulates.
        const ok = simulate(data, cat, {
          ...bad,
          tp: e.smallest!.tp,
          ep: e.smallest!.ep,
          pp: e.smallest!.pp,
        });
        assert.ok(ok.memory.fits && ok.tokensPerSecPerChip > 0);
        return true;
      },
    );
    // Auto parallelism picks the same smallest deployment.
    const auto = simulate(data, cat, { ...bad, tp: undefined, ep: undefined, pp: undefined });
    assert.ok(auto.memory.fits);
    assert.deepEqual(auto.parallel.auto, ['tp', 'ep', 'pp']);
    const wide = simulate(data, cat, {
      model: 'deepseek-v3',
      system: 'hgx-h800-8',
      phase: 'decode',
      batch: 64,
      seqLen: 4096,
      weights: 'fp8',
      ep: 64,
    });
    assert.ok(wide.warnings.some((w) => /spans 64 chips/.test(w)));
  });

  it('partly-auto parallelism that cannot fit names the given degrees, the closest searched deployment and the smallest fit', () => {
    // Llama 3.1 405B BF16 on 8 x H100 with ep 1 pp 1 given and TP searched: even TP 8 holds
    // 101.5 GB of weights per chip; the smallest fit needs a second pipeline stage.
    const bad = {
      model: 'llama-3.1-405b',
      system: 'hgx-h100-8',
      phase: 'decode',
      batch: 64,
      seqLen: 4096,
      weights: 'bf16',
      ep: 1,
      pp: 1,
    } as const;
    const shape = modelShape(cat.getModel(bad.model));
    assert.throws(
      () => simulate(data, cat, bad),
      (e: unknown) => {
        assert.ok(e instanceof PerfFitError);
        assert.match(
          e.message,
          /does not fit with ep 1 pp 1 given \(the rest searched up to \d+ chips; closest tp 8 ep 1 pp 1\)/,
        );
        assert.match(e.message, /smallest that fits: tp \d+ ep 1 pp \d+ \(\d+ chips\)/);
        // Oracle: the closest is the least memory per chip over every TP the search may take.
        const sys = resolveSystem(data, cat, bad.system);
        const fi = fitInput({
          ...bad,
          mtp: { draftTokens: 0 },
          activations: 'bf16',
          kv: 'bf16',
          cacheHitRate: 0,
          expertImbalance: 1,
          fp8Fallback: 'bf16',
        });
        const totals = [1, 2, 4, 8].map(
          (tp) => memoryPerChip(data, sys, shape, fi, { tp, ep: 1, pp: 1 }).totalGB,
        );
        assert.ok(Math.abs(e.memory.totalGB - Math.min(...totals)) < 1e-9);
        assert.ok(totals.every((t) => t > e.memory.capacityGB));
        // The named smallest deployment is returned (the dashboard shows it), fits and simulates.
        assert.ok(e.smallest !== null);
        const ok = simulate(data, cat, {
          ...bad,
          tp: e.smallest!.tp,
          ep: e.smallest!.ep,
          pp: e.smallest!.pp,
        });
        assert.ok(ok.memory.fits && ok.parallel.chips === e.smallest!.chips);
        return true;
      },
    );
  });

  it('single-batch overlap hides dispatch under the shared experts and combine under the down projection; dispatch-only hides the dispatch', () => {
    const op = (name: string, timeS: number, collective = false) =>
      ({ name, timeS, collective }) as unknown as OpCost;
    const ops = [
      op('attention core', 10),
      op('shared experts', 1),
      op('routed experts', 9),
      op('MoE dispatch (all-to-all)', 4, true),
      op('MoE combine (all-to-all)', 8, true),
    ];
    // Oracle by hand: min(4, 1) + min(8, 9 / 3) = 4; micro-batch: min(20, 12) = 12.
    assert.equal(hiddenComm(ops, 1, 'single-batch'), 4);
    assert.equal(hiddenComm(ops, 0.5, 'single-batch'), 2);
    assert.equal(hiddenComm(ops, 1, 'micro-batch'), 12);
    // Dispatch only (CloudMatrix-Infer decode): min(20, 4).
    assert.equal(hiddenComm(ops, 1, 'dispatch-only'), 4);
    assert.equal(
      hiddenComm([op('attention core', 3), op('MoE dispatch (all-to-all)', 4, true)], 1, 'dispatch-only'),
      3,
    );
    // Shared experts on a second stream: min(dispatch 4, shared 1) = 1; with shared 6: the dispatch, 4.
    assert.equal(hiddenComm(ops, 1, 'shared-expert'), 1);
    assert.equal(hiddenComm(ops, 0.5, 'shared-expert'), 0.5);
    const bigShared = ops.map((o) => (o.name === 'shared experts' ? op('shared experts', 6) : o));
    assert.equal(hiddenComm(bigShared, 1, 'shared-expert'), 4);
    // On a real decode step the single-batch step lies between no overlap and micro-batch overlap.
    const w: Workload = {
      ...base,
      system: 'gb200-nvl72',
      ep: 48,
      tp: 1,
      pp: 1,
      batch: 256,
      seqLen: 2000,
      weights: 'fp8',
    };
    const none = simulate(data, cat, { ...w, overlap: 0 }).stepS;
    const sbo = simulate(data, cat, { ...w, overlap: 1, overlapKind: 'single-batch' }).stepS;
    const tbo = simulate(data, cat, { ...w, overlap: 1 }).stepS;
    assert.ok(tbo < sbo && sbo < none, `${tbo} ${sbo} ${none}`);
    assert.throws(() => simulate(data, cat, { ...w, overlapKind: 'x' as never }), PerfInputError);
  });

  it('rejects bad inputs and unknown names', () => {
    assert.throws(() => run({ batch: 0 }), PerfInputError);
    assert.throws(() => run({ batch: 2.5 }), /batch must be a positive integer/);
    assert.throws(() => run({ batch: 1e12 }), /batch must be a positive integer up to/);
    assert.throws(() => run({ pp: 100 }), /exceeds the 61 layers/);
    assert.throws(() => run({ system: 'hgx-h800-8', tp: 16, ep: 16 }), /exceeds the 8 chips/);
    assert.throws(() => run({ energy: { pue: 0.9 } }), /PUE must be between 1 and 5/);
    assert.throws(() => run({ tp: 1.5 }), PerfInputError);
    assert.throws(() => run({ overlap: 2 }), PerfInputError);
    assert.throws(() => run({ weights: 'fp7' }), /unknown format/);
    assert.throws(() => run({ model: 'gpt-5' }), /unknown model/);
    assert.throws(() => run({ system: 'dgx-zz' }), /unknown system/);
  });
});

describe('attention-projection weight format', () => {
  const w: Workload = {
    model: 'deepseek-r1',
    system: 'b200:8',
    phase: 'decode',
    batch: 64,
    seqLen: 2048,
    weights: 'nvfp4',
    tp: 1,
    ep: 8,
    pp: 1,
  };
  it('prices only the attention projections at their own format', () => {
    const a = simulate(data, cat, w);
    const b = simulate(data, cat, { ...w, attentionWeights: 'bf16' });
    const op = (r: typeof a, n: string) => r.ops.find((o) => o.name === n)!;
    // The projections' weight bytes grow by 2 / 4.5 bits per element x 8 (activations unchanged).
    const s = modelShape(cat.getModel('deepseek-r1'));
    const proj = (r: typeof a) => op(r, 'attention projections').bytes;
    assert.ok(Math.abs(proj(b) - proj(a) - s.attnParams * (2 - 4.5 / 8)) < 1e-6 * proj(b));
    for (const n of ['routed experts', 'attention core', 'dense FFN'])
      assert.equal(op(b, n).bytes, op(a, n).bytes, n);
    assert.ok(b.memory.weightsGB > a.memory.weightsGB);
    assert.match(b.paths.attentionProjections, /^bf16 weights/);
    assert.equal(a.paths.attentionProjections, a.paths.gemm);
    assert.match(perfText(b), /attention projections: bf16 weights/);
    assert.doesNotMatch(perfText(a), /attention projections:/);
  });
  it('charges the fixed per-layer time in decode only', () => {
    const d = simulate(data, cat, { ...w, layerOverheadUs: 100 });
    const p = simulate(data, cat, { ...w, phase: 'prefill', batch: 1, layerOverheadUs: 100 });
    assert.ok(d.ops.some((o) => o.name === 'fixed per-layer overhead'));
    assert.ok(!p.ops.some((o) => o.name === 'fixed per-layer overhead'));
  });
});
