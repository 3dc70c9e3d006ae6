/**
 * @module cli/main
 * The `chipstack` command line. Every command has --help and --json; user errors print one line
 * and exit with code 2.
 */

import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { commands } from './commands/index.js';
import { UsageError } from './util.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export function buildProgram(): Command {
  const program = new Command('chipstack')
    .description('Low-precision formats, block-scaled quantization and AI accelerator models, checkable.')
    .version(pkg.version)
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ outputError: () => {} });
  for (const register of commands) register(program);
  for (const sub of program.commands) sub.exitOverride().configureOutput({ outputError: () => {} });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) {
        return 0;
      }
      if (err.code === 'commander.help') return 0;
      process.stderr.write(`chipstack: ${err.message.replace(/^error: /, '')}\n`);
      return 2;
    }
    if (err instanceof UsageError || (err instanceof Error && err.name === 'UsageError')) {
      process.stderr.write(`chipstack: ${(err as Error).message}\n`);
      return 2;
    }
    const e = err as NodeJS.ErrnoException;
    if (e && typeof e.code === 'string' && typeof e.message === 'string') {
      process.stderr.write(`chipstack: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`chipstack: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    return 1;
  }
}
