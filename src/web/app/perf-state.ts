/**
 * @module web/perf-state
 * The Performance page's setup, read from the URL, and the simulator's workload built from it. The
 * router reads it at navigation and sends the first simulation to the perf worker while the page's
 * code loads (`startPerf`: this module imports nothing heavy; the form's choices are the small
 * record the build takes from the catalogue, `chipstack:perf-choices`); the page reads the same
 * state and its identical request takes that answer.
 */
import CHOICES from 'chipstack:perf-choices';
import type { Assumed, OverlapKind, Workload } from '../../perf/index.js';
import type { PerfChoices } from '../../web/perf-choices.js';
import { prefetch } from './client.js';
import { current } from './state.js';

/** The form's choices: `perfChoices` of the validated catalogue, run by the build. */
export const choices = CHOICES as PerfChoices;
/** perf's storage format ids. */
export const FORMAT_IDS: readonly string[] = choices.formats;
const MODELS = new Map(choices.models.map((m) => [m.id, m]));
const SYSTEMS = new Map(choices.systems.map((s) => [s.id, s]));
const CHIPS = new Map(choices.accelerators.map((a) => [a.id, a]));

function lookup<T>(map: Map<string, T>, id: string, what: string): T {
  const hit = map.get(id);
  if (!hit) throw new Error(`unknown ${what} "${id}"`);
  return hit;
}

export const modelName = (id: string): string => lookup(MODELS, id, 'model').name;
export const chipName = (id: string): string => lookup(CHIPS, id, 'chip').name;
/** Whether a catalogue model has experts (false for an unknown id). */
export const isMoe = (id: string): boolean => MODELS.get(id)?.moe ?? false;

/** A system's chip: a catalogue system's, or CHIP of a `CHIP:N` system built from a chip. */
function chipOf(system: string) {
  const m = /^(.+):(\d+)$/.exec(system);
  return lookup(CHIPS, m ? m[1]! : lookup(SYSTEMS, system, 'system').accelerator, 'chip');
}

/** A system's name: the catalogue's, or "N x CHIP (built from the chip)" for `CHIP:N`. */
export function systemName(system: string): string {
  const m = /^(.+):(\d+)$/.exec(system);
  if (!m) return lookup(SYSTEMS, system, 'system').name;
  return `${m[2]} x ${chipName(m[1]!)} (built from the chip)`;
}

/** "auto" weights: the best 8-bit format the system's chip runs natively (perf-choices.ts). */
export const nativeEightBit = (system: string): string => chipOf(system).eightBit;

/** The page's fields, as typed (strings), by their URL keys. */
export interface PerfState {
  model: string;
  system: string;
  phase: string;
  batch: string;
  seq: string;
  weights: string;
  /** The attention projections' weight format (perf's `attentionWeights`, the CLI's --attention-weights). */
  attn: string;
  acts: string;
  kv: string;
  tp: string;
  pp: string;
  ep: string;
  /** 'none', or a catalogue chip: the system is then `CHIP:N` with N = `count`. */
  chip: string;
  count: string;
  /** perf's assumptions for missing figures: FIELD=VALUE, comma-separated. */
  assume: string;
  /** Fraction of the collectives hidden behind local work (perf's `overlap`, the CLI's --overlap). */
  overlap: string;
  /** What hides them (perf's `overlapKind`, the CLI's --overlap-kind). */
  'overlap-kind': string;
  tpot: string;
  ttft: string;
  olen: string;
}

/** Whole-number fields: label, least and greatest value. */
export const LIMITS = {
  batch: ['Batch', 1, 1e6],
  seq: ['Sequence length', 1, 1e7],
  tp: ['TP', 1, 1024],
  pp: ['PP', 1, 1024],
  count: ['Chip count', 1, 1_000_000],
  olen: ['Output length', 1, 1e6],
} as const;

/** A whole number in [min, max], or the reason it is not one. */
export function wholeNumber(raw: string, what: string, min: number, max: number): number | string {
  const t = raw.trim();
  if (t === '') return `${what} is empty: type a whole number from ${min} to ${max.toLocaleString()}`;
  const v = Number(t);
  if (!Number.isFinite(v) || !Number.isInteger(v)) return `${what} must be a whole number, got "${raw}"`;
  if (v < min || v > max) return `${what} must be from ${min} to ${max.toLocaleString()}, got ${v}`;
  return v;
}

/**
 * The setup in the URL. A value that is not one of its field's choices is kept as given and listed
 * in `problems` by its key (the page shows it, flagged, and simulates nothing until it is fixed).
 */
