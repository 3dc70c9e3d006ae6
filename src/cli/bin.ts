#!/usr/bin/env node
/**
 * @module cli/bin The executable entry point of `chipstack`. Whatever escapes a command (a
 * rejected promise, an error thrown from a callback) is printed as one line with exit code 1 (2
 * for the user's errors); CHIPSTACK_DEBUG=1 adds the stack trace.
 */
import { main, reportError } from './main.js';

const fail = (err: unknown) => {
  process.exitCode = reportError(err);
  // A failure outside the command's own promise: stop now rather than run on in a broken state.
  process.exit();
};
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, fail);
