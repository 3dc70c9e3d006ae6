/**
 * The worker thread of the in-process CLI runner (cli.testutil.ts): runs `main` on each argument
 * list it is sent and replies with the exit code and what the command wrote to stdout and stderr
 * (captured here, so the test runner's own output in the main thread is left alone). A message may
 * carry environment variables to set for that one run.
 */
import { parentPort } from 'node:worker_threads';
import { main } from './main.js';

interface Job {
  id: number;
  argv: string[];
  env?: Record<string, string | undefined>;
}

async function run(job: Job): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = process.stdout.write;
  const e = process.stderr.write;
  const capture =
    (append: (s: string) => void) =>
    (chunk: unknown, enc?: unknown, cb?: unknown): boolean => {
      append(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
      const done = typeof enc === 'function' ? enc : cb;
      if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
      return true;
    };
  const saved = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(job.env ?? {})) {
    saved.set(k, process.env[k]);
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  process.stdout.write = capture((s) => (out += s)) as typeof process.stdout.write;
  process.stderr.write = capture((s) => (err += s)) as typeof process.stderr.write;
  try {
    const code = await main(job.argv);
    return { code, out, err };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

// One case at a time, in the order sent.
let queue = Promise.resolve();
parentPort?.on('message', (m: Job) => {
  queue = queue.then(async () => {
    const r = await run(m).catch((err: unknown) => ({
      code: -1,
      out: '',
      err: `main rejected: ${(err as Error)?.stack ?? String(err)}`,
    }));
    parentPort?.postMessage({ id: m.id, ...r });
  });
});
