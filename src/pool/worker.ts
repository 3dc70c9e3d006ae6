/**
 * @module pool/worker
 * The worker side of the pool (index.ts), for worker modules only (Node): `serveJobs` answers the
 * pool's jobs with a handler; a worker that runs its own loop reads `poolWorkerData()` and calls
 * `workerReady()` once it can take work.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { JobMessage, WorkerMessage } from './index.js';

function post(m: WorkerMessage): void {
  if (!parentPort) throw new Error('not a pool worker (no parent port)');
  parentPort.postMessage(m);
}

/** The pool's `workerData(index)` for this worker. */
export function poolWorkerData<T>(): T {
  return workerData as T;
}

/** Tell the pool this worker can take work. */
export function workerReady(): void {
  post({ kind: 'ready' });
}

/**
 * Answer every job with `handler(task, progress)`: its value (or promise) is the job's result; a
 * throw rejects the job with the error's message (the worker stays up for the next job).
 */
export function serveJobs<T, R>(
  handler: (task: T, progress: (value: unknown) => void) => R | Promise<R>,
): void {
  if (!parentPort) throw new Error('not a pool worker (no parent port)');
  parentPort.on('message', async (m: JobMessage) => {
    try {
      const value = await handler(m.task as T, (v) => post({ kind: 'progress', id: m.id, value: v }));
      post({ kind: 'result', id: m.id, value });
    } catch (e) {
      post({ kind: 'error', id: m.id, message: e instanceof Error ? e.message : String(e) });
    }
  });
  workerReady();
}
