/**
 * A run of `onnx quantize` killed while writing (kill -9) leaves its temporary file; the next run in
 * that folder removes it only when the folder's ledger proves it was ours (name, device, inode, and a
 * writing process that is gone). One real process is killed; the rest runs in-process.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ONNX_LEDGER, recordPendingTemp, sweepStaleTemps, writeParts } from './write.js';

const WRITE_JS = fileURLToPath(new URL('./write.js', import.meta.url));

function ledger(dir: string): { files: Record<string, string>; pending?: Record<string, string> } {
  return JSON.parse(readFileSync(join(dir, ONNX_LEDGER), 'utf8'));
}

/** A process that creates `tmp` (exclusive), records it as ours, writes part of it and is killed. */
function killedWriter(tmp: string): void {
  const script = `
    import { openSync, writeSync } from 'node:fs';
    import { recordPendingTemp } from ${JSON.stringify(WRITE_JS)};
    const tmp = process.argv[1];
    const fd = openSync(tmp, 'wx');
    if (!recordPendingTemp(tmp)) process.exit(3);
    writeSync(fd, 'half a model');
    process.kill(process.pid, 'SIGKILL');`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, tmp], { encoding: 'utf8' });
  assert.equal(r.signal, 'SIGKILL', r.stderr);
}

describe('temporary files of killed runs', () => {
  it('a later run removes a killed run’s temporary file, proven ours by the ledger', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chipstack-temps-'));
    try {
      const input = join(dir, 'm.onnx');
      writeFileSync(input, 'model');
      const stale = join(dir, '.a.onnx.999999.tmp');
      killedWriter(stale);
      assert.equal(readFileSync(stale, 'utf8'), 'half a model');
      assert.ok(ledger(dir).pending?.['.a.onnx.999999.tmp'], 'recorded before the kill');
      writeParts([new Uint8Array([1, 2, 3])], join(dir, 'b.onnx'), input);
      assert.equal(existsSync(stale), false, 'the killed run’s file is gone');
      assert.equal(ledger(dir).pending, undefined, 'and so is its entry');
      assert.ok(ledger(dir).files['b.onnx'], 'the new output is listed');
      assert.equal(readFileSync(input, 'utf8'), 'model');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never removes a file put in its place, nor a live run’s file; a successful write leaves no entry', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chipstack-temps-'));
    try {
      // a killed run's name now holds someone else's file (another inode): kept, entry dropped
      const stale = join(dir, '.c.onnx.999998.tmp');
      killedWriter(stale);
      const theirs = join(dir, 'theirs');
      writeFileSync(theirs, 'someone else');
      renameSync(theirs, stale);
      assert.deepEqual(sweepStaleTemps(dir), []);
      assert.equal(readFileSync(stale, 'utf8'), 'someone else');
      assert.equal(ledger(dir).pending, undefined);
      // a live process's temporary file (this one): kept, entry kept
      const live = join(dir, '.d.onnx.live.tmp');
      writeFileSync(live, 'in progress');
      assert.ok(recordPendingTemp(live, process.pid));
      assert.deepEqual(sweepStaleTemps(dir), []);
      assert.equal(readFileSync(live, 'utf8'), 'in progress');
      assert.ok(ledger(dir).pending?.['.d.onnx.live.tmp']);
      // an ordinary write records its temporary file and drops it once renamed
      const input = join(dir, 'm.onnx');
      writeFileSync(input, 'model');
      writeParts([new Uint8Array(8)], join(dir, 'e.onnx'), input);
      assert.deepEqual(Object.keys(ledger(dir).pending ?? {}), ['.d.onnx.live.tmp']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a ledger entry that names anything but a temporary file in its own folder removes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chipstack-temps-'));
    try {
      const out = join(dir, 'out');
      mkdirSync(out);
      // someone else's files: one beside the folder, one inside it under an ordinary name
      const victims = [join(dir, 'victim.tmp'), join(out, 'model.onnx')];
      for (const v of victims) writeFileSync(v, 'not ours');
      const dead = spawnSync(process.execPath, ['-e', '']).pid!;
      const id = (p: string) => {
        const st = statSync(p, { bigint: true });
        return `${st.dev}:${st.ino}:${dead}`;
      };
      const pending = { '../victim.tmp': id(victims[0]!), 'model.onnx': id(victims[1]!) };
      writeFileSync(join(out, ONNX_LEDGER), JSON.stringify({ tool: 'chipstack onnx', files: {}, pending }));
      assert.deepEqual(sweepStaleTemps(out), []);
      for (const v of victims) assert.equal(readFileSync(v, 'utf8'), 'not ours');
      assert.equal(ledger(out).pending, undefined, 'the entries are dropped');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
