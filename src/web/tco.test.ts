import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultCatalog } from '../catalog/node.js';
import { chipPower, resolveSystem, simulate } from '../perf/index.js';
import { defaultPerfData } from '../perf/node.js';
import { tco } from './tco.js';

describe('the Compare page TCO (src/web/tco.ts)', () => {
  const data = defaultPerfData();
  const cat = defaultCatalog();

  it('at full use over perf\u2019s lifetime it is perf\u2019s own J/token and $/Mtok', () => {
    for (const system of ['cloudmatrix-384', 'gb200-nvl72', 'hgx-h100-8', 'hgx-h800-8']) {
      const r = simulate(data, cat, {
        model: 'deepseek-v3',
        system,
        phase: 'decode',
        batch: 32,
        seqLen: 4096,
        weights: 'int8',
      });
      const sys = resolveSystem(data, cat, system);
      const e = r.energy;
      assert.ok(e.wallW !== null && sys.chip.powerW !== null && sys.overheadWPerChip !== null);
      const idle =
        (chipPower(data, sys.chip.powerW, { compute: 0, memory: 0, network: 0 }) + sys.overheadWPerChip) *
        e.pue;
      const t = tco(
        {
          tokensPerSecPerChip: r.tokensPerSecPerChip,
          servingWallW: e.wallW,
          idleWallW: idle,
          usdPerChipHour: e.usdPerChipHour,
          rental: sys.rental,
          lifetimeYears0: data.energy.lifetimeYears.value as number,
        },
        {
          electricityUsdPerKWh: e.electricityUsdPerKWh,
          utilisation: 1,
          lifetimeYears: data.energy.lifetimeYears.value as number,
        },
      );
      assert.ok(Math.abs(t.joulesPerToken - e.joulesPerToken!) <= 1e-12 * e.joulesPerToken!, system);
      if (e.usdPerMtok === null) assert.equal(t.usdPerMtok, null);
      else
        assert.ok(
          Math.abs(t.usdPerMtok! - e.usdPerMtok) <= 1e-12 * e.usdPerMtok,
          `${system}: ${t.usdPerMtok} vs ${e.usdPerMtok}`,
        );
    }
  });

  it('utilisation and lifetime by hand', () => {
    // 1,000 tokens/s, 1,000 W serving, 200 W idle, $2/h over 5 years, u = 0.5, 10 years, 0.1 $/kWh
    const t = tco(
      {
        tokensPerSecPerChip: 1000,
        servingWallW: 1000,
        idleWallW: 200,
        usdPerChipHour: 2,
        rental: false,
        lifetimeYears0: 5,
      },
      { electricityUsdPerKWh: 0.1, utilisation: 0.5, lifetimeYears: 10 },
    );
    assert.equal(t.averageWallW, 600); // 0.5 x 1000 + 0.5 x 200
    assert.equal(t.joulesPerToken, 600 / 500);
    assert.equal(t.capitalUsdPerHour, 1); // $2/h over 5 years = $1/h over 10
    assert.ok(Math.abs(t.electricityUsdPerHour - 0.06) < 1e-15);
    assert.ok(Math.abs(t.usdPerMtok! - 1.06 / 1.8) < 1e-12); // 1.8 Mtok per hour at u = 0.5
    // a rental pays for power and is not re-amortised
    const r = tco(
      {
        tokensPerSecPerChip: 1000,
        servingWallW: 1000,
        idleWallW: 200,
        usdPerChipHour: 2,
        rental: true,
        lifetimeYears0: 5,
      },
      { electricityUsdPerKWh: 0.1, utilisation: 1, lifetimeYears: 10 },
    );
    assert.equal(r.capitalUsdPerHour, 2);
    assert.equal(r.electricityUsdPerHour, 0);
    assert.equal(r.usdPerMtok, 2 / 3.6);
  });

  it('refuses utilisation outside (0, 100%], lifetimes and prices out of range', () => {
    const x = {
      tokensPerSecPerChip: 1,
      servingWallW: 1,
      idleWallW: 1,
      usdPerChipHour: 1,
      rental: false,
      lifetimeYears0: 5,
    };
    for (const a of [
      { electricityUsdPerKWh: 0.1, utilisation: 0, lifetimeYears: 5 },
      { electricityUsdPerKWh: 0.1, utilisation: 1.01, lifetimeYears: 5 },
      { electricityUsdPerKWh: 0.1, utilisation: 1, lifetimeYears: 0 },
      { electricityUsdPerKWh: -1, utilisation: 1, lifetimeYears: 5 },
      { electricityUsdPerKWh: Number.NaN, utilisation: 1, lifetimeYears: 5 },
    ])
      assert.throws(() => tco(x, a), RangeError);
  });
});
