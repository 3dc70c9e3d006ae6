/**
 * The dashboard build checks the data it bundles (scripts/build-web.mjs): the browser runs no
 * schema validation, so a data file that does not match its schema must stop the build, naming
 * the file. Run on a copy of src/ and data/ with one file broken (node_modules linked).
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from './build.js';

const SCRIPT = join(PACKAGE_ROOT, 'scripts', 'build-web.mjs');
type BuildWeb = (o: { root: string; quiet?: boolean }) => Promise<void>;

describe('the dashboard build checks the bundled data', {
  skip: !existsSync(SCRIPT) && 'no scripts/build-web.mjs (installed package)',
}, () => {
  let root = '';
  let buildWeb: BuildWeb;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'chipstack-build-'));
    cpSync(join(PACKAGE_ROOT, 'src'), join(root, 'src'), { recursive: true });
    cpSync(join(PACKAGE_ROOT, 'data'), join(root, 'data'), { recursive: true });
    symlinkSync(join(PACKAGE_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
    writeFileSync(join(root, 'package.json'), readFileSync(join(PACKAGE_ROOT, 'package.json')));
    ({ buildWeb } = (await import(pathToFileURL(SCRIPT).href)) as { buildWeb: BuildWeb });
  });
  after(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** Break one JSON file of the copy (and restore it after the build is tried). */
  async function buildWith(file: string, edit: (doc: Record<string, unknown>) => void): Promise<unknown> {
    const path = join(root, 'data', file);
    const text = readFileSync(path, 'utf8');
    const doc = JSON.parse(text) as Record<string, unknown>;
    edit(doc);
    writeFileSync(path, JSON.stringify(doc));
    try {
      await buildWeb({ root, quiet: true });
      return null;
    } catch (err) {
      return err;
    } finally {
      writeFileSync(path, text);
    }
  }

  it('fails on a perf data file that does not match its schema, naming it', async () => {
    const err = await buildWith('perf/energy.json', (d) => {
      (d.pue as Record<string, unknown>).value = 'high';
    });
    assert.ok(err instanceof Error, 'the build must fail');
    assert.match(err.message, /energy\.json/);
    assert.equal(existsSync(join(root, 'dist', 'web', 'perf-worker.js')), false, 'nothing bundled');
  });

  it('fails on a catalogue file that does not match its schema, naming it', async () => {
    const err = await buildWith('accelerators.json', (d) => {
      const first = (d.accelerators as Record<string, unknown>[])[0]!;
      (first.figures as Record<string, unknown>).tdpW = { value: 'lots' };
    });
    assert.ok(err instanceof Error, 'the build must fail');
    assert.match(err.message, /accelerators\.json/);
  });
});
