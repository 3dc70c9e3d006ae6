/**
 * @module pool/fixture-worker
 * A pool worker for the pool's tests: each task names what to do (answer, report progress, throw,
 * crash, exit, hang). With workerData `{ failAtStart: true }` it throws before it is ready.
 */
import { poolWorkerData, serveJobs } from './worker.js';

export type FixtureTask =
  | { readonly do: 'echo'; readonly value: unknown }
  | { readonly do: 'progress'; readonly steps: number }
  | { readonly do: 'throw'; readonly message: string }
  | { readonly do: 'crash'; readonly message: string }
  | { readonly do: 'exit'; readonly code: number }
  | { readonly do: 'hang' }
  | { readonly do: 'later'; readonly value: unknown };

if (poolWorkerData<{ failAtStart?: boolean } | undefined>()?.failAtStart) {
  throw new Error('fixture worker failed at start');
}

serveJobs((t: FixtureTask, progress) => {
  switch (t.do) {
    case 'echo':
      return t.value;
    case 'progress':
      for (let i = 1; i <= t.steps; i++) progress(i);
      return 'done';
    case 'throw':
      throw new Error(t.message);
    case 'crash':
      // an uncaught error outside the job's handler: the worker dies
      setImmediate(() => {
        throw new Error(t.message);
      });
      return new Promise(() => {});
    case 'exit':
      process.exit(t.code);
      break;
    case 'hang':
      return new Promise(() => {});
    case 'later':
      return new Promise((resolve) => setTimeout(() => resolve(t.value), 50));
  }
  throw new Error('unknown fixture task');
});
