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

test('scenario names that are Object.prototype members are unknown scenarios: one line, exit 2', async () => {
  for (const name of ['__proto__', 'constructor', 'toString']) {
    const r = await capture(['supply', '--scenario', name, '--runs', '100']);
    assert.equal(r.code, 2, name);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.match(r.err, /unknown scenario/);
  }
});

test('chipstack supply --validate --json lists every target; --must-be-true --json gives a box', async () => {
  const v = JSON.parse((await capture(['supply', '--validate', '--runs', '1000', '--json'])).out);
  assert.ok(v.checks.length >= 15);
  for (const c of v.checks)
    assert.ok('target' in c && 'p50' in c && 'p25' in c && 'p95' in c && typeof c.pass === 'boolean');
  const m = JSON.parse((await capture(['supply', '--must-be-true', '--runs', '1000', '--json'])).out);
  assert.equal(m.length, 2);
  const text = (await capture(['supply', '--runs', '300'])).out;
  assert.match(text, /Self-sufficiency \(headline\)/);
  assert.match(text, /Alibaba \(T-Head\)/);
});
