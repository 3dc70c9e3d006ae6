/**
 * @module cli/util
 * Shared helpers for CLI commands: user errors with exit code 2, JSON output
 * that survives NaN and infinities, and plain-text tables.
 */

/** An error caused by the user's input: printed as one line, exit code 2, no stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * JSON text like JSON.stringify's, except that NaN and infinities are written as the strings
 * "NaN", "Infinity", "-Infinity", bigints as decimal strings, and -0 as the number -0 (valid JSON
 * that JSON.parse reads back as -0; JSON.stringify would write 0).
 */
export function toJson(value: unknown, indent = 2): string {
  const pad = typeof indent === 'number' ? ' '.repeat(Math.max(0, Math.min(10, indent))) : '';
  const seen = new Set<object>();
  const write = (v: unknown, depth: string): string | undefined => {
    if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
      v = (v as { toJSON: () => unknown }).toJSON();
    }
    if (v === null) return 'null';
    switch (typeof v) {
      case 'number':
        if (Object.is(v, -0)) return '-0';
        return Number.isFinite(v) ? String(v) : JSON.stringify(String(v));
      case 'bigint':
        return JSON.stringify(v.toString());
      case 'string':
      case 'boolean':
        return JSON.stringify(v);
      case 'object':
        break;
      default:
        return undefined; // undefined, functions, symbols: left out as JSON.stringify does
    }
    const obj = v as object;
    if (seen.has(obj)) throw new TypeError('toJson: circular structure');
    seen.add(obj);
    const inner = depth + pad;
    const nl = pad ? `\n${inner}` : '';
    const end = pad ? `\n${depth}` : '';
    const sep = pad ? ': ' : ':';
    let out: string;
    if (Array.isArray(obj)) {
      const items = obj.map((x) => write(x, inner) ?? 'null');
      out = items.length === 0 ? '[]' : `[${nl}${items.join(`,${nl}`)}${end}]`;
    } else {
      const items: string[] = [];
      for (const [k, x] of Object.entries(obj)) {
        const t = write(x, inner);
        if (t !== undefined) items.push(`${JSON.stringify(k)}${sep}${t}`);
      }
      out = items.length === 0 ? '{}' : `{${nl}${items.join(`,${nl}`)}${end}}`;
    }
    seen.delete(obj);
    return out;
  };
  return write(value, '') ?? 'null';
}

/** Format rows as an aligned text table; numbers are right-aligned. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => String(c)))];
  // a loop, not Math.max(...cells): a million rows must not overflow the stack
  const widths = headers.map((_, i) => cells.reduce((w, r) => Math.max(w, (r[i] ?? '').length), 0));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const line = (r: string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join(
    '\n',
  );
}

/** Parse a CLI number strictly: the whole string must be a number (or nan/inf spellings). */
export function parseNumberArg(text: string, what = 'value'): number {
  const t = text.trim().toLowerCase();
  if (t === 'nan') return Number.NaN;
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Number.POSITIVE_INFINITY;
  if (t === '-inf' || t === '-infinity') return Number.NEGATIVE_INFINITY;
  if (t === '' || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$|^[+-]?0x[0-9a-f]+$/.test(t)) {
    throw new UsageError(`${what} "${text}" is not a number`);
  }
  const n = t.includes('0x') ? Number.parseInt(t, 16) : Number(t);
  if (Number.isNaN(n)) throw new UsageError(`${what} "${text}" is not a number`);
  return n;
}

/**
 * Parse a CLI integer strictly: decimal digits (optional sign) or 0x hex, a safe integer within
 * [min, max]. No wrapping, no truncation: "1.5", "-1" (when min is 0), "" and "1e3" are errors.
 * `fallback` is returned when `text` is undefined (an option that was not given).
 */
