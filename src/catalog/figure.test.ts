import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { figureValue, formatFigure, isKnown } from './figure.js';
import { normalizeId } from './ids.js';
import type { Figure } from './types.js';

const base = { source: 'test', date: '2025-01', confidence: 'vendor' } as const;
const point: Figure = { ...base, value: 989 };
const ranged: Figure = { ...base, value: 780, low: 752, high: 780, confidence: 'analyst-estimate' };
const rangeOnly: Figure = { ...base, value: null, low: 128, high: 280, confidence: 'analyst-estimate' };
const unknown: Figure = { ...base, value: null, confidence: 'unknown' };
const unsupported: Figure = { ...base, value: null, notSupported: true };

describe('figureValue', () => {
  it('picks value, best, low and high', () => {
    assert.equal(figureValue(point), 989);
    assert.equal(figureValue(point, 'low'), 989);
    assert.equal(figureValue(ranged, 'low'), 752);
    assert.equal(figureValue(ranged, 'high'), 780);
    assert.equal(figureValue(ranged, 'best'), 780);
    assert.equal(figureValue(rangeOnly), null);
    assert.equal(figureValue(rangeOnly, 'best'), 204);
    assert.equal(figureValue(unknown, 'best'), null);
    assert.equal(figureValue(unsupported, 'best'), null);
    assert.equal(figureValue(undefined), null);
  });

  it('tells known from unknown', () => {
    assert.ok(isKnown(point) && isKnown(rangeOnly));
    assert.ok(!isKnown(unknown) && !isKnown(unsupported) && !isKnown(undefined));
  });
});

describe('formatFigure', () => {
  it('marks estimates, ranges, unknowns and unsupported', () => {
    assert.equal(formatFigure(point), '989');
    assert.equal(formatFigure(ranged), '~780');
    assert.equal(formatFigure(rangeOnly), '~128-280');
    assert.equal(formatFigure(unknown), '?');
    assert.equal(formatFigure(unsupported), 'no');
    assert.equal(formatFigure({ ...base, value: 2.0392 }, 3), '2.04');
  });
});

describe('normalizeId', () => {
  it('lowercases and hyphenates', () => {
    assert.equal(normalizeId('Ascend 910C'), 'ascend-910c');
    assert.equal(normalizeId(' GB200_NVL72 '), 'gb200-nvl72');
    assert.equal(normalizeId('Llama 3.1 / 8B'), 'llama-3.1-8b');
  });
});
