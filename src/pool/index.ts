/**
 * @module pool
 * The one pool of worker threads that quant, convert and kernels run their parallel work on: it
 * owns the workers' lifecycle (start, ready, replace, close), sizing (`threads`, default the
 * machine's cores), error propagation (a job a worker fails or dies in is rejected with the
 * pool's name, the worker and the reason) and progress (a job's messages before its result).
 * Jobs wait in order for an idle worker; a worker holds the process open only while it runs one.
 * Workers that run their own loop (the kernels' Atomics dispatch) take the pool's lifecycle and
 * sizing and ignore `run`.
 *
 * Browser-safe to import: Node's worker_threads is loaded when present (`workerThreadsAvailable()`
 * says whether); where it is missing (a browser page), creating a pool throws PoolError and the
 * callers run on one thread. Worker side: `./worker.ts`.
 */

type WorkerThreads = typeof import('node:worker_threads');
type NodeWorker = import('node:worker_threads').Worker;

let threadsModule: WorkerThreads | null = null;
let cores = 1;
// Only where Node runs: a browser would try to fetch `node:worker_threads` from the network.
const node = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;
try {
  if (node === undefined) throw new Error('not Node');
  threadsModule = await import('node:worker_threads');
  cores = (await import('node:os')).availableParallelism();
} catch {
  threadsModule = null;
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  cores = Math.max(1, nav?.hardwareConcurrency ?? 1);
}

/** Whether this runtime has worker threads (Node); false in a browser page. */
export function workerThreadsAvailable(): boolean {
  return threadsModule !== null;
}

/** Cores this process may use (Node's availableParallelism; the browser's hardwareConcurrency). */
export function availableCores(): number {
  return cores;
}

/** Most threads a pool may have. */
export const MAX_POOL_THREADS = 256;

/** A pool that cannot start or has failed; `message` names the pool and the reason. */
export class PoolError extends Error {
  override readonly name = 'PoolError';
}

export interface WorkerPoolOptions {
  /** What messages call the pool ("quantization", "conversion", "kernel"). */
  readonly name: string;
  /** The worker module (it calls `serveJobs`, or `workerReady` and runs its own loop). */
  readonly script: URL;
  /** Worker threads (default: availableCores()). A whole number from 1 to MAX_POOL_THREADS. */
  readonly threads?: number;
  /** `workerData` of worker `index` (0-based; a replacement gets its predecessor's index). */
  readonly workerData?: (index: number) => unknown;
  /**
   * A worker that exits while the pool is open: replaced (default; the job it held is rejected,
   * later jobs run), or, with false, the pool fails (every job is rejected; `failure` says why).
   * A worker that exits before it was ready always fails the pool (it would fail again).
   */
  readonly replace?: boolean;
}

export interface JobOptions {
  /** Called with each progress value the worker reports for this job, before its result. */
  readonly onProgress?: (value: unknown) => void;
}

/** Check a thread count: a whole number from 1 to MAX_POOL_THREADS; RangeError naming the pool otherwise. */
export function checkPoolThreads(name: string, threads: unknown): number {
  if (
    typeof threads !== 'number' ||
    !Number.isInteger(threads) ||
    threads < 1 ||
    threads > MAX_POOL_THREADS
  ) {
    throw new RangeError(
      `${name} pool: threads must be a whole number from 1 to ${MAX_POOL_THREADS}, got ${String(threads)}`,
    );
  }
  return threads;
}

interface Job {
  readonly id: number;
  readonly task: unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (e: Error) => void;
  readonly onProgress: ((value: unknown) => void) | undefined;
}

interface Slot {
  readonly index: number;
  worker: NodeWorker;
  ready: boolean;
  job: Job | undefined;
  /** Set when the worker reported an uncaught error: the reason its job failed. */
  error: Error | undefined;
}

/** Messages a pool worker posts (worker.ts). */
export type WorkerMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'progress'; readonly id: number; readonly value: unknown }
  | { readonly kind: 'result'; readonly id: number; readonly value: unknown }
  | { readonly kind: 'error'; readonly id: number; readonly message: string };

/** A job as a worker receives it. */
export interface JobMessage {
  readonly id: number;
  readonly task: unknown;
}

/** Worker threads running jobs from one queue. */
export class WorkerPool {
  readonly name: string;
  readonly threads: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly opts: WorkerPoolOptions;
  private failed: Error | undefined;
  private closed = false;
  private ended: Promise<unknown> | undefined;
  private nextId = 1;
  private readyWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private completed = 0;

  constructor(opts: WorkerPoolOptions) {
    if (!threadsModule) throw new PoolError(`${opts.name} pool: worker threads are not available here`);
    this.name = opts.name;
    this.threads = checkPoolThreads(opts.name, opts.threads ?? availableCores());
    this.opts = opts;
    for (let i = 0; i < this.threads; i++) this.slots.push(this.start(i));
  }

  /** Why the pool failed (undefined while it works). */
  get failure(): Error | undefined {
    return this.failed;
  }

  /** Jobs finished (resolved or rejected), waiting, and running. */
  get stats(): { completed: number; queued: number; running: number } {
    return {
      completed: this.completed,
      queued: this.queue.length,
      running: this.slots.filter((s) => s.job).length,
    };
  }

