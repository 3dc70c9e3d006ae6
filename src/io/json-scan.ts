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

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const PLAIN_INTEGER = /^(0|[1-9][0-9]*)$/;
const NUMBER_END = /[\s,\]}]/;

/** Scan `text`, which must be valid JSON, for duplicate keys and loose integer literals. */
export function scanJson(text: string): JsonScan {
  const stack: Frame[] = [];
  const looseIntegers: LooseInteger[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      let escaped = false;
      for (;;) {
        const cc = text.charCodeAt(j);
        if (cc === QUOTE) break;
        if (cc === BACKSLASH) {
          escaped = true;
          j++;
        }
        j++;
      }
      const top = stack[stack.length - 1];
      if (expectKey && top?.keys) {
        const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        if (top.keys.has(key))
          return { duplicate: { path: pathOf(stack, stack.length - 1), key }, looseIntegers };
        top.keys.add(key);
        top.key = key;
        expectKey = false;
      }
      i = j;
    } else if (c === '{') {
      stack.push({ keys: new Set(), key: undefined });
      expectKey = true;
    } else if (c === '[') {
      stack.push({ keys: undefined, key: undefined });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      expectKey = stack[stack.length - 1]?.keys !== undefined;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      let j = i + 1;
      while (j < text.length && !NUMBER_END.test(text[j])) j++;
      const literal = text.slice(i, j);
      if (stack.length === 3 && !stack[2].keys && !PLAIN_INTEGER.test(literal)) {
        const [tensor, field] = pathOf(stack, 2);
        looseIntegers.push({ path: [tensor, field], literal });
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
