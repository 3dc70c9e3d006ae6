/**
 * @module cli/commands/serve
 * `chipstack serve [--port P] [--host H] [--json]`: build the dashboard when needed, serve it
 * from localhost and print the URL and the headline results, computed live. `--json` prints the
 * summary and exits without serving.
 */
import type { Command } from 'commander';
import { ensureBuilt } from '../../web/build.js';
import { createDashboardServer, listen } from '../../web/server.js';
import { computeSummary, summaryText } from '../../web/summary.js';
import { toJson, UsageError } from '../util.js';

export function register(program: Command): void {
  program
    .command('serve')
    .description('Serve the dashboard (formats, chips, performance, supply) on localhost')
    .option('--port <n>', 'port to listen on (0: any free port)', '8080')
    .option('--host <h>', 'interface to listen on', '127.0.0.1')
    .option('--runs <n>', 'Monte Carlo runs for the supply figure in the summary', '10000')
    .option('--json', 'print the headline summary as JSON and exit without serving')
    .action(async (o: { port: string; host: string; runs: string; json?: boolean }) => {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new UsageError(`--port "${o.port}" must be an integer 0-65535`);
      }
      const runs = Number(o.runs);
      if (!Number.isInteger(runs) || runs < 100)
        throw new UsageError(`--runs "${o.runs}" must be an integer >= 100`);
      const summary = computeSummary(runs);
      if (o.json) {
        process.stdout.write(toJson(summary) + '\n');
        return;
      }
      const built = await ensureBuilt();
      if (built.note) process.stderr.write(`chipstack serve: ${built.note}\n`);
      const server = createDashboardServer(built.dir);
      let url: string;
      try {
        ({ url } = await listen(server, port, o.host));
      } catch (err) {
        throw new UsageError(`cannot listen on ${o.host}:${port}: ${(err as Error).message}`);
      }
      process.stdout.write(
        `chipstack dashboard${built.built ? ' (rebuilt)' : ''}: ${url}\n\n${summaryText(summary)}\n\nPress Ctrl+C to stop.\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => server.close(() => resolve());
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
