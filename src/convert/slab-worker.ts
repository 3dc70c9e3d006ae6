/**
 * @module convert/slab-worker
 * Worker thread of the conversion pool: encodes one slab at a time from a shared input buffer
 * into a shared output buffer. Messages: { id, task, input, inputBytes, output } in, { id, nonFinite }
 * or { id, error } out.
 */
import { parentPort } from 'node:worker_threads';
import { encodeSlab, SlabScratch, type SlabTask } from './slab.js';

export interface SlabMessage {
  readonly id: number;
  readonly task: SlabTask;
  readonly input: SharedArrayBuffer;
  readonly inputBytes: number;
  readonly output: SharedArrayBuffer;
}

const scratch = new SlabScratch();

parentPort?.on('message', (m: SlabMessage) => {
  try {
    const nonFinite = encodeSlab(
      m.task,
      new Uint8Array(m.input, 0, m.inputBytes),
      new Uint8Array(m.output),
      scratch,
    );
    parentPort!.postMessage({ id: m.id, nonFinite });
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: (e as Error).message });
  }
});
