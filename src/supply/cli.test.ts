import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from '../cli/main.js';

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const ow = process.stdout.write.bind(process.stdout);
  const ew = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => out.push(String(s)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => err.push(String(s)) > 0) as typeof process.stderr.write;
  try {
    const code = await main(argv);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
  }
}

test('chipstack supply prints a quarterly table with the binding constraint', async () => {
  const r = await capture(['supply', '--runs', '300']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /2026Q4\s+(hbm|packaging|logic) \d+%/);
  assert.match(r.out, /2025 total/);
});

test('chipstack supply --json and --sensitivity --json parse', async () => {
  const j = JSON.parse((await capture(['supply', '--runs', '200', '--json'])).out);
  assert.equal(j.quarters.length, 16);
  const t = JSON.parse((await capture(['supply', '--sensitivity', '--runs', '500', '--json'])).out);
  assert.equal(t.quarter, '2026Q4');
  assert.ok(t.rows.length > 0);
});

test('bad input is one line on stderr and exit code 2', async () => {
  for (const argv of [
    ['supply', '--scenario', 'nope'],
    ['supply', '--runs', '-3'],
    ['supply', '--seed', 'abc'],
  ]) {
    const r = await capture(argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.equal(r.err.trim().split('\n').length, 1);
  }
});
