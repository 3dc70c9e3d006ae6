/**
 * @module convert/ledger
 * What a conversion may touch, by identity rather than by path string.
 *
 * - `inputIdentity` / `checkOutputNotInput`: the output folder must not be the input's folder,
 *   however it is reached (symlink, symlinked parent, `..`, bind mount: the real path and the
 *   device + inode of the folders are compared), and must not hold any input file under another
 *   name (hard link or symlink: device + inode of every entry).
 * - `Ledger`: the marker `.chipstack-convert.json` in the output folder, listing every file this
 *   tool wrote there (final files by name, device and inode; temporary files by name). `--force`
 *   removes only files listed there whose device and inode still match, and nothing is ever
 *   written over a file the ledger does not list.
 */
import { randomBytes } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { lstat, readdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ConvertError } from './errors.js';

export const MARKER = '.chipstack-convert.json';

/** Device and inode of a file or folder, as a string (exact: bigint stats). */
function idOf(s: BigIntStats): string {
  return `${s.dev}:${s.ino}`;
}

async function statId(path: string, follow = true): Promise<string | undefined> {
  try {
    return idOf(await (follow ? stat : lstat)(path, { bigint: true }));
  } catch {
    return undefined;
  }
}

/** The real path of `path`, which need not exist: its nearest existing ancestor, resolved, plus the rest. */
export async function realPathOf(path: string): Promise<string> {
  const full = resolve(path);
  try {
    return await realpath(full);
  } catch {
    const parent = dirname(full);
    if (parent === full) return full;
    return join(await realPathOf(parent), basename(full));
  }
}

/** The identities of a checkpoint's input: its folder and each of its files. */
export interface InputIdentity {
  /** Real paths of the folders holding input files. */
  readonly dirs: ReadonlySet<string>;
  /** device:inode of those folders. */
  readonly dirIds: ReadonlySet<string>;
  /** device:inode of every input file → its path. */
  readonly fileIds: ReadonlyMap<string, string>;
}

/** Identities of the input folder `dir` and the input files `files` (index included). */
export async function inputIdentity(dir: string, files: readonly string[]): Promise<InputIdentity> {
  const dirs = new Set<string>();
  const dirIds = new Set<string>();
  const fileIds = new Map<string, string>();
  for (const d of [dir, ...files.map((f) => dirname(f))]) {
    dirs.add(await realPathOf(d));
    const id = await statId(d);
    if (id) dirIds.add(id);
  }
  for (const f of files) {
    dirs.add(dirname(await realPathOf(f)));
    const id = await statId(f);
    if (id) fileIds.set(id, f);
  }
  return { dirs, dirIds, fileIds };
}

/**
 * Refuse an output folder that is an input folder reached another way, or that holds an input file
 * under any name. `label` is the folder as the user gave it.
 */
export async function checkOutputNotInput(out: string, label: string, input: InputIdentity): Promise<void> {
  const refuse = (why: string) => {
    throw new ConvertError(`${label}: ${why}; refusing to write over the input`);
  };
  const real = await realPathOf(out);
  if (input.dirs.has(real)) refuse(`the output folder is the input's folder (${real})`);
  const id = await statId(out);
  if (id === undefined) return;
  if (input.dirIds.has(id)) refuse("the output folder is the input's folder (same device and inode)");
  if (input.fileIds.has(id)) refuse(`the output is the input file ${input.fileIds.get(id)}`);
  const s = await stat(out);
  if (!s.isDirectory()) return;
  for (const e of await readdir(out)) {
    const eid = await statId(join(out, e));
    if (eid !== undefined && input.fileIds.has(eid)) {
      refuse(`${e} in the output folder is the input file ${input.fileIds.get(eid)} (a link to it)`);
    }
  }
}

/** One file the ledger records. */
interface Entry {
  /** A plain file name in the output folder. */
  readonly name: string;
  /** device:inode once the file is in place; absent for a temporary file. */
  readonly id?: string;
}

interface LedgerFile {
  readonly tool: 'chipstack convert';
  readonly version: 2;
  /** The conversion: input files and options (see convert.ts `fingerprint`). */
  readonly plan: string;
  readonly complete: boolean;
  readonly files: readonly Entry[];
}

const PLAIN_NAME = /^[^/\\\0]+$/;

/** Parse a marker; undefined when it is not one of ours (any other content is not trusted). */
function parseLedger(text: string): LedgerFile | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (v === null || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  if (o.tool !== 'chipstack convert' || o.version !== 2 || typeof o.plan !== 'string') return undefined;
  if (typeof o.complete !== 'boolean' || !Array.isArray(o.files)) return undefined;
  const files: Entry[] = [];
  for (const f of o.files as unknown[]) {
    if (f === null || typeof f !== 'object') return undefined;
    const { name, id } = f as Record<string, unknown>;
    if (typeof name !== 'string' || !PLAIN_NAME.test(name) || name === '.' || name === '..') return undefined;
    if (id !== undefined && typeof id !== 'string') return undefined;
    files.push(id === undefined ? { name } : { name, id });
  }
  return { tool: 'chipstack convert', version: 2, plan: o.plan, complete: o.complete, files };
}

