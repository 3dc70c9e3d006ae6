/**
 * @module convert/pool
 * Where slabs are encoded: in the calling thread (`threads` 1) or on `threads` worker threads.
 * A slab lives in a slot: an input buffer (raw bytes read from the checkpoint) and an output
 * buffer (the encoded bytes, written from there), shared memory when workers run, so nothing is
 * copied or transferred between threads. Slots are reused from slab to slab; each grows to the
 * largest slab it has held. Tasks wait in order for an idle worker. Node only.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ConvertError } from './errors.js';
import { encodeSlab, SlabScratch, type SlabTask } from './slab.js';
import type { SlabMessage } from './slab-worker.js';

/** Buffers of one slab in flight. */
export interface Slot {
  input: Uint8Array;
  output: Uint8Array;
}

export interface SlabPool {
  readonly threads: number;
  newSlot(): Slot;
  /** Grow the slot's buffers to hold at least these bytes (their contents are not kept). */
  fit(slot: Slot, inputBytes: number, outputBytes: number): void;
  /**
   * Encode the slab in `slot.input` (its first `inputBytes`) into `slot.output`; resolves with the
   * count of NaN and ±Inf inputs.
   */
  encode(task: SlabTask, slot: Slot, inputBytes: number): Promise<number>;
  close(): Promise<void>;
}

/** Default worker threads: 2, or fewer when the machine has fewer cores. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(2, availableParallelism()));
}

/** Check a thread count (a positive integer); ConvertError otherwise. */
export function checkThreads(threads: unknown): number {
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > 256) {
    throw new ConvertError(`--threads must be a whole number from 1 to 256, got ${String(threads)}`);
  }
  return threads;
}

/** `--threads T` as the CLI gets it: a whole number, strictly. */
export function parseThreads(text: string): number {
  const t = text.trim();
  return checkThreads(/^\d+$/.test(t) ? Number(t) : t);
}

/** A pool of `threads` workers; 1 encodes in the calling thread. */
export function createSlabPool(threads: number): SlabPool {
  checkThreads(threads);
  if (threads === 1) {
    const scratch = new SlabScratch();
    const fit = (slot: Slot, inputBytes: number, outputBytes: number) => {
      if (slot.input.length < inputBytes) slot.input = new Uint8Array(inputBytes);
      if (slot.output.length < outputBytes) slot.output = new Uint8Array(outputBytes);
    };
    return {
      threads,
      newSlot: () => ({ input: new Uint8Array(0), output: new Uint8Array(0) }),
      fit,
      async encode(task, slot, inputBytes) {
        return encodeSlab(task, slot.input.subarray(0, inputBytes), slot.output, scratch);
      },
      async close() {},
    };
  }
  const shared = (n: number) => new Uint8Array(new SharedArrayBuffer(n));
  // no inherited flags: a worker refuses the parent's `--input-type` and V8 heap flags
  const workers = Array.from(
    { length: threads },
    () => new Worker(new URL('./slab-worker.js', import.meta.url), { execArgv: [] }),
  );
  interface Pending {
    readonly message: SlabMessage;
    readonly resolve: (nonFinite: number) => void;
    readonly reject: (e: Error) => void;
  }
  const queue: Pending[] = [];
  const busy = new Map<Worker, Pending>();
  let failed: Error | undefined;
  let nextId = 1;
  const dispatch = () => {
    for (const w of workers) {
      if (queue.length === 0) return;
      if (busy.has(w)) continue;
      const p = queue.shift()!;
      busy.set(w, p);
      w.postMessage(p.message);
    }
  };
  const fail = (e: Error) => {
    failed ??= e;
    for (const p of [...busy.values(), ...queue]) p.reject(e);
    busy.clear();
    queue.length = 0;
  };
  for (const w of workers) {
    w.on('message', (m: { id: number; error?: string; nonFinite?: number }) => {
      const p = busy.get(w);
      if (!p || p.message.id !== m.id) return;
      busy.delete(w);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.nonFinite ?? 0);
      dispatch();
    });
    w.on('error', fail);
    w.on('exit', (code) => {
      if (busy.has(w)) fail(new Error(`a conversion worker exited (code ${code})`));
    });
  }
  return {
    threads,
    newSlot: () => ({ input: shared(0), output: shared(0) }),
    fit(slot, inputBytes, outputBytes) {
      if (slot.input.length < inputBytes) slot.input = shared(inputBytes);
      if (slot.output.length < outputBytes) slot.output = shared(outputBytes);
    },
    encode(task, slot, inputBytes) {
      if (failed) return Promise.reject(failed);
      return new Promise((resolve, reject) => {
        queue.push({
          message: {
            id: nextId++,
            task,
            input: slot.input.buffer as SharedArrayBuffer,
            inputBytes,
            output: slot.output.buffer as SharedArrayBuffer,
          },
          resolve,
          reject,
        });
        dispatch();
      });
    },
    async close() {
      fail(new Error('the conversion pool is closed'));
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
