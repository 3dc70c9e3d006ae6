#!/usr/bin/env node
/** @module cli/bin The executable entry point of `chipstack`. */
import { main } from './main.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
