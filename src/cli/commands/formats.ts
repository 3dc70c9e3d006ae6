/**
 * @module cli/commands/formats
 * `chipstack formats`, `encode` and `decode`: the element formats from the terminal.
 */
import type { Command } from 'commander';
import {
  type CodecOptions,
  codec,
  describeFormat,
  FORMAT_NAMES,
  formatInfo,
  MAX_SEED,
  OVERFLOW_MODES,
  PRESET_NAMES,
  ROUNDING_MODES,
} from '../../formats/index.js';
import { choiceArg, integerArg, parseNumberArg, table, toJson, UsageError } from '../util.js';

const hex = (c: number, bits: number) =>
  '0x' +
  c
    .toString(16)
    .toUpperCase()
    .padStart(bits > 8 ? 4 : 2, '0');

/** Shortest text of a number that reads back to the same double. */
export function showNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (Object.is(v, -0)) return '-0';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e7)) {
    const e = Math.round(Math.log2(a));
    if (2 ** e === a) return `${v < 0 ? '-' : ''}2^${e}`;
  }
  return String(v);
}

function checkFormat(name: string) {
  return formatInfo(choiceArg(name, 'format', FORMAT_NAMES));
}

function makeCodec(
  format: string,
  o: { preset?: string; rounding?: string; overflow?: string; seed?: string },
) {
  checkFormat(format);
  const opts: CodecOptions = {};
  if (o.preset !== undefined) opts.preset = choiceArg(o.preset, 'preset', PRESET_NAMES);
  if (o.rounding !== undefined) opts.rounding = choiceArg(o.rounding, 'rounding', ROUNDING_MODES);
  if (o.overflow !== undefined) opts.overflow = choiceArg(o.overflow, 'overflow', OVERFLOW_MODES);
  if (o.seed !== undefined) {
    opts.seed = integerArg(o.seed, '--seed', 0, MAX_SEED);
    if (opts.rounding !== 'stochastic') {
      throw new UsageError('--seed is for stochastic rounding: add --rounding stochastic');
    }
  }
  try {
    return codec(format, opts);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** The most values (or codes) one `encode` (or `decode`) takes. */
const MAX_VALUES = 100_000;

export function formatRows() {
  return FORMAT_NAMES.map((n) => describeFormat(n));
}

export function formatsTable(): string {
  return table(
    [
      'format',
      'bits',
      'layout',
      'bias',
      'max finite',
      'min normal',
      'min subnormal',
      'Inf',
      'NaN',
      'finite values',
    ],
    formatRows().map((r) => [
      r.name,
      r.bits,
      r.layout,
      r.bias === null ? '-' : String(r.bias),
      showNumber(r.maxFinite),
      showNumber(r.minNormal),
      r.minSubnormal === null ? '-' : showNumber(r.minSubnormal),
      r.infCodes,
      r.nanCodes,
      r.distinctFinite,
    ]),
  );
}

export function register(program: Command): void {
  program
    .command('formats')
    .description('List every element format: layout, bias, limits, special codes, number of finite values')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => {
      process.stdout.write((o.json ? toJson(formatRows()) : formatsTable()) + '\n');
    });

  program
    .command('encode')
    .description('Encode numbers into a format; prints the code and the value it decodes to')
    .requiredOption('-f, --format <name>', `format: ${FORMAT_NAMES.join(', ')}`)
    .option('-p, --preset <name>', `reference semantics: ${PRESET_NAMES.join(', ')}`)
    .option('-r, --rounding <mode>', `rounding: ${ROUNDING_MODES.join(', ')}`)
    .option('-o, --overflow <mode>', `overflow: ${OVERFLOW_MODES.join(', ')}`)
    .option('--seed <n>', `seed for stochastic rounding: an integer 0-${MAX_SEED}`)
    .option('--json', 'print JSON: [{input, code, hex, value}]')
    .argument('<values...>', 'numbers (decimal, hex 0x.., nan, inf, -inf)')
    .action(
      (
        values: string[],
        o: {
          format: string;
          json?: boolean;
          preset?: string;
          rounding?: string;
          overflow?: string;
          seed?: string;
        },
      ) => {
        if (values.length > MAX_VALUES) {
          throw new UsageError(`at most ${MAX_VALUES} values at once, got ${values.length}`);
        }
        const c = makeCodec(o.format, o);
        const bits = c.info.spec.bits;
        const rows = values.map((text) => {
          const x = parseNumberArg(text);
          const code = c.encode(x);
          return { input: text, code, hex: hex(code, bits), value: c.decode(code) };
        });
        if (o.json) process.stdout.write(toJson(rows) + '\n');
        else {
          const t = table(
            ['input', 'code', 'value', 'error'],
            rows.map((r) => {
              const x = parseNumberArg(r.input);
              const err = Number.isFinite(x) && Number.isFinite(r.value) ? showNumber(r.value - x) : '-';
              return [r.input, r.hex, showNumber(r.value), err];
            }),
          );
          process.stdout.write(t + '\n');
        }
      },
    );

  program
    .command('decode')
    .description('Decode codes of a format to their values')
    .requiredOption('-f, --format <name>', `format: ${FORMAT_NAMES.join(', ')}`)
    .option('--json', 'print JSON: [{code, hex, value}]')
    .argument('<codes...>', 'codes, hex (0x7E) or decimal')
    .action((codes: string[], o: { format: string; json?: boolean }) => {
      const info = checkFormat(o.format);
      if (codes.length > MAX_VALUES)
        throw new UsageError(`at most ${MAX_VALUES} codes at once, got ${codes.length}`);
      const rows = codes.map((text) => {
        const t = text.trim().toLowerCase();
        const code = /^0x[0-9a-f]+$/.test(t)
          ? Number.parseInt(t, 16)
          : /^\d+$/.test(t)
            ? Number(t)
            : Number.NaN;
        if (!Number.isInteger(code)) throw new UsageError(`code "${text}" is not a hex or decimal integer`);
        if (code >= info.codeCount) {
          throw new UsageError(
            `code ${text} is out of range for ${info.spec.name} (0..${hex(info.codeCount - 1, info.spec.bits)})`,
          );
        }
        return { code, hex: hex(code, info.spec.bits), value: info.values[code]! };
      });
      if (o.json) process.stdout.write(toJson(rows) + '\n');
      else
        process.stdout.write(
          table(
            ['code', 'value'],
            rows.map((r) => [r.hex, showNumber(r.value)]),
          ) + '\n',
        );
    });
}
