/**
 * @module cli/commands
 * The list of CLI commands. Each module exports `register(program)`; add one line here per command.
 */
import type { Command } from 'commander';
import { register as catalog } from './catalog.js';
import { register as convert } from './convert.js';
import { register as formats } from './formats.js';
import { register as kernels } from './kernels.js';
import { register as onnx } from './onnx.js';
import { register as perf } from './perf.js';
import { register as quant } from './quant.js';
import { register as report } from './report.js';
import { register as serve } from './serve.js';
import { register as supply } from './supply.js';

export type Register = (program: Command) => void;

export const commands: Register[] = [
  report,
  formats,
  quant,
  catalog,
  supply,
  perf,
  serve,
  convert,
  kernels,
  onnx,
];
