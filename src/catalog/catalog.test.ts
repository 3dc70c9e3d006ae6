import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CatalogLookupError } from './catalog.js';
import { defaultCatalog, loadCatalog } from './node.js';

/** The chips, systems and models issue 5 asks for, by canonical id. */
const WANTED_CHIPS = [
  'ascend-910b',
  'ascend-910c',
  'ascend-950pr',
  'ascend-950dt',
  'ascend-960',
  'ascend-970',
  'mlu370-x8',
  'mlu590',
  'mlu690',
  'metax-c500',
  'metax-c550',
  'metax-c600',
  'hygon-k100-ai',
  'hygon-bw1000',
  'mtt-s4000',
  'biren-br100',
  'kunlunxin-p800',
  't-head-ppu',
  'a100-sxm',
  'a800-sxm',
  'h100-sxm',
  'h800-sxm',
  'h20',
  'h200-sxm',
  'b200',
  'gb200',
  'b300',
  'mi300x',
  'mi325x',
  'mi355x',
  'tpu-v5p',
  'tpu-v6e',
  'tpu-v7',
];
const WANTED_SYSTEMS = [
  'cloudmatrix-384',
  'gb200-nvl72',
  'hgx-h100-8',
  'hgx-h800-8',
  'hgx-h20-8',
  'atlas-950-superpod',
];
const WANTED_MODELS = [
  'deepseek-v3',
  'llama-3.1-8b',
  'llama-3.1-70b',
  'llama-3.1-405b',
  'qwen3-235b-a22b',
  'gpt-oss-120b',
  'gpt-oss-20b',
];

describe('shipped catalogue', () => {
  const cat = defaultCatalog();

  it('loads and validates', () => {
    assert.ok(cat.accelerators.length >= WANTED_CHIPS.length);
    assert.equal(loadCatalog().accelerators.length, cat.accelerators.length);
  });

  it('covers every chip, system and model of issue 5', () => {
    assert.deepEqual(
      WANTED_CHIPS.filter((id) => !cat.findAccelerator(id)),
      [],
    );
    assert.deepEqual(
      WANTED_SYSTEMS.filter((id) => !cat.findSystem(id)),
      [],
    );
    assert.deepEqual(
      WANTED_MODELS.filter((id) => !cat.findModel(id)),
      [],
    );
  });

  it('has unique ids across all three files', () => {
    const ids = [...cat.accelerators, ...cat.systems, ...cat.models].map((e) => e.id);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('resolves every alias to its own entry', () => {
    for (const a of cat.accelerators)
      for (const x of a.aliases) assert.equal(cat.getAccelerator(x).id, a.id, x);
    for (const s of cat.systems) for (const x of s.aliases) assert.equal(cat.getSystem(x).id, s.id, x);
    for (const m of cat.models) for (const x of m.aliases) assert.equal(cat.getModel(x).id, m.id, x);
  });

  it('normalises user spellings', () => {
    assert.equal(cat.getAccelerator('Ascend 910C').id, 'ascend-910c');
    assert.equal(cat.getAccelerator('  H100_SXM ').id, 'h100-sxm');
    assert.equal(cat.getSystem('CM384').id, 'cloudmatrix-384');
    assert.equal(cat.getModel('DeepSeek-R1').id, 'deepseek-v3');
    assert.equal(cat.resolveId('accelerator', 'ironwood'), 'tpu-v7');
  });

  it('keeps kinds apart', () => {
    assert.equal(cat.findAccelerator('cloudmatrix-384'), undefined);
    assert.equal(cat.resolveId('model', 'h100'), undefined);
  });

  it('throws a lookup error with suggestions for unknown names', () => {
    assert.throws(
      () => cat.getAccelerator('ascend-999'),
      (err: unknown) => {
        assert.ok(err instanceof CatalogLookupError);
        assert.match(err.message, /unknown accelerator "ascend-999"; did you mean .*ascend-910b/);
        return true;
      },
    );
  });

  it('filters accelerators by vendor', () => {
    const huawei = cat.listAccelerators({ vendor: 'Huawei' });
    assert.deepEqual(
      huawei.map((a) => a.id),
      ['ascend-910b', 'ascend-910c', 'ascend-950pr', 'ascend-950dt', 'ascend-960', 'ascend-970'],
    );
    assert.equal(cat.listAccelerators({ vendor: 'moore threads' }).length, 1);
    assert.equal(cat.listAccelerators().length, cat.accelerators.length);
    assert.throws(() => cat.listAccelerators({ vendor: 'intel' }), CatalogLookupError);
  });

  it('lists vendors in file order', () => {
    assert.equal(cat.vendors()[0], 'huawei');
    assert.ok(cat.vendors().includes('google'));
  });

  it('generates display names from vendor and name', () => {
    assert.equal(cat.displayName(cat.getAccelerator('910c')), 'Huawei Ascend 910C');
    assert.equal(cat.displayName(cat.getAccelerator('mi300x')), 'AMD Instinct MI300X');
    assert.equal(cat.displayName(cat.getSystem('nvl72')), 'GB200 NVL72');
  });

  it('returns copies from list functions', () => {
    const list = cat.listSystems();
    list.pop();
    assert.equal(cat.listSystems().length, cat.systems.length);
  });
});