export function readPerfState(params: URLSearchParams = current().params): {
  st: PerfState;
  problems: Map<string, string>;
} {
  const problems = new Map<string, string>();
  const choice = (key: string, fallback: string, allowed: readonly string[], what: string): string => {
    const v = params.get(key);
    if (v === null) return fallback;
    if (!allowed.includes(v)) problems.set(key, `${what} "${v}" (from the link) is not one of the choices`);
    return v;
  };
  const raw = (key: string, fallback: string) => params.get(key) ?? fallback;
  const st: PerfState = {
    model: choice('model', 'deepseek-v3', [...MODELS.keys()], 'model'),
    system: choice('system', 'cloudmatrix-384', [...SYSTEMS.keys()], 'system'),
    phase: choice('phase', 'decode', ['decode', 'prefill'], 'phase'),
    batch: raw('batch', '64'),
    seq: raw('seq', '4096'),
    weights: choice('weights', 'auto', ['auto', ...FORMAT_IDS], 'weight format'),
    attn: choice('attn', 'same', ['same', ...FORMAT_IDS], 'attention-weight format'),
    acts: choice('acts', 'same', ['same', ...FORMAT_IDS], 'activation format'),
    kv: choice('kv', 'bf16', FORMAT_IDS, 'KV-cache format'),
    tp: raw('tp', '1'),
    pp: raw('pp', '1'),
    ep: raw('ep', 'auto'),
    chip: choice('chip', 'none', ['none', ...CHIPS.keys()], 'chip'),
    count: raw('count', '8'),
    assume: raw('assume', ''),
    overlap: raw('overlap', '0'),
    'overlap-kind': choice('overlap-kind', choices.overlapKinds[0]!, choices.overlapKinds, 'overlap kind'),
    tpot: raw('tpot', '50'),
    ttft: raw('ttft', ''),
    olen: raw('olen', '1000'),
  };
  numberProblems(st, problems);
  return { st, problems };
}

/** A limit in ms (empty = none), or the reason it is not one. */
export function limitMs(raw: string, what: string): number | undefined | string {
  if (raw.trim() === '') return undefined;
  const v = Number(raw);
  return v > 0 && v <= 1e7 ? v : `${what} must be a positive number of ms (or empty), got "${raw}"`;
}

/** Check the typed (non-choice) fields but `assume`: set or clear each one's problem. */
export function numberProblems(st: PerfState, problems: Map<string, string>): void {
  const put = (k: string, p: string | null) => (p === null ? problems.delete(k) : problems.set(k, p));
  for (const [k, [what, min, max]] of Object.entries(LIMITS)) {
    const v = wholeNumber(st[k as keyof typeof LIMITS], what, min, max);
    put(k, typeof v === 'string' ? v : null);
  }
  if (st.ep !== 'auto') {
    const v = wholeNumber(st.ep, 'EP', 1, 4096);
    put('ep', typeof v === 'string' ? `${v} (or "auto")` : null);
  } else put('ep', null);
  put(
    'overlap',
    validOverlap(st.overlap)
      ? null
      : `Overlap must be a fraction from 0 to 1 (0 = none hidden), got "${st.overlap}"`,
  );
  for (const [k, what] of [
    ['tpot', 'TPOT limit'],
    ['ttft', 'TTFT limit'],
  ] as const) {
    const v = limitMs(st[k], what);
    put(k, typeof v === 'string' ? v : null);
  }
}

/** Is a typed overlap share valid: a number from 0 to 1 (0 = none hidden)? */
export const validOverlap = (raw: string): boolean => {
  const o = raw.trim();
  return o !== '' && Number(o) >= 0 && Number(o) <= 1;
};

/**
 * The workload's overlap fields from a valid share and kind: set only where they differ from perf's
 * defaults (none hidden, the first kind), as the CLI leaves --overlap/--overlap-kind unset.
 */
export function overlapFields(overlap: string, kind: string): Pick<Workload, 'overlap' | 'overlapKind'> {
  const w: Pick<Workload, 'overlap' | 'overlapKind'> = {};
  if (Number(overlap) > 0) w.overlap = Number(overlap);
  if (kind !== choices.overlapKinds[0]) w.overlapKind = kind as OverlapKind;
  return w;
}

/** The system simulated: a catalogue system, or `CHIP:N` built from a chip. */
export const systemSpec = (st: PerfState): string =>
  st.chip === 'none' ? st.system : `${st.chip}:${st.count}`;

/** The simulator's workload for a setup without problems (`assumed`: its parsed `assume`). */
export function perfWorkload(st: PerfState, assumed: Assumed): Workload {
  const system = systemSpec(st);
  // EP auto: left to perf, which picks the smallest EP that fits (fewest chips), as the CLI does;
  // a dense model has no experts to spread (EP 1)
  const epN = st.ep === 'auto' ? (isMoe(st.model) ? undefined : 1) : Number(st.ep);
  const w: Workload = {
    model: st.model,
    system,
    phase: st.phase as 'decode' | 'prefill',
    batch: Number(st.batch),
    seqLen: Number(st.seq),
    weights: st.weights === 'auto' ? nativeEightBit(system) : st.weights,
    kv: st.kv,
    tp: Number(st.tp),
    pp: Number(st.pp),
    ...overlapFields(st.overlap, st['overlap-kind']),
  };
  if (epN !== undefined) w.ep = epN;
  if (st.attn !== 'same') w.attentionWeights = st.attn;
  if (st.acts !== 'same') w.activations = st.acts;
  if (Object.keys(assumed).length) w.assume = assumed;
  return w;
}

/**
 * At navigation: start the perf worker on the page's first simulation (the page takes its answer).
 * Not when the link has a problem or assumptions (the page parses those with perf's own parser).
 */
export function startPerf(): void {
  const { st, problems } = readPerfState();
  if (problems.size > 0 || st.assume.trim() !== '') return;
  prefetch('perf', perfWorkload(st, {}));
}
