import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultCatalog } from '../catalog/node.js';
import { dataFromFiles, labelOf, resolveScenario } from './dataset.js';
import { checkSchema, DEFAULT_SUPPLY_DIR, loadSupplyData, readSupplyFiles } from './load.js';
import { SupplyDataError } from './validate.js';

// biome-ignore lint/suspicious/noExplicitAny: the tests edit raw parsed JSON
type Raw = any;
const files = () => structuredClone(readSupplyFiles()) as Record<string, Raw>;

function throwsNaming(fn: () => unknown, parameter: string, pattern: RegExp) {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof SupplyDataError, String(err));
    assert.equal(err.parameter, parameter);
    assert.match(err.message, pattern);
    return true;
  });
}

test('the shipped data passes the JSON schema and the load-time checks', () => {
  const data = loadSupplyData();
  assert.ok(Object.keys(data.parameters).length > 30);
  assert.ok(data.scenarios.baseline);
});

test('every number in data/supply carries unit, source, date and a known confidence', () => {
  for (const name of readdirSync(DEFAULT_SUPPLY_DIR).filter(
    (f) => f.endsWith('.json') && f !== 'schema.json',
  )) {
    const text = readFileSync(join(DEFAULT_SUPPLY_DIR, name), 'utf8');
    const walk = (v: unknown): void => {
      if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if ('value' in o) {
          // a parameter is a low/value/high triplet; a target (targets.json) is one published value
          const keys = name === 'targets.json' ? [] : ['low', 'high'];
          for (const k of [...keys, 'unit', 'source', 'date', 'confidence'])
            assert.ok(k in o, `${name}: ${k} missing`);
          assert.match(String(o.date), /^\d{4}-\d{2}$/);
        }
        for (const x of Object.values(o)) walk(x);
      }
    };
    walk(JSON.parse(text));
  }
});

test('negative capacity is rejected, naming the parameter and period', () => {
  const f = files();
  f['fab.json'].parameters.smic_advanced_capacity_wpm.by_period['2025'].low = -5;
  throwsNaming(
    () => dataFromFiles(f, defaultCatalog()),
    'smic_advanced_capacity_wpm',
    /smic_advanced_capacity_wpm\[2025\].*negative/,
  );
});

test('a yield (fraction) above 1 is rejected', () => {
  const f = files();
  f['yield.json'].parameters.packaging_yield_fraction.high = 1.2;
  throwsNaming(() => dataFromFiles(f, defaultCatalog()), 'packaging_yield_fraction', /above 1/);
});

test('low > value is rejected', () => {
  const f = files();
  f['die.json'].parameters.edge_exclusion_mm.low = 4;
  throwsNaming(() => dataFromFiles(f, defaultCatalog()), 'edge_exclusion_mm', /low ≤ value ≤ high/);
});

test('a base parameter without a plain-language label is named; labels are unique', () => {
  const f = files();
  delete f['hbm.json'].parameters.cxmt_hbm_stacks_per_quarter.label;
  throwsNaming(() => dataFromFiles(f, defaultCatalog()), 'cxmt_hbm_stacks_per_quarter', /needs a "label"/);
  const data = loadSupplyData();
  assert.equal(labelOf(data, 'cxmt_hbm_stacks_per_quarter'), 'CXMT HBM output (stacks/quarter)');
  const labels = Object.keys(data.parameters).map((n) => labelOf(data, n));
  assert.equal(new Set(labels).size, labels.length, 'one label per input');
});

test('a missing engine parameter is named', () => {
  const f = files();
  delete f['hbm.json'].parameters.hbm_stockpile_stacks;
  throwsNaming(() => dataFromFiles(f, defaultCatalog()), 'hbm_stockpile_stacks', /missing/);
});

test('an unknown scenario is a clear error listing the known ones', () => {
  const data = loadSupplyData();
  throwsNaming(
    () => resolveScenario(data, 'no-such'),
    'scenario',
    /unknown scenario "no-such"; known: baseline, /,
  );
});

test('scenario names are looked up as own properties only', () => {
  const data = loadSupplyData();
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty'])
    throwsNaming(() => resolveScenario(data, name), 'scenario', /unknown scenario/);
});

test('targets.json: a duplicate id, an unknown vendor or a metric a vendor lacks is rejected', () => {
  const f = files();
  f['targets.json'].targets.push({ ...f['targets.json'].targets[0] });
  assert.throws(() => dataFromFiles(f, defaultCatalog()), /duplicate id/);
  const g = files();
  g['targets.json'].targets[0].vendor = 'nope';
  assert.throws(() => dataFromFiles(g, defaultCatalog()), /unknown vendor "nope"/);
  const h = files();
  Object.assign(h['targets.json'].targets[0], { metric: 'valueShare', vendor: 'cambricon', value: 0.1 });
  assert.throws(() => dataFromFiles(h, defaultCatalog()), /not available for vendor "cambricon"/);
  const k = files();
  k['targets.json'].targets[0].scenario = '__proto__';
  assert.throws(() => dataFromFiles(k, defaultCatalog()), /unknown scenario "__proto__"/);
});

test('chip peaks come from the catalogue: a missing chip is named', () => {
  const cat = defaultCatalog();
  const fake = {
    ...cat,
    getAccelerator: (id: string) => {
      if (id === 'mlu590') throw new Error('no');
      return cat.getAccelerator(id);
    },
  };
  assert.throws(() => dataFromFiles(files(), fake), /catalogue has no accelerator "mlu590"/);
});

test('a scenario overriding an unknown parameter is rejected', () => {
  const f = files();
  f['scenarios.json'].scenarios.baseline.overrides = {
    smic_capacity_typo: f['die.json'].parameters.edge_exclusion_mm,
  };
  throwsNaming(() => dataFromFiles(f, defaultCatalog()), 'smic_capacity_typo', /unknown parameter/);
});

test('the schema rejects a parameter without a source', () => {
  const f = files();
  delete f['die.json'].parameters.edge_exclusion_mm.source;
  assert.throws(() => checkSchema(f), /die\.json\/parameters\/edge_exclusion_mm/);
});

test('parameters are the common sourced figure: an assumption needs its basis, unknown fields and confidences are refused', () => {
  const f = files();
  const p = f['die.json'].parameters.edge_exclusion_mm;
  p.confidence = 'assumption';
  delete p.note;
  assert.throws(() => checkSchema(f), /edge_exclusion_mm: must have required property 'note'/);
  p.note = 'basis: the usual 3 mm';
  checkSchema(f);
  p.confidence = 'guess';
  assert.throws(() => checkSchema(f), /edge_exclusion_mm\/confidence/);
  p.confidence = 'derived';
  p.centre = 1;
  assert.throws(() => checkSchema(f), /unevaluated properties/);
});

test('loadSupplyData reads another directory and reports a broken file by name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'supply-'));
  try {
    for (const name of readdirSync(DEFAULT_SUPPLY_DIR)) {
      writeFileSync(join(dir, name), readFileSync(join(DEFAULT_SUPPLY_DIR, name)));
    }
    assert.ok(loadSupplyData(dir).scenarios.baseline);
    writeFileSync(join(dir, 'hbm.json'), '{ not json');
    assert.throws(() => loadSupplyData(dir), /hbm\.json/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
