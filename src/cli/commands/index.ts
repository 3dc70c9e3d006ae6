/**
 * @module cli/commands
 * The list of CLI commands. Each module exports `register(program)`; add one line here per command.
 */
import type { Command } from 'commander';
import { register as catalog } from './catalog.js';

export type Register = (program: Command) => void;

export const commands: Register[] = [
  catalog,
];
