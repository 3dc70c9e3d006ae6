import { describe, it } from 'node:test';
import fc from 'fast-check';
import { paretoFront, type ServePoint } from './search.js';

const pt = (chip: number, user: number): ServePoint => ({
  batch: 1,
  tp: 1,
  ep: 1,
  pp: 1,
  chips: 1,
  tokensPerSecPerChip: chip,
  tokensPerSecPerUser: user,
  tpotMs: 1000 / user,
  ttftMs: 1,
});

describe('Pareto frontier', () => {
  it('keeps exactly the points no other point dominates (brute force oracle)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 50 })), {
          maxLength: 40,
        }),
        (xs) => {
          const pts = xs.map(([a, b]) => pt(a, b));
          const front = paretoFront(pts);
          const dominated = (p: ServePoint) =>
            pts.some(
              (q) =>
                q.tokensPerSecPerChip >= p.tokensPerSecPerChip &&
                q.tokensPerSecPerUser >= p.tokensPerSecPerUser &&
                (q.tokensPerSecPerChip > p.tokensPerSecPerChip ||
                  q.tokensPerSecPerUser > p.tokensPerSecPerUser),
            );
          const want = new Set(
            pts.filter((p) => !dominated(p)).map((p) => `${p.tokensPerSecPerChip},${p.tokensPerSecPerUser}`),
          );
          const got = new Set(front.map((p) => `${p.tokensPerSecPerChip},${p.tokensPerSecPerUser}`));
          return want.size === got.size && [...want].every((k) => got.has(k));
        },
      ),
    );
  });
});
