import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultCatalog } from '../catalog/node.js';
import { validateText } from '../cli/commands/perf.js';
import { chipPower, trainingEstimate } from './energy.js';
import { defaultPerfData } from './node.js';
import { articleScenarios, compareSystems, domesticTraining, measuredDecodeEnergy } from './scenarios.js';
import { simulate } from './simulate.js';
import {
  aggregatedRate,
  calibrateAll,
  fitTwoPointOverhead,
  looLayerOverhead,
  median,
  runValidation,
} from './validate.js';

const cat = defaultCatalog();
const data = defaultPerfData();

describe('validation against published measurements', () => {
  const v = runValidation(data, cat);

  it('predicts every point, with its assumptions', () => {
    assert.equal(v.rows.length, data.validation.length);
    for (const r of v.rows) {
      assert.ok(Number.isFinite(r.predicted) && r.predicted > 0, r.id);
      assert.ok(r.assumptions.length >= 3, r.id);
      assert.ok(Number.isFinite(r.looPredicted) && r.looPredicted > 0, r.id);
      assert.ok(r.source.length > 10, r.id);
      assert.equal(r.note, data.validation.find((p) => p.id === r.id)!.note ?? null);
    }
    // A point the model cannot predict from public figures says so in a note, and stays a validation point.
    const service = v.rows.find((r) => r.id === 'deepseek-h800-prefill-service')!;
    assert.equal(service.role, 'validation');
    assert.match(service.note ?? '', /not a capacity measurement/i);
    assert.match(validateText(v, []), /^note, deepseek-h800-prefill-service: /m);
  });

  it('reports the validation-only, leave-one-out and sign-balance summary honestly', () => {
    const val = v.rows.filter((r) => r.role === 'validation').map((r) => Math.abs(r.errorPct));
    assert.equal(v.validationMedianAbsErrorPct, median(val));
    assert.equal(v.maxValidationAbsErrorPct, Math.max(...val));
    assert.equal(v.looMedianAbsErrorPct, median(v.rows.map((r) => Math.abs(r.looErrorPct))));
    assert.equal(v.counts.validation + v.counts.calibration, v.rows.length);
    assert.equal(
      v.goalMet,
      v.validationMedianAbsErrorPct <= 10 &&
        v.maxValidationAbsErrorPct <= 30 &&
        !v.signBalance.some((s) => s.oneSided),
    );
    // Validation points calibrate nothing, so leaving them out changes nothing.
    for (const r of v.rows.filter((x) => x.role === 'validation')) assert.equal(r.looPredicted, r.predicted);
    // Each calibration point is named by exactly one class (at most two decode points per class,
    // for the overhead's floor and per-token cost, and the training-MFU point); the overhead is
    // fitted exactly on its points.
    const cal = v.rows.filter((r) => r.role === 'calibration');
    const named = data.classes.flatMap((c) =>
      [c.calibrationPoint, c.secondCalibrationPoint, c.trainingMfuPoint].filter(
        (x): x is string => x !== undefined,
      ),
    );
    assert.deepEqual([...cal.map((r) => r.id)].sort(), [...named].sort());
    assert.equal(new Set(named).size, named.length);
    // the report carries each calibrated class's stored overhead and its points
    for (const o of v.overheads) {
      const c = data.classes.find((k) => k.id === o.chipClass)!;
      assert.equal(o.floorUs, c.layerOverheadUs.value);
      assert.equal(o.perTokenUs, c.layerOverheadPerTokenUs?.value ?? 0);
      assert.deepEqual(
        o.points,
        [c.calibrationPoint, c.secondCalibrationPoint].filter((x) => x !== undefined),
      );
    }
    assert.match(
      validateText(v, []),
      /^decode overhead per MoE layer, fitted on the calibration points: .*blackwell 61\.9 us \+ 0\.8981 us per token \(sglang-gb200-decode-p1, trtllm-b200-r1-min-latency\)/m,
    );
    for (const c of data.classes) {
      for (const id of [c.calibrationPoint, c.secondCalibrationPoint]) {
        if (!id) continue;
        const r = v.rows.find((x) => x.id === id)!;
        assert.equal(r.chipClass, c.id);
        assert.ok(Math.abs(r.errorPct) < 0.1, r.id);
      }
    }
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
  });

  it('counts the sign balance by the direction of the model speed, chip-hours inverted', () => {
    // Brute-force oracle: a point is 'over' when the model is faster than measured.
    for (const b of v.signBalance) {
      const xs = v.rows.filter((r) => r.role === 'validation' && r.chipClass === b.chipClass);
      const fast = xs.filter((r) =>
        r.metric === 'chipHours' ? r.predicted < r.measured : r.predicted > r.measured,
      ).length;
      const slow = xs.filter((r) =>
        r.metric === 'chipHours' ? r.predicted > r.measured : r.predicted < r.measured,
      ).length;
      assert.deepEqual([b.over, b.under], [fast, slow], b.chipClass);
      assert.equal(b.oneSided, xs.length >= 2 && (fast === 0 || slow === 0));
    }
    // Llama 3.1 8B on H100: fewer GPU-hours predicted than published (the model is too fast).
    const llama = v.rows.find((r) => r.id === 'llama31-8b-training')!;
    assert.ok(llama.metric === 'chipHours' && llama.errorPct < 0);
  });

  it("reproduces the CloudMatrix paper's micro-batch ablation with the dispatch-only overlap, not with full overlap", () => {
    // arXiv 2506.12708 (ablation): micro-batch pipelining adds 5.8 / 9.4 / 6.9% decode throughput at
    // batch 64 / 96 / 128. Hiding only the dispatch lands within 4 points; hiding all communication does not.
    const s = data.validation.find((p) => p.id === 'cm384-decode')!.setup;
    const paper: [number, number][] = [
      [64, 5.8],
      [96, 9.4],
      [128, 6.9],
    ];
    for (const [batch, gainPct] of paper) {
      const w = {
        ...s,
        phase: 'decode',
        batch,
        seqLen: s.seqLen!,
        ...s.parallel,
        layerOverheadUs: undefined,
      } as const;
      const rate = (o: object) => simulate(data, cat, { ...w, ...o }).tokensPerSecPerChip;
      const none = rate({ overlap: 0 });
      const dispatch = (rate({ overlap: 1, overlapKind: 'dispatch-only' }) / none - 1) * 100;
      const all = (rate({ overlap: 1, overlapKind: 'micro-batch' }) / none - 1) * 100;
      assert.ok(Math.abs(dispatch - gainPct) < 4, `batch ${batch}: ${dispatch}`);
      assert.ok(all - gainPct > 10, `batch ${batch}: ${all}`);
    }
  });

  it('prices aggregated serving as decode plus prefill inside its iterations', () => {
    const p = data.validation.find((q) => q.setup.aggregated !== undefined)!;
    const s = p.setup;
    const base = {
      model: s.model,
      system: s.system,
      weights: s.weights,
      activations: s.activations,
      kv: s.kv,
      tp: s.parallel!.tp!,
      ep: s.parallel!.ep!,
      pp: 1,
    };
    const a = aggregatedRate(data, cat, base, 1000, s.aggregated!);
    // Rank-local plus group time is the whole prefill step (no overlap, no fixed time, one stage).
    const pre = simulate(data, cat, {
      ...base,
      phase: 'prefill',
      batch: 1,
      seqLen: s.aggregated!.inputLen,
      layerOverheadUs: 0,
    });
    assert.ok(Math.abs(a.prefillLocalS + a.prefillGroupS - pre.stepS) < 1e-12 * pre.stepS + 1e-15);
    assert.equal(a.dp, s.parallel!.ep! / s.parallel!.tp!);
    const { inputLen, outputLen } = s.aggregated!;
    const byHand = outputLen / (outputLen / 1000 + a.dp * a.prefillLocalS + a.prefillGroupS);
    assert.ok(Math.abs(a.outputPerSecPerChip - byHand) < 1e-9 * byHand);
    // Never faster than decode alone, and slower than perfectly balanced time-sharing.
    assert.ok(a.outputPerSecPerChip < 1000);
    assert.ok(a.outputPerSecPerChip < outputLen / (outputLen / 1000 + inputLen / pre.tokensPerSecPerChip));
  });

  it('predicts a published training rate as BF16 peak x class MFU / FLOPs per token', () => {
    const row = v.rows.find((r) => r.id === 'mindformers-llama31-8b-finetune-910b')!;
    const p = data.validation.find((q) => q.id === row.id)!;
    assert.equal(p.measured.metric, 'trainingTokensPerSecPerChip');
    // Hand oracle from Llama 3.1 8B's config.json (hidden 4096, 32 layers, 32 heads of 128, 8 KV heads,
    // FFN 14336, vocab 128256): matrix parameters per layer q + k + v + o + gate/up/down, plus the
    // logits matrix (the embedding lookup does no FLOPs); 6 per parameter per token, plus 3 x the causal
    // attention forward at 8,192 tokens (QK and PV: 4 x heads x head_dim FLOPs per key, 4,096 keys on average).
    const perLayer = 4096 * 4096 * 2 + 4096 * 1024 * 2 + 3 * 4096 * 14336;
    const params = 32 * perLayer + 4096 * 128256;
    const flopsPerToken = 6 * params + 3 * 32 * (4 * 32 * 128) * 4096;
    const peak = cat.getAccelerator('ascend-910b').figures.bf16DenseTflops.value! * 1e12;
    const mfu = data.classes.find((c) => c.id === 'ascend-910')!.trainingMfu.value!;
    const oracle = (peak * mfu) / flopsPerToken;
    assert.ok(Math.abs(row.predicted - oracle) / oracle < 1e-9, `${row.predicted} vs ${oracle}`);
    // The rate does not depend on the token count that fills the setup.
    const t2 = trainingEstimate(data, cat, {
      model: 'llama-3.1-8b',
      system: 'atlas-800t-a2',
      tokens: 5e9,
      chips: 8,
      seqLen: 8192,
    });
    assert.ok(Math.abs(5e9 / (t2.chipHours * 3600) - oracle) / oracle < 1e-9);
    assert.equal(Math.sign(row.errorPct), -1); // slower than measured: the class MFU is a large-MoE run's
  });

  it('stores the per-layer overhead each class refits to on its calibration points', () => {
    const fits = calibrateAll(data, cat);
    assert.ok(fits.length >= 3);
    for (const f of fits) {
      const c = data.classes.find((k) => k.id === f.chipClass)!;
      const stored = c.layerOverheadUs.value!;
      const storedPerToken = c.layerOverheadPerTokenUs?.value ?? 0;
      assert.ok(Math.abs(stored - f.floorUs) < 0.1, `${f.chipClass}: stored ${stored}, refit ${f.floorUs}`);
      assert.ok(
        Math.abs(storedPerToken - f.perTokenUs) < 0.001,
        `${f.chipClass}: stored ${storedPerToken} us/token, refit ${f.perTokenUs}`,
      );
      // each calibration point is predicted as measured (to the stored rounding)
      const rows = runValidation(data, cat).rows;
      for (const id of f.points) {
        const r = rows.find((x) => x.id === id)!;
        assert.ok(Math.abs(r.errorPct) < 0.5, `${id}: ${r.errorPct}`);
      }
    }
  });

  it('fits floor and per-token cost on two points: an oracle from three direct simulations', () => {
    // Oracle: the step of a decode point is linear in the overhead; simulate it directly at three
    // overheads, solve the 2 x 2 system by hand, and compare with fitTwoPointOverhead.
    const P = (id: string) => data.validation.find((q) => q.id === id)!;
    const [p, q] = [P('cm384-decode-15ms'), P('cm384-decode')];
    const rate = (pt: typeof p, floorUs: number, perTokenUs: number) => {
      const s = pt.setup;
      return simulate(data, cat, {
        model: s.model,
        system: s.system,
        phase: 'decode',
        batch: s.batch!,
        seqLen: s.seqLen!,
        weights: s.weights,
        activations: s.activations,
        kv: s.kv,
        tp: s.parallel!.tp,
        ep: s.parallel!.ep,
        pp: s.parallel!.pp,
        mtp: s.mtp,
        overlap: s.overlap,
        overlapKind: s.overlapKind,
        expertImbalance: s.expertImbalance,
        layerOverheadUs: floorUs,
        layerOverheadPerTokenUs: perTokenUs,
      }).tokensPerSecPerChip;
    };
    const line = (pt: typeof p) => {
      const s0 = 1 / rate(pt, 0, 0);
      return [
        (1 / rate(pt, 1000, 0) - s0) / 1000,
        (1 / rate(pt, 0, 10) - s0) / 10,
        1 / pt.measured.value - s0,
      ];
    };
    const [[a1, b1, r1], [a2, b2, r2]] = [line(p), line(q)] as [number[], number[]];
    const det = a1! * b2! - a2! * b1!;
    const floor = (r1! * b2! - r2! * b1!) / det;
    const perToken = (a1! * r2! - a2! * r1!) / det;
    const f = fitTwoPointOverhead(data, cat, p, q);
    assert.ok(Math.abs(f.floorUs - floor) < 1e-6 * Math.max(1, floor), `${f.floorUs} vs ${floor}`);
    assert.ok(
      Math.abs(f.perTokenUs - perToken) < 1e-6 * Math.max(1, perToken),
      `${f.perTokenUs} vs ${perToken}`,
    );
    // the fitted pair reproduces both measurements
    assert.ok(Math.abs(rate(p, floor, perToken) / p.measured.value - 1) < 1e-9);
    assert.ok(Math.abs(rate(q, floor, perToken) / q.measured.value - 1) < 1e-9);
    // the per-token term is charged per token the MoE layer handles: batch x (1 + drafts) at batch 96
    // (a cost of 1 us per token equals a floor of 192 us: 96 sequences x 2 tokens, the draft's included)
    const tokens = q.setup.batch! * (1 + q.setup.mtp!.draftTokens);
    assert.equal(tokens, 192);
    assert.ok(Math.abs(rate(q, 0, 1) / rate(q, tokens, 0) - 1) < 1e-12);
    assert.ok(Math.abs(rate(q, 0, 1) / rate(q, tokens + 1, 0) - 1) > 1e-6);
    // two points with the same tokens per step cannot fit two parameters
    assert.throws(() => fitTwoPointOverhead(data, cat, q, q), /same tokens per step/);
  });

  it('refits a two-point class without a calibration point by least squares over its other decode points', () => {
    const c = data.classes.find((k) => k.secondCalibrationPoint)!;
    const loo = looLayerOverhead(data, cat, c.id, c.secondCalibrationPoint!);
    assert.ok(loo.floorUs >= 0 && loo.perTokenUs >= 0);
    // a class with one calibration point keeps the median of single-point floors (no per-token cost)
    const one = data.classes.find((k) => k.calibrationPoint && !k.secondCalibrationPoint);
    if (one) assert.equal(looLayerOverhead(data, cat, one.id, one.calibrationPoint!).perTokenUs, 0);
  });
});