  /** Resolves once every worker is ready; rejects if the pool fails first. */
  ready(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.slots.every((s) => s.ready)) return Promise.resolve();
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  /** Run `task` on the next idle worker (structured clone; SharedArrayBuffers are shared). */
  run<R = unknown>(task: unknown, opts: JobOptions = {}): Promise<R> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.closed) return Promise.reject(new PoolError(`${this.name} pool is closed`));
    return new Promise<R>((resolve, reject) => {
      this.queue.push({
        id: this.nextId++,
        task,
        resolve: resolve as (v: unknown) => void,
        reject,
        onProgress: opts.onProgress,
      });
      this.dispatch();
    });
  }

  /** Stop every worker; jobs still waiting or running are rejected. */
  async close(): Promise<void> {
    if (this.closed) {
      await this.ended;
      return;
    }
    this.closed = true;
    const e = new PoolError(`${this.name} pool is closed`);
    for (const j of this.queue.splice(0)) this.settle(j, e);
    for (const s of this.slots) if (s.job) this.settle(s.job, e);
    for (const s of this.slots) s.job = undefined;
    this.rejectReady(e);
    this.ended = this.terminate();
    await this.ended;
  }

  private start(index: number): Slot {
    const w = new threadsModule!.Worker(this.opts.script, {
      // no inherited flags: a worker refuses the parent's `--input-type` and V8 heap flags
      execArgv: [],
      workerData: this.opts.workerData?.(index),
    });
    const slot: Slot = { index, worker: w, ready: false, job: undefined, error: undefined };
    w.on('message', (m: WorkerMessage) => this.onMessage(slot, w, m));
    w.on('error', (e: Error) => {
      if (slot.worker === w) slot.error ??= e;
    });
    w.on('exit', (code: number) => this.onExit(slot, w, code));
    this.hold(slot);
    return slot;
  }

  /**
   * A worker holds the process open (ref) while it starts, while it runs a job and, once the pool
   * is closed or failed, until it has exited (a 'ready' message a starting worker posted before
   * close() arrives after it: it must not unref the worker, or the process ends with close()
   * pending); never when it idles. (Called after the listeners are attached: attaching a
   * 'message' listener refs.)
   */
  private hold(slot: Slot): void {
    if (this.closed || !slot.ready || slot.job) slot.worker.ref();
    else slot.worker.unref();
  }

  private onMessage(slot: Slot, w: NodeWorker, m: WorkerMessage): void {
    if (slot.worker !== w || this.closed) return;
    if (m.kind === 'ready') {
      slot.ready = true;
      this.hold(slot);
      if (this.slots.length === this.threads && this.slots.every((s) => s.ready)) {
        for (const r of this.readyWaiters.splice(0)) r.resolve();
      }
      return;
    }
    const job = slot.job;
    if (!job || job.id !== m.id) return;
    if (m.kind === 'progress') {
      job.onProgress?.(m.value);
      return;
    }
    slot.job = undefined;
    this.hold(slot);
    if (m.kind === 'result') {
      this.completed++;
      job.resolve(m.value);
    } else this.settle(job, new Error(`${this.name} worker ${slot.index}: ${m.message}`));
    this.dispatch();
  }

  private onExit(slot: Slot, w: NodeWorker, code: number): void {
    if (slot.worker !== w || this.closed) return;
    const why = slot.error
      ? `failed: ${slot.error.message}`
      : `exited with code ${code}${slot.ready ? '' : ' before it was ready'}`;
    const e = new PoolError(`${this.name} worker ${slot.index} ${why}`);
    const job = slot.job;
    slot.job = undefined;
    if (job) this.settle(job, e);
    if (!slot.ready || this.opts.replace === false) {
      this.fail(e);
      return;
    }
    const next = this.start(slot.index);
    this.slots[this.slots.indexOf(slot)] = next;
    this.dispatch();
  }

  private dispatch(): void {
    for (const s of this.slots) {
      while (!s.job && this.queue.length > 0) {
        const job = this.queue.shift()!;
        try {
          s.worker.postMessage({ id: job.id, task: job.task } satisfies JobMessage);
        } catch (e) {
          // a task that cannot be cloned (a function, say): that job fails, the worker stays idle
          const why = (e as Error).message;
          this.settle(job, new PoolError(`${this.name} pool: the task cannot be sent to a worker: ${why}`));
          continue;
        }
        s.job = job;
        this.hold(s);
      }
    }
  }

  private settle(job: Job, e: Error): void {
    this.completed++;
    job.reject(e);
  }

  private rejectReady(e: Error): void {
    for (const r of this.readyWaiters.splice(0)) r.reject(e);
  }

  /** Terminate every worker, holding the process open until they are gone. */
  private terminate(): Promise<unknown> {
    return Promise.all(
      this.slots.map((s) => {
        s.worker.ref();
        return s.worker.terminate();
      }),
    );
  }

  /** The pool stops: every job is rejected with `e`, the workers are terminated. */
  private fail(e: Error): void {
    if (this.failed || this.closed) return;
    this.failed = e;
    for (const j of this.queue.splice(0)) this.settle(j, e);
    for (const s of this.slots) {
      if (s.job) this.settle(s.job, e);
      s.job = undefined;
    }
    this.rejectReady(e);
    this.closed = true;
    this.ended = this.terminate();
  }
}

/** Start a pool (PoolError where worker threads are missing; RangeError for a bad thread count). */
export function createWorkerPool(opts: WorkerPoolOptions): WorkerPool {
  return new WorkerPool(opts);
}