export function integerArg(
  text: string | undefined,
  what: string,
  min = Number.MIN_SAFE_INTEGER,
  max = Number.MAX_SAFE_INTEGER,
  fallback?: number,
): number {
  if (text === undefined) {
    if (fallback === undefined) throw new UsageError(`${what} is required`);
    return fallback;
  }
  const t = String(text).trim().toLowerCase();
  let n = Number.NaN;
  if (/^[+-]?\d+$/.test(t)) n = Number(t);
  else if (/^[+-]?0x[0-9a-f]+$/.test(t))
    n = (t.startsWith('-') ? -1 : 1) * Number.parseInt(t.replace(/^[+-]/, ''), 16);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(
      `${what} must be an integer from ${min} to ${max}, got "${printable(String(text))}"`,
    );
  }
  return Object.is(n, -0) ? 0 : n;
}

/** Parse a finite CLI number within [min, max] (inclusive); NaN and infinities are errors. */
export function finiteArg(
  text: string | undefined,
  what: string,
  min = Number.NEGATIVE_INFINITY,
  max = Number.POSITIVE_INFINITY,
  fallback?: number,
): number {
  if (text === undefined) {
    if (fallback === undefined) throw new UsageError(`${what} is required`);
    return fallback;
  }
  const n = parseNumberArg(text, what);
  if (!Number.isFinite(n) || n < min || n > max) {
    const range =
      min === Number.NEGATIVE_INFINITY && max === Number.POSITIVE_INFINITY
        ? 'a finite number'
        : `a number from ${min} to ${max}`;
    throw new UsageError(`${what} must be ${range}, got "${printable(text)}"`);
  }
  return n;
}

/** One of a fixed list of names (compared as strings, never as property look-ups). */
export function choiceArg<T extends string>(text: string | undefined, what: string, allowed: readonly T[]): T;
export function choiceArg<T extends string>(
  text: string | undefined,
  what: string,
  allowed: readonly T[],
  fallback: T,
): T;
export function choiceArg<T extends string>(
  text: string | undefined,
  what: string,
  allowed: readonly T[],
  fallback?: T,
): T {
  if (text === undefined) {
    if (fallback === undefined) throw new UsageError(`${what} is required`);
    return fallback;
  }
  if (!(allowed as readonly string[]).includes(text)) {
    throw new UsageError(`unknown ${what} "${printable(text)}" (known: ${allowed.join(', ')})`);
  }
  return text as T;
}

/**
 * Look a user-given name up in a record as an own property only: "__proto__", "constructor" and
 * "toString" are unknown names, not Object.prototype's members.
 */
export function lookupArg<V>(
  record: Readonly<Record<string, V>> | ReadonlyMap<string, V>,
  name: string,
  what: string,
): V {
  if (record instanceof Map) {
    if (record.has(name)) return record.get(name) as V;
    throw new UsageError(`unknown ${what} "${printable(name)}" (known: ${[...record.keys()].join(', ')})`);
  }
  const r = record as Readonly<Record<string, V>>;
  if (Object.hasOwn(r, name)) return r[name] as V;
  throw new UsageError(`unknown ${what} "${printable(name)}" (known: ${Object.keys(r).join(', ')})`);
}

/** A comma-separated list with no empty items ("a,,b", ",", "" are errors); at most `maxItems`. */
export function listArg(text: string, what: string, maxItems = 1000): string[] {
  const items = String(text)
    .split(',')
    .map((s) => s.trim());
  if (items.some((s) => s === '')) {
    throw new UsageError(`${what} "${printable(text)}" has an empty item (expected a comma-separated list)`);
  }
  if (items.length > maxItems)
    throw new UsageError(`${what} lists ${items.length} items, at most ${maxItems}`);
  return items;
}

/**
 * A shape "AxBx..." of positive integers with a cap on the element count (sizes are computed in
 * float64, never int32). `dims` fixes the number of dimensions when given.
 */
export function shapeArg(text: string, what: string, maxElements: number, dims?: number): number[] {
  const parts = String(text).trim().toLowerCase().split('x');
  const ok = parts.every((p) => /^\d+$/.test(p)) && (dims === undefined || parts.length === dims);
  const form =
    dims === undefined ? 'AxB...' : Array.from({ length: dims }, (_, i) => 'NKMLJ'[i] ?? 'D').join('x');
  if (!ok) throw new UsageError(`${what} "${printable(text)}" is not a shape ${form} of positive integers`);
  const shape = parts.map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 1)) {
    throw new UsageError(`${what} "${printable(text)}" has a dimension that is 0 or too large`);
  }
  const n = shape.reduce((a, b) => a * b, 1);
  if (n > maxElements) {
    throw new UsageError(
      `${what} "${printable(text)}" has ${n} elements, more than the cap of ${maxElements}`,
    );
  }
  return shape;
}

