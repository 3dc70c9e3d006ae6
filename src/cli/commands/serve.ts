/**
 * @module cli/commands/serve
 * `chipstack serve [--port P] [--host H] [--json]`: build the dashboard when needed, serve it
 * from localhost and print the URL and the headline results, computed live. `--json` prints the
 * summary and exits without serving. SIGINT/SIGTERM stop it within a bounded time.
 */
import { isIP } from 'node:net';
import type { Command } from 'commander';
import { ensureBuilt } from '../../web/build.js';
import { createDashboardServer, listen, shutdown } from '../../web/server.js';
import { computeSummary, summaryText } from '../../web/summary.js';
import { integerArg, printable, toJson, UsageError } from '../util.js';

/** The most Monte Carlo runs for the summary's supply figure (memory grows with runs). */
export const MAX_SERVE_RUNS = 1_000_000;
/** How long busy connections get to finish after SIGINT/SIGTERM before they are closed. */
export const SHUTDOWN_GRACE_MS = 2000;

export function register(program: Command): void {
  program
    .command('serve')
    .description('Serve the dashboard (formats, chips, performance, supply) on localhost')
    .option('--port <n>', 'port to listen on, 0-65535 (0: any free port)', '8080')
    .option('--host <h>', 'interface to listen on', '127.0.0.1')
    .option(
      '--runs <n>',
      `Monte Carlo runs for the supply figure in the summary (100-${MAX_SERVE_RUNS})`,
      '10000',
    )
    .option('--json', 'print the headline summary as JSON and exit without serving')
    .action(async (o: { port: string; host: string; runs: string; json?: boolean }) => {
      const port = integerArg(o.port, '--port', 0, 65535);
      const runs = integerArg(o.runs, '--runs', 100, MAX_SERVE_RUNS);
      const host = o.host.trim();
      if (host === '' || /[\s/\\@#?]/.test(host) || host.length > 253) {
        throw new UsageError(`--host "${printable(o.host)}" is not a host name or IP address`);
      }
      const summary = computeSummary(runs);
      if (o.json) {
        process.stdout.write(toJson(summary) + '\n');
        return;
      }
      const built = await ensureBuilt();
      if (built.note) process.stderr.write(`chipstack serve: ${built.note}\n`);
      // Answer the --host name too, unless it is a wildcard address (then only the local names).
      const wildcard = host === '0.0.0.0' || host === '::' || (isIP(host) === 6 && /^[0:]+$/.test(host));
      const server = createDashboardServer(built.dir, { hosts: wildcard ? [] : [host] });
      let url: string;
      try {
        ({ url } = await listen(server, port, host));
      } catch (err) {
        throw new UsageError(`cannot listen on ${host}:${port}: ${(err as Error).message}`);
      }
      process.stdout.write(
        `chipstack dashboard${built.built ? ' (rebuilt)' : ''}: ${url}\n\n${summaryText(summary)}\n\nPress Ctrl+C to stop.\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          shutdown(server, SHUTDOWN_GRACE_MS).then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
