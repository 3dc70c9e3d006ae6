/**
 * The public surface: the package root bundles for the browser (no Node API reachable from
 * src/index.ts), Node-only parts live under `chipstack/node`, and `chipstack/convert` resolves.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));

test('src/index.ts bundles for the browser with no node: import', async () => {
  const r = await build({
    entryPoints: [`${root}src/index.ts`],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
    metafile: true,
  });
  const inputs = Object.keys(r.metafile.inputs);
  assert.ok(inputs.some((f) => f.endsWith('src/formats/spec.ts')));
  assert.ok(!inputs.some((f) => f.startsWith('node:')), inputs.filter((f) => f.startsWith('node:')).join());
  assert.doesNotMatch(r.outputFiles[0]!.text, /from ["']node:/);
});

test('root, chipstack/node and chipstack/convert export what they say', async () => {
  const rootApi = await import('chipstack');
  assert.equal(typeof rootApi.encode, 'function');
  assert.equal(typeof rootApi.io.parseSafetensorsBuffer, 'function');
  assert.equal('openSafetensors' in rootApi.io, false, 'file functions are Node-only');
  const node = await import('chipstack/node');
  assert.equal(typeof node.convertCheckpoint, 'function');
  assert.equal(typeof node.io.openSafetensors, 'function');
  const convert = await import('chipstack/convert');
  assert.equal(convert.convertCheckpoint, node.convertCheckpoint);
});
