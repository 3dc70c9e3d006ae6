import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultCatalog } from '../catalog/node.js';
import { attentionFlopsPerToken, effectiveContext, modelShape } from './shape.js';

const cat = defaultCatalog();
const shape = (id: string) => modelShape(cat.getModel(id));
const near = (a: number, b: number, tol: number) => assert.ok(Math.abs(a / b - 1) < tol, `${a} vs ${b}`);

describe('model shapes', () => {
  it('counts DeepSeek-V3: MLA compressed KV, 37B active parameters', () => {
    const s = shape('deepseek-v3');
    assert.equal(s.kvElemsPerToken, 512 + 64);
    assert.equal(s.moeLayers, 58);
    assert.equal(s.expertParams, 3 * 7168 * 2048);
    near(s.activeParams, 37e9, 0.05);
    // Forward attention at 4K: 61 layers x (2x128x192 + 2x128x128) x 2048 about 10 GFLOP per token.
    near(attentionFlopsPerToken(s, 4096), 10.2e9, 0.02);
  });

  it('counts GQA models and sliding windows', () => {
    const l = shape('llama-3.1-70b');
    assert.equal(l.kvElemsPerToken, 2 * 8 * 128);
    near(l.activeParams, 70e9, 0.03);
    const g = shape('gpt-oss-120b');
    assert.equal(effectiveContext(g, 128), 128);
    assert.equal(effectiveContext(g, 10_000), 0.5 * 10_000 + 0.5 * 128);
    near(shape('qwen3-235b-a22b').activeParams, 22e9, 0.08);
  });
});
