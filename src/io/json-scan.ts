/**
 * @module io/json-scan
 * What JSON.parse hides. It keeps the last of two equal keys without a word, and reads `1.0` or
 * `1e3` as an integer; the reference (serde) refuses both. This scan walks text that JSON.parse has
 * already accepted, without recursion (so nesting depth cannot overflow the stack), and reports
 * the first duplicate key and every number literal, inside an array two objects deep, that is not
 * a plain non-negative integer.
 */

/** A duplicate key and the keys of the objects that hold it, outermost first. */
export interface DuplicateKey {
  readonly path: readonly string[];
  readonly key: string;
}

/** A number literal such as `1.0`, `-1` or `1e3` found in an array at `path` (e.g. `["w", "shape"]`). */
export interface LooseInteger {
  readonly path: readonly [string, string];
  readonly literal: string;
}

export interface JsonScan {
  readonly duplicate: DuplicateKey | undefined;
  readonly looseIntegers: readonly LooseInteger[];
}

interface Frame {
  readonly keys: Set<string> | undefined; // undefined for an array
  key: string | undefined; // the member being read, in an object
}

const QUOTE = 0x22; // "
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b; // {
const CLOSE_OBJECT = 0x7d; // }
const OPEN_ARRAY = 0x5b; // [
const CLOSE_ARRAY = 0x5d; // ]
const COMMA = 0x2c;
const MINUS = 0x2d;
const PLAIN_INTEGER = /^(0|[1-9][0-9]*)$/;

/** Whether `c` can continue a JSON number: digits, `.`, `e`, `E`, `+`, `-`. */
function inNumber(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === MINUS;
}

/** Index of the quote closing the string whose opening quote is at `open`. */
function closingQuote(text: string, open: number): number {
  let j = text.indexOf('"', open + 1);
  for (;;) {
    let slashes = 0;
    while (text.charCodeAt(j - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return j;
    j = text.indexOf('"', j + 1);
  }
}

/** Scan `text`, which must be valid JSON, for duplicate keys and loose integer literals. */
export function scanJson(text: string): JsonScan {
  const stack: Frame[] = [];
  const looseIntegers: LooseInteger[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const j = closingQuote(text, i);
      const top = stack[stack.length - 1];
      if (expectKey && top?.keys) {
        const raw = text.slice(i + 1, j);
        const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        if (top.keys.has(key))
          return { duplicate: { path: pathOf(stack, stack.length - 1), key }, looseIntegers };
        top.keys.add(key);
        top.key = key;
        expectKey = false;
      }
      i = j;
    } else if (c === OPEN_OBJECT) {
      stack.push({ keys: new Set(), key: undefined });
      expectKey = true;
    } else if (c === OPEN_ARRAY) {
      stack.push({ keys: undefined, key: undefined });
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      stack.pop();
    } else if (c === COMMA) {
      expectKey = stack[stack.length - 1]?.keys !== undefined;
    } else if (c === MINUS || (c >= 0x30 && c <= 0x39)) {
      let j = i + 1;
      while (j < text.length && inNumber(text.charCodeAt(j))) j++;
      if (stack.length === 3 && !stack[2].keys) {
        const literal = text.slice(i, j);
        if (!PLAIN_INTEGER.test(literal)) {
          const [tensor, field] = pathOf(stack, 2);
          looseIntegers.push({ path: [tensor, field], literal });
        }
      }
      i = j - 1;
    }
  }
  return { duplicate: undefined, looseIntegers };
}

/** The member keys leading to `stack[depth]`. */
function pathOf(stack: readonly Frame[], depth: number): string[] {
  const path: string[] = [];
  for (let d = 0; d < depth; d++) path.push(stack[d].key ?? '');
  return path;
}
