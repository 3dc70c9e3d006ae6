import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { defaultCatalog } from '../catalog/node.js';
import { resolveSystem } from './chip.js';
import { candidates, chipsOf, type FitInput, memoryPerChip, smallestFit } from './fit.js';
import { getFormat } from './formats.js';
import { defaultPerfData } from './node.js';
import { modelShape } from './shape.js';

const cat = defaultCatalog();
const data = defaultPerfData();
const input = (over: Partial<FitInput> = {}): FitInput => ({
  phase: 'decode',
  batch: 32,
  seqLen: 4096,
  weights: getFormat('bf16'),
  activations: getFormat('bf16'),
  kv: getFormat('bf16'),
  draftTokens: 0,
  cacheHitRate: 0,
  expertImbalance: 1,
  fp8Fallback: 'bf16',
  ...over,
  attentionWeights: over.attentionWeights ?? over.weights ?? getFormat('bf16'),
});

describe('memory fit', () => {
  it('prices Llama 3.1 70B BF16 weights at about 141 GB on one chip (70.6B x 2 bytes)', () => {
    const sys = resolveSystem(data, cat, 'h100-sxm:8');
    const m = memoryPerChip(data, sys, modelShape(cat.getModel('llama-3.1-70b')), input({ batch: 1 }), {
      tp: 1,
      ep: 1,
      pp: 1,
    });
    assert.ok(Math.abs(m.weightsGB / 141.1 - 1) < 0.03, String(m.weightsGB));
    // KV of one 4K sequence: 80 layers x 8 KV heads x 128 x 2 (K, V) x 2 bytes x 4097 tokens.
    assert.ok(Math.abs(m.kvGB - (80 * 8 * 128 * 2 * 2 * 4097) / 1e9) < 1e-9);
    assert.equal(m.fits, false);
    assert.ok(Math.abs(m.shortfallGB - (m.totalGB - 80)) < 1e-9);
  });

  it('finds the smallest deployment that fits: brute force agrees, and memory falls with every degree', () => {
    const sys = resolveSystem(data, cat, 'hgx-h800-8');
    const shape = modelShape(cat.getModel('deepseek-v3'));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 512 }), fc.constantFrom(1024, 4096, 32768), (batch, seqLen) => {
        const w = input({ batch, seqLen, weights: getFormat('fp8'), activations: getFormat('fp8') });
        const s = smallestFit(data, sys, shape, w);
        const all = candidates(sys, shape, {}, 4096);
        const fitting = all.filter((p) => memoryPerChip(data, sys, shape, w, p).fits);
        if (!s) return fitting.length === 0;
        const fewest = Math.min(...fitting.map(chipsOf));
        return s.memory.fits && s.chips === fewest;
      }),
      { numRuns: 25 },
    );
    const w = input();
    const m = (tp: number, ep: number, pp: number) =>
      memoryPerChip(data, sys, shape, w, { tp, ep, pp }).totalGB;
    assert.ok(m(1, 16, 1) < m(1, 8, 1) && m(2, 16, 1) < m(1, 16, 1) && m(1, 16, 2) < m(1, 16, 1));
  });
});