/** The files this tool wrote in an output folder, kept in its marker (rewritten atomically on each change). */
export class Ledger {
  private readonly files = new Map<string, Entry>();
  private complete = false;

  private constructor(
    readonly dir: string,
    private plan: string,
  ) {}

  /** The ledger of `dir`, or undefined when it has no marker of ours. */
  static async read(dir: string): Promise<Ledger | undefined> {
    const text = await readFile(join(dir, MARKER), 'utf8').catch(() => undefined);
    const parsed = text === undefined ? undefined : parseLedger(text);
    if (!parsed) return undefined;
    const l = new Ledger(dir, parsed.plan);
    l.complete = parsed.complete;
    for (const f of parsed.files) l.files.set(f.name, f);
    return l;
  }

  static create(dir: string, plan: string): Ledger {
    return new Ledger(dir, plan);
  }

  get planText(): string {
    return this.plan;
  }

  get isComplete(): boolean {
    return this.complete;
  }

  /** Start a new conversion in this ledger (files already listed stay listed). */
  restart(plan: string): void {
    this.plan = plan;
    this.complete = false;
  }

  /** Whether the file `name` in the folder is one this tool wrote (listed, and same device and inode). */
  async owns(name: string): Promise<boolean> {
    const e = this.files.get(name);
    if (!e) return false;
    const path = join(this.dir, name);
    const s = await lstat(path, { bigint: true }).catch(() => undefined);
    if (!s) return true; // gone: nothing to protect
    if (!s.isFile()) return false;
    return e.id === undefined ? isTempName(name) : e.id === idOf(s);
  }

  /** Listed temporary files that are still there. */
  async temps(): Promise<string[]> {
    const out: string[] = [];
    for (const e of this.files.values()) {
      if (e.id === undefined && (await lstat(join(this.dir, e.name)).catch(() => undefined)))
        out.push(e.name);
    }
    return out;
  }

  /** Listed final files that are still there (and still ours). */
  async finals(): Promise<string[]> {
    const out: string[] = [];
    for (const e of this.files.values()) {
      if (e.id !== undefined && (await statId(join(this.dir, e.name), false)) === e.id) out.push(e.name);
    }
    return out;
  }

  /**
   * Remove listed files that are still ours (`which`: temporary ones, or all), never anything in
   * `keep` or any input file. Returns the names removed.
   */
  async remove(which: 'temps' | 'all', input: InputIdentity, keep: ReadonlySet<string> = new Set()) {
    const removed: string[] = [];
    for (const e of [...this.files.values()]) {
      if (keep.has(e.name) || (which === 'temps' && e.id !== undefined)) continue;
      const path = join(this.dir, e.name);
      const s = await lstat(path, { bigint: true }).catch(() => undefined);
      if (s && (await this.owns(e.name)) && !input.fileIds.has(idOf(s))) {
        await rm(path, { force: true });
        removed.push(e.name);
      }
      if (!s || removed.includes(e.name)) this.files.delete(e.name);
    }
    await this.save();
    return removed;
  }

  /** Record a temporary file about to be created (before it exists, so a crash cannot hide it). */
  async temp(path: string): Promise<void> {
    this.files.set(basename(path), { name: basename(path) });
    await this.save();
  }

  /** Record a file now in place under its final name (the temporary entries of it are dropped). */
  async placed(path: string): Promise<void> {
    const name = basename(path);
    for (const e of [...this.files.values()]) {
      if (e.id === undefined && e.name.startsWith(`.${name}.`)) this.files.delete(e.name);
      if (e.id === undefined && e.name.startsWith(`${name}.`)) this.files.delete(e.name);
    }
    const id = await statId(path, false);
    if (id) this.files.set(name, { name, id });
    await this.save();
  }

  async finish(): Promise<void> {
    for (const e of [...this.files.values()]) if (e.id === undefined) this.files.delete(e.name);
    this.complete = true;
    await this.save();
  }

  /** Delete the marker itself (when nothing of ours is left). */
  async drop(): Promise<void> {
    await rm(join(this.dir, MARKER), { force: true });
  }

  get size(): number {
    return this.files.size;
  }

  async save(): Promise<void> {
    const body: LedgerFile = {
      tool: 'chipstack convert',
      version: 2,
      plan: this.plan,
      complete: this.complete,
      files: [...this.files.values()],
    };
    const path = join(this.dir, MARKER);
    const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    let created = false; // exclusive create: a file of that name that is not ours is never written or removed
    try {
      await writeFile(temp, `${JSON.stringify(body)}\n`, { flag: 'wx' });
      created = true;
      await rename(temp, path);
    } catch (err) {
      if (created) await rm(temp, { force: true });
      throw err;
    }
  }
}

/** Names of the temporary files the io writer and config copier create. */
function isTempName(name: string): boolean {
  return name.endsWith('.tmp');
}
