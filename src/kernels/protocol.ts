/**
 * @module kernels/protocol
 * Slots of the pool's control block (an Int32Array over a SharedArrayBuffer).
 */
/** Job generation: bumped for every job; workers wait on it. */
export const GEN = 0;
/** Threads still running the current job; the main thread waits on it. */
export const PENDING = 1;
/** Op code (index into OPS) or OP_EXIT. */
export const OP = 2;
/** Set to 1 by a worker whose kernel threw. */
export const ERR = 3;
export const NARGS = 4;
/** Common kernel arguments, NARGS of them. */
export const ARGS = 8;
/** Per thread: n0, n1, scratch pointer (3 slots each). */
export const RANGES = 32;
export const MAX_THREADS = 32;
export const CONTROL_SLOTS = RANGES + 3 * MAX_THREADS;
export const OP_EXIT = -1;
