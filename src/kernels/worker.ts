/**
 * @module kernels/worker
 * A kernel thread (started by the one pool, src/pool): instantiates the shared kernel module on
 * the shared memory and runs jobs that the main thread posts in a SharedArrayBuffer control block
 * (protocol.ts, engine.ts), waiting with Atomics.
 */
import { poolWorkerData, workerReady } from '../pool/worker.js';
import { ARGS, ERR, GEN, NARGS, OP, OP_EXIT, PENDING, RANGES } from './protocol.js';
import { type KernelExports, OPS } from './wasm.js';

const { module, memory, control, index } = poolWorkerData<{
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  index: number;
}>();
const k = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
const c = new Int32Array(control);
let seen = Atomics.load(c, GEN);
workerReady();
for (;;) {
  Atomics.wait(c, GEN, seen);
  const gen = Atomics.load(c, GEN);
  // A late notify of a job this thread already ran (the main thread was descheduled between its
  // Atomics.add and Atomics.notify while this thread took the job on the not-equal path) wakes
  // the wait with GEN unchanged: running the job again would take PENDING below 0 and the main
  // thread would wait forever. Only a new generation is a new job.
  if (gen === seen) continue;
  seen = gen;
  const op = c[OP]!;
  if (op === OP_EXIT) break;
  try {
    const args = Array.from(c.subarray(ARGS, ARGS + c[NARGS]!));
    const r = RANGES + 3 * index;
    k[OPS[op]!](...args, c[r]!, c[r + 1]!, c[r + 2]!);
  } catch {
    Atomics.store(c, ERR, 1);
  }
  if (Atomics.sub(c, PENDING, 1) === 1) Atomics.notify(c, PENDING);
}
