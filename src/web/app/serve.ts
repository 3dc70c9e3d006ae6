/**
 * @module web/serve
 * A worker's message loop: each request runs its task's handler and posts the answer (with the
 * task's time in the worker), an error message, or progress messages before the answer.
 */
import type { Handlers, RequestMessage, ResponseMessage, TaskName } from './tasks.js';

/** Answer requests with `handlers` (the tasks this worker runs). */
export function serve<K extends TaskName>(handlers: Handlers<K>): void {
  const post = (msg: ResponseMessage) => (self as unknown as Worker).postMessage(msg);
  self.onmessage = async (e: MessageEvent<RequestMessage>) => {
    const { id, task, req } = e.data;
    const t0 = performance.now();
    let msg: ResponseMessage;
    try {
      if (!Object.hasOwn(handlers, task)) throw new Error(`this worker has no task "${task}"`);
      const run = handlers[task as K] as (r: unknown, p: (done: number, total: number) => void) => unknown;
      const res = await run(req, (done, total) => post({ id, progress: { done, total } }));
      msg = { id, ok: true, res, ms: performance.now() - t0 };
    } catch (err) {
      msg = { id, ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    post(msg);
  };
}
