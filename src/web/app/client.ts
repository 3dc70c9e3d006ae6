/**
 * @module web/client
 * The page's side of the worker: `run('supply', req)` returns a promise of the result. `latest`
 * wraps a task so that only the newest call of a control resolves (older ones are dropped).
 */
import type { RequestMessage, ResponseMessage, TaskName, Tasks } from './tasks.js';

let worker: Worker | undefined;
let seq = 0;
type Progress = (done: number, total: number) => void;
const pending = new Map<
  number,
  { resolve: (v: unknown) => void; reject: (e: Error) => void; progress?: Progress | undefined }
>();

function get(): Worker {
  if (!worker) {
    worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'chipstack' });
    worker.onmessage = (e: MessageEvent<ResponseMessage>) => {
      const p = pending.get(e.data.id);
      if (!p) return;
      if ('progress' in e.data) {
        p.progress?.(e.data.progress.done, e.data.progress.total);
        return;
      }
      pending.delete(e.data.id);
      if (e.data.ok) p.resolve(e.data.res);
      else p.reject(new Error(e.data.error));
    };
  }
  return worker;
}

/** Run a task in the worker; `progress` hears the progress messages of long tasks. */
export function run<K extends TaskName>(
  task: K,
  req: Tasks[K]['req'],
  transfer: Transferable[] = [],
  progress?: Progress,
): Promise<Tasks[K]['res']> {
  const id = ++seq;
  const msg: RequestMessage<K> = { id, task, req };
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject, progress });
    get().postMessage(msg, transfer);
  });
}

/** A runner whose stale results never arrive: only the newest call's promise settles. */
export function latest<K extends TaskName>(task: K): (req: Tasks[K]['req']) => Promise<Tasks[K]['res']> {
  let n = 0;
  return (req) => {
    const mine = ++n;
    return new Promise((resolve, reject) => {
      run(task, req).then(
        (r) => mine === n && resolve(r),
        (e) => mine === n && reject(e),
      );
    });
  };
}
