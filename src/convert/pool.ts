/**
 * @module convert/pool
 * Where slabs are encoded: in the calling thread (`threads` 1) or on `threads` worker threads of
 * the one worker pool (src/pool: lifecycle, errors, a dead worker replaced).
 * A slab lives in a slot: an input buffer (raw bytes read from the checkpoint) and an output
 * buffer (the encoded bytes, written from there), shared memory when workers run, so nothing is
 * copied or transferred between threads. Slots are reused from slab to slab; each grows to the
 * largest slab it has held. Tasks wait in order for an idle worker (the pool's queue). Node only.
 */
import { availableCores, createWorkerPool } from '../pool/index.js';
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

/**
 * Default worker threads: 2, or fewer when the machine has fewer cores (not all cores, as the
 * pool's default: each thread holds two slabs in flight, so memory grows with the count).
 */
export function defaultThreads(): number {
  return Math.max(1, Math.min(2, availableCores()));
}

/** Check a thread count (a positive integer); ConvertError otherwise. */
export function checkThreads(threads: unknown): number {
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > 256) {
    throw new ConvertError(
      `--threads must be a whole number from 1 to 256, got ${typeof threads === 'string' ? JSON.stringify(threads) : String(threads)}`,
    );
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
  const pool = createWorkerPool({
    name: 'conversion',
    script: new URL('./slab-worker.js', import.meta.url),
    threads,
  });
  return {
    threads,
    newSlot: () => ({ input: shared(0), output: shared(0) }),
    fit(slot, inputBytes, outputBytes) {
      if (slot.input.length < inputBytes) slot.input = shared(inputBytes);
      if (slot.output.length < outputBytes) slot.output = shared(outputBytes);
    },
    encode(task, slot, inputBytes) {
      const message: SlabMessage = {
        task,
        input: slot.input.buffer as SharedArrayBuffer,
        inputBytes,
        output: slot.output.buffer as SharedArrayBuffer,
      };
      return pool.run<number>(message);
    },
    close: () => pool.close(),
  };
}
