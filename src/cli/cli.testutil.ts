/**
 * Running the command line in-process for tests: `main` in one worker thread per test file
 * (cli.worker.ts), which captures what the commands write; capturing in the test's own thread
 * would also swallow the test runner's output. Starting a process per case costs about 0.2-0.5 s
 * of CPU (Node start-up and module loading); a worker is started once. A few tests per suite still
 * spawn the real `bin.js` to check what only a process shows (exit status, one-line errors).
 */
import { Worker } from 'node:worker_threads';

export interface CliReply {
  code: number;
  out: string;
  err: string;
}

export class CliWorker {
  private worker: Worker | null = null;
  private next = 0;
  private readonly pending = new Map<number, (r: CliReply) => void>();

  private start(): Worker {
    const worker = new Worker(new URL('./cli.worker.js', import.meta.url));
    worker.on('message', (m: CliReply & { id: number }) => {
      this.pending.get(m.id)?.(m);
      this.pending.delete(m.id);
      if (this.pending.size === 0) worker.unref();
    });
    worker.on('error', (err) => {
      for (const resolve of this.pending.values())
        resolve({ code: -1, out: '', err: `worker died: ${err.stack}` });
      this.pending.clear();
      this.worker = null;
    });
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = null;
    });
    return worker;
  }

  /** Run `chipstack ...argv`; `env` sets (or, with undefined, unsets) variables for this run only. */
  run(argv: string[], env?: Record<string, string | undefined>): Promise<CliReply> {
    this.worker ??= this.start();
    const worker = this.worker;
    worker.ref();
    const id = this.next++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      worker.postMessage({ id, argv, env });
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}

/** One runner per test file, started on first use; it does not keep the process alive when idle. */
let shared: CliWorker | null = null;
export function cli(...argv: string[]): Promise<CliReply> {
  shared ??= new CliWorker();
  return shared.run(argv);
}
/** `cli` with environment variables set for that run only. */
export function cliEnv(env: Record<string, string | undefined>, ...argv: string[]): Promise<CliReply> {
  shared ??= new CliWorker();
  return shared.run(argv, env);
}