/** A text safe to print on a terminal: control characters (C0, DEL, C1) as \u escapes, cut at `max` characters. */
export function printable(text: string, max = 200): string {
  let s = '';
  for (const c of String(text)) {
    s += isControl(c) ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c;
  }
  return s.length > max ? `${s.slice(0, max)}...` : s;
}

/** Control characters (C0, DEL, C1) and the line separators and bidirectional overrides that reorder or break a terminal line. */
export function isControl(c: string): boolean {
  const n = c.charCodeAt(0);
  return (
    n < 0x20 ||
    (n >= 0x7f && n <= 0x9f) ||
    n === 0x2028 ||
    n === 0x2029 ||
    (n >= 0x202a && n <= 0x202e) ||
    (n >= 0x2066 && n <= 0x2069)
  );
}

/** Plain words for the system errors the CLI reports as the user's (missing path, full or read-only disk, ...). */
const ERRNO_WORDS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'it already exists',
  ENOTEMPTY: 'the folder is not empty',
  ENOSPC: 'no space left on the disk',
  EROFS: 'the file system is read-only',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'the file is too large for the file system',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files on the system',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links in the path',
  EXDEV: 'source and target are on different file systems',
  EBUSY: 'the file or folder is busy',
  EADDRINUSE: 'the address is already in use',
  EADDRNOTAVAIL: 'the address is not available on this machine',
  EPIPE: 'the output was closed',
  EIO: 'input/output error',
};

/** What the failed system call was doing, in words. */
const SYSCALL_WORDS: Record<string, string> = {
  open: 'cannot open',
  read: 'cannot read',
  write: 'cannot write',
  mkdir: 'cannot create the folder',
  rmdir: 'cannot remove the folder',
  unlink: 'cannot remove',
  rename: 'cannot rename',
  copyfile: 'cannot copy',
  stat: 'cannot read',
  lstat: 'cannot read',
  fstat: 'cannot read',
  scandir: 'cannot list the folder',
  opendir: 'cannot list the folder',
  access: 'cannot access',
  link: 'cannot link',
  symlink: 'cannot link',
  ftruncate: 'cannot write',
  fsync: 'cannot write',
  listen: 'cannot listen',
  bind: 'cannot listen',
};

export type SystemError = Error & { code: string; syscall?: unknown; path?: unknown; dest?: unknown };

/**
 * A Node system error as one plain line naming the file: `PATH: cannot create the folder: no such
 * file or folder (ENOENT)` instead of Node's `ENOENT: no such file or directory, mkdir 'PATH'`.
 */
export function systemErrorLine(e: SystemError): string {
  const words = Object.hasOwn(ERRNO_WORDS, e.code) ? ERRNO_WORDS[e.code]! : e.message;
  const call =
    typeof e.syscall === 'string' && Object.hasOwn(SYSCALL_WORDS, e.syscall)
      ? SYSCALL_WORDS[e.syscall]!
      : null;
  const path = typeof e.path === 'string' ? e.path : null;
  const dest = typeof e.dest === 'string' ? ` to ${e.dest}` : '';
  // what a caller appended after Node's own message (e.g. convert's note on what was cleaned up)
  // (Node's part starts at the code, possibly after a path a caller put first: both are replaced)
  const at = e.message.indexOf(`${e.code}: `);
  const own =
    at < 0 ? null : /^[A-Z]+: [^,\n]*(?:, [a-z_]+(?: '[^']*'(?: -> '[^']*')?)?)?/.exec(e.message.slice(at));
  const extra = own ? e.message.slice(at + own[0].length).trim() : '';
  const tail = `${call ? `${call}: ` : ''}${words} (${e.code})${extra ? ` ${extra}` : ''}`;
  return path === null ? tail : `${path}${dest}: ${tail}`;
}
