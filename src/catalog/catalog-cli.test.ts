import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cli } from '../cli/cli.testutil.js';
import { chipsJson, chipsText, modelsText, systemsText } from '../cli/commands/catalog.js';
import { UsageError } from '../cli/util.js';
import { defaultCatalog } from './node.js';
import type { Accelerator, Figure } from './types.js';

const BIN = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
const spawnRun = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
/** `main` in-process (cli.testutil.ts); the exit-status case below runs the real executable. */
const run = async (...args: string[]) => {
  const r = await cli(...args);
  return { status: r.code, stdout: r.out, stderr: r.err };
};
const cat = defaultCatalog();

describe('catalog CLI text', () => {
  it('tables every accelerator with marked estimates and unknowns', () => {
    const text = chipsText(cat);
    assert.equal(text.split('\n').filter((l) => /^[a-z0-9]/.test(l) && !l.startsWith('id ')).length, 33);
    assert.match(text, /^h100-sxm +Nvidia +989 +1979 +1979 +no +80 +3\.35 +900 +700 +no$/m);
    assert.match(text, /^ascend-910c +Huawei +~780 +no +~1504 /m);
    assert.match(text, /~ = analyst estimate or derived/);
  });

  it('filters by vendor and rejects unknown vendors as a usage error', () => {
    const text = chipsText(cat, 'amd');
    assert.deepEqual(text.match(/^mi3\d\dx/gm), ['mi300x', 'mi325x', 'mi355x']);
    assert.throws(
      () => chipsText(cat, 'intel'),
      (err: unknown) => {
        assert.ok(err instanceof UsageError);
        assert.match(err.message, /unknown vendor "intel"; known: huawei, cambricon/);
        return true;
      },
    );
  });

  it('tables systems and models', () => {
    assert.match(systemsText(cat), /^cloudmatrix-384 +384 +ascend-910c +~300 +~49\.2 +~559 /m);
    assert.match(modelsText(cat), /^deepseek-v3 +mla +moe +61 +7168 +128 +128 +8\/256\+1 +671 +37$/m);
  });

  it('emits JSON records with a generated display name and sourced figures', () => {
    const list = JSON.parse(chipsJson(cat, 'huawei')) as (Accelerator & { displayName: string })[];
    assert.equal(list[1]!.displayName, 'Huawei Ascend 910C');
    for (const a of list) for (const f of Object.values(a.figures) as Figure[]) assert.ok(f.source && f.date);
  });
});

describe('chipstack binary', () => {
  it('prints chips, systems and models as JSON', async () => {
    for (const [cmd, n] of [
      ['chips', cat.accelerators.length],
      ['systems', cat.systems.length],
      ['models', cat.models.length],
    ] as const) {
      const r = await run(cmd, '--json');
      assert.equal(r.status, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as unknown[]).length, n, cmd);
    }
  });

  it('has --help on every catalogue command', async () => {
    for (const cmd of ['chips', 'systems', 'models']) {
      const r = await run(cmd, '--help');
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /--json/);
    }
  });

  it('exits 2 with one line for an unknown vendor', () => {
    const r = spawnRun('chips', '--vendor', 'intel');
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^chipstack: unknown vendor "intel"; known: .*\n$/);
  });
});
