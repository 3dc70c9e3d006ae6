/**
 * @module onnx/write
 * Write a changed model without decoding and re-encoding what did not change: the model's and the
 * graph's fields are copied byte for byte from the input (so fields this module does not model,
 * functions, training info, metadata, are kept), except the initializers, nodes and graph inputs
 * named in an edit. The output goes to a temporary name and is renamed when complete; it never
 * replaces its input.
 */
import {
  closeSync,
  fsyncSync,
  lstatSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import protobuf from 'protobufjs/light.js';
import { type LoadedModel, OnnxError } from './model.js';
import { ModelProto, NodeProto, OperatorSetIdProto, TensorProto, ValueInfoProto } from './schema.js';

export interface NewTensor {
  name: string;
  dataType: number;
  dims: number[];
  rawData: Uint8Array;
}
export interface NewAttribute {
  name: string;
  /** 1 FLOAT, 2 INT, 3 STRING, 4 TENSOR, 7 INTS. */
  type: 1 | 2 | 3 | 4 | 7;
  f?: number;
  i?: number;
  s?: string;
  t?: NewTensor;
  ints?: number[];
}
export interface NewNode {
  name: string;
  opType: string;
  domain?: string;
  input: string[];
  output: string[];
  attribute?: NewAttribute[];
}

export interface ModelEdit {
  /** Initializers to replace in place (same name) or remove (value null). */
  initializers?: Map<string, NewTensor | null>;
  /** Constant nodes (by output name) to replace with a new tensor value, or remove (null). */
  constants?: Map<string, NewTensor | null>;
  /** Initializers to add. */
  addInitializers?: NewTensor[];
  /** Nodes to add before the graph's first node (their inputs must be initializers). */
  prependNodes?: NewNode[];
  /** Graph inputs to remove (initializers listed as inputs in old IR versions). */
  removeInputs?: Set<string>;
  /** Raise the default-domain opset to at least this version. */
  minOpset?: number;
  /** Values to add as float graph outputs (to read weights or activations back). */
  addOutputs?: string[];
}

function tensorMessage(t: NewTensor) {
  return TensorProto.create({ name: t.name, dataType: t.dataType, dims: t.dims, rawData: t.rawData });
}

function nodeBytes(n: NewNode): Uint8Array {
  return NodeProto.encode(
    NodeProto.create({
      name: n.name,
      opType: n.opType,
      domain: n.domain ?? '',
      input: n.input,
      output: n.output,
      attribute: (n.attribute ?? []).map((a) => ({
        name: a.name,
        type: a.type,
        ...(a.f !== undefined ? { f: a.f } : {}),
        ...(a.i !== undefined ? { i: a.i } : {}),
        ...(a.s !== undefined ? { s: new TextEncoder().encode(a.s) } : {}),
        ...(a.t !== undefined ? { t: tensorMessage(a.t) } : {}),
        ...(a.ints !== undefined ? { ints: a.ints } : {}),
      })),
    }),
  ).finish();
}

interface Field {
  no: number;
  start: number;
  end: number;
  /** For length-delimited fields: the payload range. */
  body?: [number, number];
}

/** Split a message into its top-level fields (ranges into `buf`). */
function fields(buf: Uint8Array, start: number, end: number): Field[] {
  const r = protobuf.Reader.create(buf.subarray(start, end));
  const out: Field[] = [];
  while (r.pos < r.len) {
    const s = r.pos;
    const tag = r.uint32();
    const no = tag >>> 3;
    const wire = tag & 7;
    if (wire === 2) {
      const len = r.uint32();
      const b0 = r.pos;
      r.skip(len);
      out.push({ no, start: start + s, end: start + r.pos, body: [start + b0, start + b0 + len] });
    } else {
      r.skipType(wire);
      out.push({ no, start: start + s, end: start + r.pos });
    }
  }
  return out;
}

/** The name field (8 in TensorProto, 1 in ValueInfoProto) of an embedded message. */
function nameOf(buf: Uint8Array, f: Field, no: number): string {
  for (const g of fields(buf, f.body![0], f.body![1])) {
    if (g.no === no && g.body) return new TextDecoder().decode(buf.subarray(g.body[0], g.body[1]));
  }
  return '';
}
/** A node's only output name, when the node is a Constant; else null. */
function constantOutput(buf: Uint8Array, f: Field): string | null {
  let op = '';
  const outs: string[] = [];
  for (const g of fields(buf, f.body![0], f.body![1])) {
    if (g.no === 4 && g.body) op = new TextDecoder().decode(buf.subarray(g.body[0], g.body[1]));
    if (g.no === 2 && g.body) outs.push(new TextDecoder().decode(buf.subarray(g.body[0], g.body[1])));
  }
  return op === 'Constant' && outs.length === 1 ? outs[0]! : null;
}

function lengthDelimited(no: number, payload: Uint8Array): Uint8Array {
  const w = protobuf.Writer.create();
  w.uint32((no << 3) | 2).bytes(payload);
  return w.finish();
}

/** Encode the edited model. */
export function encodeEdited(m: LoadedModel, edit: ModelEdit): Uint8Array[] {
  const buf = m.bytes;
  const top = fields(buf, 0, buf.length);
  const graphs = top.filter((f) => f.no === 7);
  if (graphs.length !== 1) throw new OnnxError(`${m.path}: expected one graph field, found ${graphs.length}`);
  const g = graphs[0]!;
  const parts: Uint8Array[] = [];
  const gparts: Uint8Array[] = [];
  for (const n of edit.prependNodes ?? []) gparts.push(lengthDelimited(1, nodeBytes(n)));
  const seenInit = new Set<string>();
  const seenConst = new Set<string>();
  for (const f of fields(buf, g.body![0], g.body![1])) {
    if (f.no === 5 && edit.initializers) {
      const name = nameOf(buf, f, 8);
      if (edit.initializers.has(name)) {
        seenInit.add(name);
        const t = edit.initializers.get(name);
        if (t) gparts.push(lengthDelimited(5, TensorProto.encode(tensorMessage(t)).finish()));
        continue;
      }
    }
    if (f.no === 1 && edit.constants) {
      const out = constantOutput(buf, f);
      if (out !== null && edit.constants.has(out)) {
        seenConst.add(out);
        const t = edit.constants.get(out);
        if (t) {
          gparts.push(
            lengthDelimited(
              1,
              nodeBytes({
                name: `${out}_const`,
                opType: 'Constant',
                input: [],
                output: [out],
                attribute: [{ name: 'value', type: 4, t: { ...t, name: out } }],
              }),
            ),
          );
        }
        continue;
      }
    }
    if (f.no === 11 && edit.removeInputs?.has(nameOf(buf, f, 1))) continue;
    gparts.push(buf.subarray(f.start, f.end));
  }
  for (const name of edit.addOutputs ?? []) {
    gparts.push(
      lengthDelimited(12, ValueInfoProto.encode({ name, type: { tensorType: { elemType: 1 } } }).finish()),
    );
  }
  for (const t of edit.addInitializers ?? [])
    gparts.push(lengthDelimited(5, TensorProto.encode(tensorMessage(t)).finish()));
  for (const name of edit.initializers?.keys() ?? []) {
    if (!seenInit.has(name)) throw new OnnxError(`${m.path}: no initializer "${name}" to replace`);
  }
  for (const name of edit.constants?.keys() ?? []) {
    if (!seenConst.has(name)) throw new OnnxError(`${m.path}: no Constant node "${name}" to replace`);
  }
  let graphLen = 0;
  for (const p of gparts) graphLen += p.length;
  const opset = edit.minOpset && edit.minOpset > m.opset ? edit.minOpset : 0;
  for (const f of top) {
    if (f.no === 7) {
      const w = protobuf.Writer.create();
      w.uint32((7 << 3) | 2).uint32(graphLen);
      parts.push(w.finish(), ...gparts);
      continue;
    }
    if (f.no === 8 && opset) {
      const r = OperatorSetIdProto.decode(buf.subarray(f.body![0], f.body![1])) as unknown as {
        domain: string;
      };
      if (r.domain === '' || r.domain === 'ai.onnx') {
        parts.push(lengthDelimited(8, OperatorSetIdProto.encode({ domain: '', version: opset }).finish()));
        continue;
      }
    }
    parts.push(buf.subarray(f.start, f.end));
  }
  return parts;
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** Whether two paths name the same file (or would, once `b` exists). */
function sameFile(a: string, b: string): boolean {
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.ino === sb.ino && sa.dev === sb.dev;
  } catch {
    try {
      return realpathSync(a) === resolve(b);
    } catch {
      return resolve(a) === resolve(b);
    }
  }
}

/**
 * The record, in an output's folder, of the files `writeParts` wrote there: name -> device:inode:ctime.
 * `--force` replaces only a file listed there whose device and inode still match (a file of the same
 * name that is not ours, a symlink or a hard link to someone else's file is refused).
 */
export const ONNX_LEDGER = '.chipstack-onnx.json';
const LEDGER_TOOL = 'chipstack onnx';

/**
 * A regular file's identity, `device:inode:ctime` (the change time too: a file put in place of ours
 * may get its freed inode number back), or `device:inode` for a file still being written (writing
 * changes its ctime); undefined when the path holds no regular file.
 */
function idOf(path: string, withCtime = true): string | undefined {
  try {
    const st = lstatSync(path, { bigint: true });
    if (!st.isFile()) return undefined;
    return withCtime ? `${st.dev}:${st.ino}:${st.ctimeNs}` : `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}

/**
 * The ledger of `dir`: the files written there (name -> device:inode:ctime) and the temporary files
 * of runs in progress (name -> device:inode:pid), or null when the name holds something that is not
 * our ledger.
 */
interface Ledger {
  files: Map<string, string>;
  pending: Map<string, string>;
}

function readLedger(dir: string): Ledger | null {
  const path = join(dir, ONNX_LEDGER);
  if (!lstatOrUndefined(path)) return { files: new Map(), pending: new Map() };
  try {
    const j = JSON.parse(readFileSync(path, 'utf8')) as {
      tool?: unknown;
      files?: unknown;
      pending?: unknown;
    };
    if (j.tool !== LEDGER_TOOL || typeof j.files !== 'object' || j.files === null) return null;
    const strings = (o: unknown) =>
      new Map(
        typeof o === 'object' && o !== null
          ? Object.entries(o).filter((e): e is [string, string] => typeof e[1] === 'string')
          : [],
      );
    return { files: strings(j.files), pending: strings(j.pending) };
  } catch {
    return null;
  }
}

/** Change `dir`'s ledger (read, edit, written by temporary file and rename); false when not ours or not written. */
function updateLedger(dir: string, edit: (l: Ledger) => void): boolean {
  const l = readLedger(dir);
  if (!l) return false; // a foreign file bears the ledger's name: never replaced, nothing recorded
  edit(l);
  const tmp = join(dir, `.${ONNX_LEDGER}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  let fd: number | undefined;
  let made = false;
  try {
    fd = openSync(tmp, 'wx');
    made = true;
    const body: Record<string, unknown> = { tool: LEDGER_TOOL, files: Object.fromEntries(l.files) };
    if (l.pending.size) body.pending = Object.fromEntries(l.pending);
    writeSync(fd, JSON.stringify(body, null, 1));
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, join(dir, ONNX_LEDGER));
    return true;
  } catch {
    if (fd !== undefined) closeSync(fd);
    if (made) rmSync(tmp, { force: true });
    return false;
  }
}

/** Whether process `pid` is alive on this machine (a pid we cannot signal counts as alive: the safe side). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Record a temporary file this process just created (exclusive open) in its folder's ledger, by
 * device, inode and the writing process's id, so that a run killed before it could remove it (kill
 * -9, power loss) leaves a file a later run can prove was ours. Exported for tests.
 */
export function recordPendingTemp(tmp: string, pid = process.pid): boolean {
  const id = idOf(tmp, false);
  if (!id) return false;
  return updateLedger(dirname(tmp), (l) => l.pending.set(basename(tmp), `${id}:${pid}`));
}

/**
 * Remove the temporary files of runs that died in `dir`: a ledger entry whose process is gone and
 * whose name still holds the same regular file (device and inode: a file's inode number is not
 * reused while the file exists). A name that now holds another file, or nothing, is only dropped
 * from the ledger; a live process's entry is kept. Returns the names removed.
 */
export function sweepStaleTemps(dir: string): string[] {
  const l = readLedger(dir);
  if (!l || l.pending.size === 0) return [];
  const removed: string[] = [];
  const drop: string[] = [];
  for (const [name, rec] of l.pending) {
    const m = /^(\d+:\d+):(\d+)$/.exec(rec);
    // only a temporary file's own name in this folder (no path, as recordPendingTemp writes it)
    if (!m || name !== basename(name) || !/^\..+\.tmp$/.test(name)) {
      drop.push(name);
      continue;
    }
    if (alive(Number(m[2]))) continue;
    const path = join(dir, name);
    if (idOf(path, false) === m[1]) {
      try {
        unlinkSync(path);
        removed.push(name);
      } catch {
        continue; // could not remove: keep the entry for a later run
      }
    }
    drop.push(name);
  }
  if (drop.length)
    updateLedger(dir, (k) => {
      for (const n of drop) k.pending.delete(n);
    });
  return removed;
}

/** Record `out` (just written) in its folder's ledger, and drop its temporary file's entry. */
function recordWritten(out: string, tmp: string): void {
  const id = idOf(out);
  // not recorded: the output stands, and a later --force refuses to replace it (the safe side)
  updateLedger(dirname(out), (l) => {
    l.pending.delete(basename(tmp));
    if (id) l.files.set(basename(out), id);
  });
}

/**
 * Write parts to `out` through a temporary file in the same folder, then rename. Never replaces
 * `input` or any file in `protect` (the input's external data), whatever path names them; an
 * existing `out` is replaced only with `force` and only when this function wrote it (its folder's
 * {@link ONNX_LEDGER} lists its name with the same device, inode and change time).
 */
export function writeParts(
  parts: Uint8Array[],
  out: string,
  input: string,
  opts: { force?: boolean; protect?: readonly string[] } = {},
): number {
  if (out === '') throw new OnnxError('the output path is empty; give a file name');
  if (sameFile(input, out)) throw new OnnxError(`${out}: is the input model; write to another file`);
  for (const p of opts.protect ?? []) {
    if (sameFile(p, out))
      throw new OnnxError(`${out}: holds the input model's external data; write to another file`);
  }
  const there = lstatOrUndefined(out);
  if (there) {
    if (there.isDirectory()) throw new OnnxError(`${out}: is a folder; give a file name`);
    if (!opts.force) throw new OnnxError(`${out}: exists; pass --force to replace it`);
    if (!there.isFile()) throw new OnnxError(`${out}: is not a regular file; it is never replaced`);
    const ours = readLedger(dirname(out))?.files.get(basename(out));
    if (ours === undefined || ours !== idOf(out))
      throw new OnnxError(
        `${out}: exists and was not written by chipstack (not in ${ONNX_LEDGER} with this device, inode and change time); it is never replaced: remove it yourself or choose another name`,
      );
  }
  sweepStaleTemps(dirname(out));
  const tmp = join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
  let fd: number | undefined;
  let created = false; // the temporary file is ours only once our exclusive open made it
  let pending = false;
  let total = 0;
  try {
    fd = openSync(tmp, 'wx');
    created = true;
    pending = recordPendingTemp(tmp);
    for (const p of parts) {
      let off = 0;
      while (off < p.length) off += writeSync(fd, p, off, p.length - off);
      total += p.length;
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, out);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    if (created) rmSync(tmp, { force: true });
    if (pending) updateLedger(dirname(out), (l) => l.pending.delete(basename(tmp)));
    if (e instanceof OnnxError) throw e;
    throw new OnnxError(
      `${out}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  recordWritten(out, tmp);
  return total;
}

/** Concatenate parts into one buffer. */
export function joinParts(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export interface NewValue {
  name: string;
  elemType: number;
  /** Dimensions; a string is a symbolic dimension. */
  dims: (number | string)[];
}

/** Encode a new single-graph model (for probes, tests and small generated models). */
export function buildModelBytes(spec: {
  opset: number;
  irVersion: number;
  nodes: NewNode[];
  initializers: NewTensor[];
  inputs: NewValue[];
  outputs: NewValue[];
}): Uint8Array {
  const vi = (v: NewValue) => ({
    name: v.name,
    type: {
      tensorType: {
        elemType: v.elemType,
        shape: { dim: v.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });
  const graph = {
    name: 'g',
    node: spec.nodes.map((n) => NodeProto.decode(nodeBytes(n))),
    initializer: spec.initializers.map(tensorMessage),
    input: spec.inputs.map(vi),
    output: spec.outputs.map(vi),
  };
  return ModelProto.encode(
    ModelProto.create({
      irVersion: spec.irVersion,
      producerName: 'chipstack',
      opsetImport: [{ domain: '', version: spec.opset }],
      graph,
    }),
  ).finish();
}