describe('scenarios', () => {
  it('estimates Qwen-class training on each chip or names the missing published figure', () => {
    const t = domesticTraining(data, cat);
    const h800 = t.rows.find((r) => r.system === 'hgx-h800-8')!;
    assert.ok(h800.result && h800.result.days > 0 && h800.missing === null);
    // Same FLOPs on every chip: days scale as 1 / (BF16 peak x MFU).
    const cm = t.rows.find((r) => r.system === 'cloudmatrix-384')!.result!;
    assert.ok(Math.abs(cm.days / h800.result.days - (989 * 0.4) / (780 * 0.3)) < 0.01);
    for (const r of t.rows) assert.ok((r.result === null) === (r.missing !== null), r.label);
    assert.match(
      t.rows.find((r) => r.system.startsWith('kunlunxin'))!.missing!,
      /published figure \w+ is unknown/,
    );
  });

  it('reproduces the article ratios for CloudMatrix 384 vs GB200 NVL72', () => {
    const s = articleScenarios(data, cat);
    const cm = s.find((x) => x.id === 'cm384-vs-nvl72')!;
    for (const c of cm.claims) assert.ok(Math.abs(c.ours / c.article - 1) < 0.05, c.claim);
    const asc = s.find((x) => x.id === 'ascend-950-vs-910c-prefill')!;
    assert.ok(asc.claims[0]!.ours > 1.2);
    assert.match(asc.rows[0]!.path, /dequantised to bf16/);
    assert.match(asc.rows[3]!.path, /hardware/);
  });

  it('prices J/token of published decode throughputs with all-in power per chip', () => {
    const c = compareSystems(data, cat, 'cloudmatrix-384', 'gb200-nvl72');
    const m = measuredDecodeEnergy(data, c);
    const kw = c.rows.find((r) => r.metric === 'all-in power kW')!;
    const chips = c.rows.find((r) => r.metric === 'chips')!;
    const cm = m.find((x) => x.point === 'cm384-decode')!;
    const p = data.validation.find((q) => q.id === 'cm384-decode')!;
    assert.ok(Math.abs(cm.joulesPerToken - (kw.a! * 1000) / chips.a! / p.measured.value) < 1e-12);
    assert.ok(m.some((x) => x.system === 'gb200-nvl72') && m.every((x) => x.joulesPerToken > 0));
    // measurements only: an unconfirmed report (the CloudMatrix batch 128 row, the fastest CM384 figure) is left out
    const b128 = data.validation.find((q) => q.id === 'cm384-decode-b128-1k')!;
    assert.equal(b128.confidence, 'analyst-estimate');
    assert.ok(m.every((x) => data.validation.find((q) => q.id === x.point)!.confidence === 'measured'));
    assert.ok(!m.some((x) => x.point === b128.id));
  });

  it('compares two systems on a named workload', () => {
    const c = compareSystems(data, cat, 'cm384', 'nvl72', 'deepseek-v3-prefill');
    assert.equal(c.rows.find((r) => r.metric === 'chips')!.ratio, 384 / 72);
    assert.ok(c.rows.find((r) => /J\/token/.test(r.metric))!.ratio! > 1);
    assert.throws(() => compareSystems(data, cat, 'cm384', 'nvl72', 'nope'), /unknown workload/);
  });

  it("compares a CHIP:N system built from a chip: N x the chip's figures, all-in power unknown", () => {
    const c = compareSystems(data, cat, 'ascend-910b:8', 'hgx-h100-8', 'llama-3.1-70b-decode');
    const acc = cat.getAccelerator('ascend-910b').figures;
    const row = (m: string) => c.rows.find((r) => r.metric === m)!;
    assert.equal(c.a, 'ascend-910b:8');
    assert.equal(row('chips').a, 8);
    assert.equal(row('BF16 dense PFLOPS').a, (8 * acc.bf16DenseTflops!.value!) / 1000);
    assert.equal(row('HBM capacity TB').a, (8 * acc.hbmCapacityGB!.value!) / 1000);
    assert.equal(row('all-in power kW').a, null);
    assert.equal(row('all-in power kW').notSupported, undefined); // unknown, not unsupported
    assert.equal(row('BF16 PFLOPS per kW').a, null);
    // Ascend 910B publishes no FP8 unit: 'not supported', which is not 'unknown'
    assert.equal(acc.fp8DenseTflops?.notSupported, true);
    assert.deepEqual(row('FP8 dense PFLOPS').notSupported, [true, false]);
    assert.equal(row('FP8 dense PFLOPS').a, null);
    // the simulation is perf's own for that system
    const sim = simulate(data, cat, { ...c.perf.a.workload });
    assert.equal(row('llama-3.1-70b-decode tokens/s per chip').a, sim.tokensPerSecPerChip);
    assert.throws(
      () => compareSystems(data, cat, 'ascend-910b:0x8', 'hgx-h100-8'),
      /chip count must be an integer/,
    );
    assert.throws(() => compareSystems(data, cat, 'nope:8', 'hgx-h100-8'), /unknown accelerator/);
  });
});

describe('energy and training', () => {
  it('keeps chip power between idle and TDP', () => {
    assert.equal(chipPower(data, 1000, { compute: 0, memory: 0, network: 0 }), 200);
    assert.ok(Math.abs(chipPower(data, 1000, { compute: 1, memory: 1, network: 1 }) - 1000) < 1e-9);
  });

  it('estimates DeepSeek-V3 training time, energy and cost', () => {
    const t = trainingEstimate(data, cat, {
      model: 'deepseek-v3',
      system: 'hgx-h800-8',
      tokens: 14.8e12,
      chips: 2048,
    });
    assert.ok(t.chipHours > 2e6 && t.chipHours < 3.5e6);
    assert.ok(t.days > 40 && t.days < 70);
    assert.ok(Math.abs(t.costUsd! - t.chipHours * 2) < 1);
    assert.ok(t.energyMWh! > 1000);
    assert.throws(() =>
      trainingEstimate(data, cat, { model: 'deepseek-v3', system: 'hgx-h800-8', tokens: 0, chips: 1 }),
    );
  });
});
