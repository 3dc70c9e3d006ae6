/**
 * @module cli/main
 * The `chipstack` command line. Every command has --help and --json; user errors print one line
 * and exit with code 2.
 */

import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { commands } from './commands/index.js';
import { isControl, type SystemError, systemErrorLine, UsageError } from './util.js';

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

/**
 * Errors that come from what the user gave (arguments, files, data): one line, exit code 2. The
 * library's typed errors are recognised by name so this module need not import every layer.
 */
const USER_ERRORS = new Set([
  'UsageError',
  'ArgumentError',
  'ConvertError',
  'SafetensorsError',
  'CatalogError',
  'CatalogLookupError',
  'PerfInputError',
  'PerfDataError',
  'SupplyDataError',
]);

/** System errors about the user's files or environment (a path that is missing, a full or read-only disk). */
const USER_ERRNO = new Set([
  'ENOENT',
  'ENOTDIR',
  'EISDIR',
  'EACCES',
  'EPERM',
  'EEXIST',
  'ENOTEMPTY',
  'ENOSPC',
  'EROFS',
  'EDQUOT',
  'EFBIG',
  'EMFILE',
  'ENFILE',
  'ENAMETOOLONG',
  'ELOOP',
  'EXDEV',
  'EBUSY',
  'EADDRINUSE',
  'EADDRNOTAVAIL',
  'EPIPE',
]);

/** One line: newlines and other control characters become spaces, and it is cut at 2000 characters. */
function oneLine(text: string): string {
  let t = '';
  for (const c of text) t += isControl(c) ? ' ' : c;
  t = t.replace(/ {2,}/g, ' ').trim();
  return t.length > 2000 ? `${t.slice(0, 2000)}...` : t;
}

/** Whether CHIPSTACK_DEBUG asks for stack traces. */
function debug(): boolean {
  const v = process.env.CHIPSTACK_DEBUG;
  return v !== undefined && v !== '' && v !== '0';
}

/**
 * What an error that escaped a command prints and its exit code: 2 for the user's errors, 1 for
 * internal ones (bugs). One line, unless CHIPSTACK_DEBUG=1 adds the stack trace.
 */
export function describeError(err: unknown): { code: number; line: string } {
  if (err instanceof CommanderError) {
    return { code: 2, line: oneLine(err.message.replace(/^error: /, '')) };
  }
  const e = err as (Error & { code?: unknown; syscall?: unknown; path?: unknown }) | null | undefined;
  const message = e instanceof Error ? e.message : String(err);
  if (err instanceof UsageError || (e instanceof Error && USER_ERRORS.has(e.name))) {
    return { code: 2, line: oneLine(message) };
  }
  if (e instanceof Error && typeof e.code === 'string' && USER_ERRNO.has(e.code)) {
    return { code: 2, line: oneLine(systemErrorLine(e as SystemError)) };
  }
  const kind = e instanceof Error ? e.name : typeof err;
  return {
    code: 1,
    line: oneLine(
      `internal error (${kind}): ${message}${debug() ? '' : ' (set CHIPSTACK_DEBUG=1 for the stack trace)'}`,
    ),
  };
}

/** Print an error as `describeError` says (plus the stack with CHIPSTACK_DEBUG=1) and give its exit code. */
export function reportError(err: unknown): number {
  const { code, line } = describeError(err);
  process.stderr.write(`chipstack: ${line}\n`);
  if (debug() && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  return code;
}

/** Run the command line; resolves to the exit code (never rejects). */
export async function main(argv: string[]): Promise<number> {
  let program: Command;
  try {
    program = buildProgram();
    // commander's `help NAME` prints the general help and exits 0 for a name it does not know
    if (argv[0] === 'help' && argv.length > 1) {
      const name = argv[1]!;
      const known = program.commands.some((c) => c.name() === name || c.aliases().includes(name));
      if (!known) throw new UsageError(`help: unknown command '${name}'; \`chipstack --help\` lists them`);
    }
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help' ||
        err.exitCode === 0
      ) {
        return 0;
      }
    }
    return reportError(err);
  }
}
