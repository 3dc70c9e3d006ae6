/**
 * @module convert/slab-worker
 * Worker of the conversion pool (src/pool): encodes one slab at a time from a shared input buffer
 * into a shared output buffer; a job's result is the slab's count of NaN and ±Inf inputs.
 */
import { serveJobs } from '../pool/worker.js';
import { encodeSlab, SlabScratch, type SlabTask } from './slab.js';

export interface SlabMessage {
  readonly task: SlabTask;
  readonly input: SharedArrayBuffer;
  readonly inputBytes: number;
  readonly output: SharedArrayBuffer;
}

const scratch = new SlabScratch();

serveJobs((m: SlabMessage) =>
  encodeSlab(m.task, new Uint8Array(m.input, 0, m.inputBytes), new Uint8Array(m.output), scratch),
);
