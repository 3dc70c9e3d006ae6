/**
 * @module formats/errors
 * The typed error the library throws when a caller passes a bad argument at its edge: an unknown
 * name, a value of the wrong type, a length that does not fit, a number out of range. It extends
 * RangeError (what these functions threw before), and carries a `code` to branch on and the name
 * of the argument.
 */

export type ArgumentErrorCode =
  /** A name (format, preset, rounding, kind, ...) that is not one of the known ones. */
  | 'unknown-name'
  /** A value of the wrong type (not an array of numbers, not a string, ...). */
  | 'bad-type'
  /** Lengths that do not fit together (too few scales, too few bytes, a too small output). */
  | 'bad-length'
  /** A number outside its allowed range, or not an integer where one is needed. */
  | 'out-of-range';

export class ArgumentError extends RangeError {
  override readonly name = 'ArgumentError';
  readonly code: ArgumentErrorCode;
  /** The argument or option at fault, e.g. `scales` or `options.rounding`. */
  readonly argument: string;

  constructor(code: ArgumentErrorCode, argument: string, message: string) {
    super(message);
    this.code = code;
    this.argument = argument;
  }
}

/** Whether `record` has `name` as its own property (never a member of Object.prototype). */
export function hasOwnName(record: object, name: unknown): name is string {
  return typeof name === 'string' && Object.hasOwn(record, name);
}

/** Throw `out-of-range` unless every named value is a non-negative safe integer. */
export function checkCounts(values: readonly (readonly [string, unknown])[]): void {
  for (const [what, v] of values) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw new ArgumentError(
        'out-of-range',
        what,
        `${what} must be a non-negative integer, got ${String(v)}`,
      );
    }
  }
}
