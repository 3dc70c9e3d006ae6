/**
 * @module web/client
 * The page's side of the workers: `run('supply', req)` returns a promise of the result. The supply
 * tasks go to the supply worker (supply-worker.js), the simulator's to its worker (perf-worker.js),
 * the others to the dashboard's worker (worker.js); each starts on its first task. `latest` wraps a
 * task so that only the newest call of a control resolves (older ones are dropped). `prefetch`
 * sends a task before its page asks for it (at navigation: Supply's Monte Carlo, Performance's
 * simulation); the page's own identical request then takes that answer.
 */
import {
  PERF_TASKS,
  type RequestMessage,
  type ResponseMessage,
  SUPPLY_TASKS,
  type SupplyTaskName,
  type TaskName,
  type Tasks,
} from './tasks.js';

const workers = new Map<string, Worker>();
let seq = 0;
type Progress = (done: number, total: number) => void;
const pending = new Map<
  number,
  { resolve: (v: unknown) => void; reject: (e: Error) => void; progress?: Progress | undefined }
>();

function receive(e: MessageEvent<ResponseMessage>): void {
  const p = pending.get(e.data.id);
  if (!p) return;
  if ('progress' in e.data) {
    p.progress?.(e.data.progress.done, e.data.progress.total);
    return;
  }
  pending.delete(e.data.id);
  if (e.data.ok) p.resolve(e.data.res);
  else p.reject(new Error(e.data.error));
}

const isSupplyTask = (task: TaskName) => (SUPPLY_TASKS as readonly string[]).includes(task);

const isPerfTask = (task: TaskName) => (PERF_TASKS as readonly string[]).includes(task);

function workerFor(task: TaskName): Worker {
  const key = isSupplyTask(task) ? 'supply' : isPerfTask(task) ? 'perf' : 'main';
  let w = workers.get(key);
  if (!w) {
    // literal URLs, one per worker, so that the bundler sees each entry
    w =
      key === 'supply'
        ? new Worker(new URL('./supply-worker.js', import.meta.url), {
            type: 'module',
            name: 'chipstack-supply',
          })
        : key === 'perf'
          ? new Worker(new URL('./perf-worker.js', import.meta.url), {
              type: 'module',
              name: 'chipstack-perf',
            })
          : new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'chipstack' });
    w.onmessage = receive;
    workers.set(key, w);
  }
  return w;
}

/** Requests sent ahead by `prefetch`, by task and request, until the page asks for them. */
const ahead = new Map<string, Promise<unknown>>();
/** Requests of `run` not answered yet, by task and request (a prefetch of one of them is not sent). */
const asked = new Set<string>();
const keyOf = (task: TaskName, req: unknown) => `${task} ${JSON.stringify(req)}`;

/** Tasks that may be sent ahead: the pages' first requests, small and keyed by their JSON. */
type AheadTask = SupplyTaskName | 'perf';
const isAheadTask = (task: TaskName) => isSupplyTask(task) || task === 'perf';

/**
 * Send a task now (a page about to ask for it); `run` with the same task and request takes its
 * answer.
 */
export function prefetch<K extends AheadTask>(task: K, req: Tasks[K]['req']): void {
  const key = keyOf(task, req);
  if (ahead.has(key) || asked.has(key)) return;
  const p = send(task, req, []);
  p.catch(() => {}); // the page's own call reports errors
  ahead.set(key, p);
}

function send<K extends TaskName>(
  task: K,
  req: Tasks[K]['req'],
  transfer: Transferable[],
  progress?: Progress,
): Promise<Tasks[K]['res']> {
  const id = ++seq;
  const msg: RequestMessage<K> = { id, task, req };
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject, progress });
    workerFor(task).postMessage(msg, transfer);
  });
}

/** Run a task in its worker; `progress` hears the progress messages of long tasks. */
export function run<K extends TaskName>(
  task: K,
  req: Tasks[K]['req'],
  transfer: Transferable[] = [],
  progress?: Progress,
): Promise<Tasks[K]['res']> {
  // only the supply tasks and the simulation are sent ahead (no other request is keyed)
  if (transfer.length > 0 || !isAheadTask(task)) return send(task, req, transfer, progress);
  const key = keyOf(task, req);
  const early = ahead.get(key);
  if (early) {
    ahead.delete(key);
    return early as Promise<Tasks[K]['res']>;
  }
  asked.add(key);
  const p = send(task, req, transfer, progress);
  const done = () => asked.delete(key);
  p.then(done, done);
  return p;
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
