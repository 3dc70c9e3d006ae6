/**
 * @module web/pages/compare
 * Compare anything: any number of pinned setups (model, system or CHIP:N, formats, batch,
 * sequence, overlap, SLA), simulated by perf in the worker and shown side by side with the rows that
 * differ highlighted; and a cost-of-ownership view ($/Mtok and J/token per setup) whose
 * assumptions (electricity price, PUE, utilisation, amortisation) start at perf's data
 * (data/perf/energy.json) and can be edited. Every pin and assumption is in the URL.
 */
import * as Plot from '@observablehq/plot';
import { createPerfData, num, type PerfData, parseAssume } from '../../../perf/index.js';
import { type TcoAssumptions, tco } from '../../../web/tco.js';
import { AXES, chartBlock, PLOT_STYLE, plotWidth, X_LABEL } from '../chart.js';
import { run } from '../client.js';
import { getCatalog, PERF_FILES } from '../data.js';
import { debounce, field, fill, fmt, h, select } from '../dom.js';
import {
  choices,
  FORMAT_IDS,
  nativeEightBit,
  overlapFields,
  systemName,
  validOverlap,
} from '../perf-state.js';
import { current, setList, update } from '../state.js';
import { dataTable } from '../table.js';
import type { SetupRequest, SetupResult } from '../tasks.js';

/** The fields of a setup, in the order they are shown; `pin` URL values are these as a query string. */
const FIELDS = [
  'model',
  'system',
  'phase',
  'batch',
  'seq',
  'weights',
  'kv',
  'overlap',
  'overlap-kind',
  'tpot',
  'ttft',
  'assume',
] as const;
type Field = (typeof FIELDS)[number];
type Setup = Record<Field, string>;

const LABELS: Record<Field, string> = {
  model: 'Model',
  system: 'System',
  phase: 'Phase',
  batch: 'Batch',
  seq: 'Sequence length',
  weights: 'Weights',
  kv: 'KV cache',
  overlap: 'Communication hidden (0 to 1)',
  'overlap-kind': 'What hides it',
  tpot: 'TPOT limit (ms)',
  ttft: 'TTFT limit (ms)',
  assume: 'Assumed figures',
};

const DEFAULT: Setup = {
  model: 'deepseek-v3',
  system: 'cloudmatrix-384',
  phase: 'decode',
  batch: '64',
  seq: '4096',
  weights: 'auto',
  kv: 'bf16',
  overlap: '0',
  'overlap-kind': choices.overlapKinds[0],
  tpot: '',
  ttft: '',
  assume: '',
};

const pinOf = (s: Setup) => {
  const q = new URLSearchParams();
  for (const f of FIELDS)
    if (f === 'model' || f === 'system' || (s[f] !== '' && s[f] !== DEFAULT[f])) q.set(f, s[f]);
  return q.toString();
};
const setupOf = (pin: string): Setup => {
  const q = new URLSearchParams(pin);
  const s = { ...DEFAULT };
  for (const f of FIELDS) {
    const v = q.get(f);
    if (v !== null) s[f] = v;
  }
  return s;
};

/** Presets: lists of pins (the CloudMatrix 384 vs GB200 NVL72 comparison is the first). */
export const PRESETS: [string, Partial<Setup>[]][] = [
  [
    'CloudMatrix 384 vs GB200 NVL72 (DeepSeek-V3 decode)',
    [{ system: 'cloudmatrix-384' }, { system: 'gb200-nvl72' }],
  ],
  [
    'H20 vs H100 vs 16 x Ascend 910C (Qwen3-235B decode)',
    [
      { model: 'qwen3-235b-a22b', system: 'hgx-h20-8' },
      { model: 'qwen3-235b-a22b', system: 'hgx-h100-8' },
      { model: 'qwen3-235b-a22b', system: 'ascend-910c:16' },
    ],
  ],
  [
    'One system, three weight formats',
    [
      { system: 'gb200-nvl72', weights: 'bf16' },
      { system: 'gb200-nvl72', weights: 'fp8' },
      { system: 'gb200-nvl72', weights: 'nvfp4' },
    ],
  ],
];

/** A setup's problems (empty when it can be simulated): each names the field and the value. */
function problemsOf(s: Setup): string[] {
  const cat = getCatalog();
  const out: string[] = [];
  if (!cat.models.some((m) => m.id === s.model)) out.push(`model "${s.model}" is not in the catalogue`);
  const m = /^(.+):(\d+)$/.exec(s.system);
  if (m) {
    if (!cat.accelerators.some((a) => a.id === m[1])) out.push(`chip "${m[1]}" is not in the catalogue`);
    const n = Number(m[2]);
    if (!(Number.isSafeInteger(n) && n >= 1 && n <= 1_000_000))
      out.push(`chip count ${m[2]} must be from 1 to 1,000,000`);
  } else if (!cat.systems.some((x) => x.id === s.system))
    out.push(`system "${s.system}" is not in the catalogue (or CHIP:N)`);
  if (s.phase !== 'decode' && s.phase !== 'prefill') out.push(`phase "${s.phase}" is not decode or prefill`);
  for (const [f, max] of [
    ['batch', 1e6],
    ['seq', 1e7],
  ] as const) {
    const v = Number(s[f]);
    if (!/^\d+$/.test(s[f]) || !(v >= 1 && v <= max))
      out.push(
        `${LABELS[f].toLowerCase()} "${s[f]}" must be a whole number from 1 to ${max.toLocaleString()}`,
      );
  }
  if (s.weights !== 'auto' && !FORMAT_IDS.includes(s.weights))
    out.push(`weight format "${s.weights}" is not one of perf's formats`);
  if (!FORMAT_IDS.includes(s.kv)) out.push(`KV-cache format "${s.kv}" is not one of perf's formats`);
  if (!validOverlap(s.overlap))
    out.push(`communication hidden "${s.overlap}" must be a fraction from 0 to 1 (0 = none hidden)`);
  if (!choices.overlapKinds.includes(s['overlap-kind']))
    out.push(`overlap kind "${s['overlap-kind']}" is not one of ${choices.overlapKinds.join(', ')}`);
  for (const f of ['tpot', 'ttft'] as const) {
    if (s[f] === '') continue;
    const v = Number(s[f]);
    if (!(v > 0 && v <= 1e7)) out.push(`${LABELS[f]} "${s[f]}" must be a positive number of ms (or empty)`);
  }
  try {
    parseAssume(assumeList(s.assume));
  } catch (e) {
    out.push((e as Error).message.replace(/^--assume:? ?/, 'assumed figures: '));
  }
  return out;
}

const assumeList = (raw: string) =>
  raw
    .split(/[,\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);

function requestOf(s: Setup, pue: number): SetupRequest {
  const req: SetupRequest = {
    workload: {
      model: s.model,
      system: s.system,
      phase: s.phase as 'decode' | 'prefill',
      batch: Number(s.batch),
      seqLen: Number(s.seq),
      weights: s.weights === 'auto' ? nativeEightBit(s.system) : s.weights,
      kv: s.kv,
      energy: { pue },
    },
  };
  const assumed = parseAssume(assumeList(s.assume));
  if (Object.keys(assumed).length) req.workload.assume = assumed;
  Object.assign(req.workload, overlapFields(s.overlap, s['overlap-kind']));
  if (s.tpot !== '') req.tpotMaxMs = Number(s.tpot);
  if (s.ttft !== '') req.ttftMaxMs = Number(s.ttft);
  return req;
}

/** The TCO defaults, read from perf's data (data/perf/energy.json), never restated here. */
function energyDefaults(perf: PerfData) {
  const prices = Object.entries(perf.energy.electricityUsdPerKWh).map(([region, f]) => `${region} ${num(f)}`);
  return {
    pue: num(perf.energy.pue),
    lifetimeYears: num(perf.energy.lifetimeYears),
    prices: prices.join(', '),
    utilisation: 100,
  };
}

interface Row {
  key: string;
  label: string;
  values: string[];
  /** Compared for the highlight (numbers within 1% count as equal). */
  raw: (string | number | null)[];
}

const differs = (r: Row) => {
  const v = r.raw;
  if (v.every((x) => typeof x === 'number')) {
    const n = v as number[];
    const lo = Math.min(...n);
    const hi = Math.max(...n);
    return hi - lo > 0.01 * Math.max(Math.abs(hi), Math.abs(lo));
  }
  return new Set(v.map((x) => String(x))).size > 1;
};

/** The Compare page. */
export function renderCompare(root: HTMLElement): void {
  const cat = getCatalog();
  const perf = createPerfData(PERF_FILES);
  const defaults = energyDefaults(perf);
  const params = current().params;
  let pins = params.getAll('pin');
  if (pins.length === 0) {
    pins = PRESETS[0]![1].map((p) => pinOf({ ...DEFAULT, ...p }));
    setList('pin', pins);
  }
  const tcoRaw = {
    elec: params.get('elec') ?? '',
    pue: params.get('pue') ?? String(defaults.pue),
    util: params.get('util') ?? String(defaults.utilisation),
    life: params.get('life') ?? String(defaults.lifetimeYears),
  };
  const results = new Map<string, SetupResult | Error>();
  const status = h('p', { class: 'status', 'aria-live': 'polite' });
  const pinsOut = h('div', { id: 'pins-out' });
  const tcoOut = h('div', { id: 'tco-out' });
  const tcoErr = h('div', { class: 'error', role: 'alert', hidden: true, id: 'tco-problems' });
  let generation = 0;

  const tcoAssumptions = ():
    | { a: Omit<TcoAssumptions, 'electricityUsdPerKWh'> & { elec: number | null }; pue: number }
    | string[] => {
    const bad: string[] = [];
    const pue = Number(tcoRaw.pue);
    if (!(pue >= 1 && pue <= 5)) bad.push(`PUE "${tcoRaw.pue}" must be from 1 to 5`);
    const util = Number(tcoRaw.util);
    if (!(util > 0 && util <= 100))
      bad.push(`utilisation "${tcoRaw.util}" must be above 0 and at most 100 (%)`);
    const life = Number(tcoRaw.life);
    if (!(life > 0 && life <= 30))
      bad.push(`amortisation "${tcoRaw.life}" must be above 0 and at most 30 years`);
    let elec: number | null = null;
    if (tcoRaw.elec.trim() !== '') {
      elec = Number(tcoRaw.elec);
      if (!(elec >= 0 && elec <= 10))
        bad.push(`electricity price "${tcoRaw.elec}" must be from 0 to 10 USD/kWh (or empty)`);
    }
    if (bad.length) return bad;
    return { a: { utilisation: util / 100, lifetimeYears: life, elec }, pue };
  };
  const tcoControls = new Map<string, HTMLInputElement>();

  const drawPins = () => {
    const setups = pins.map(setupOf);
    const probs = setups.map(problemsOf);
    const names = setups.map((s, i) => `${i + 1}: ${nameOf(s)}`);
    const ta = tcoAssumptions();
    const pue = Array.isArray(ta) ? defaults.pue : ta.pue;
    const res = setups.map((_s, i) => (probs[i]!.length ? null : results.get(`${pins[i]}|${pue}`)));
    const rows: Row[] = FIELDS.map((f) => ({
      key: f,
      label: LABELS[f],
      values: setups.map((s) => displayField(f, s)),
      raw: setups.map((s) => displayField(f, s)),
    }));
    const out = (
      key: string,
      label: string,
      get: (r: SetupResult, i: number) => number | string | null,
      digits = 4,
    ) => {
      const raw = res.map((r, i) => (r && !(r instanceof Error) ? get(r, i) : null));
      rows.push({
        key,
        label,
        raw,
        values: raw.map((v, i) => {
          if (probs[i]!.length) return `not simulated: ${probs[i]!.join('; ')}`;
          const r = res[i];
          if (r === undefined || r === null) return '...';
          if (r instanceof Error) return `error: ${r.message}`;
          if (v === null) return r.outcome.ok ? 'unknown' : '-';
          return typeof v === 'number' ? fmt(v, digits) : v;
        }),
      });
    };
    const ok = (r: SetupResult) => (r.outcome.ok ? r.outcome.result : null);
    out('fits', 'Fits in memory', (r) => (r.outcome.ok ? 'yes' : `no: ${r.outcome.message}`));
    out('parallel', 'Deployment (perf: smallest that fits)', (r) => {
      const p = ok(r)?.parallel;
      return p ? `TP ${p.tp} EP ${p.ep} PP ${p.pp} (${p.chips} chips)` : null;
    });
    out('memory', 'Memory per chip GB (used / capacity)', (r) =>
      r.outcome.ok
        ? `${fmt(r.outcome.result.memory.totalGB, 4)} / ${fmt(r.outcome.result.memory.capacityGB, 4)}`
        : `${fmt(r.outcome.memory.totalGB, 4)} / ${fmt(r.outcome.memory.capacityGB, 4)}`,
    );
    out('tps-chip', 'Tokens/s per chip', (r) => ok(r)?.tokensPerSecPerChip ?? null);
    out('tps-system', 'Tokens/s per system', (r) => ok(r)?.tokensPerSecPerSystem ?? null);
    out('ttft', 'TTFT ms', (r) => (ok(r) ? ok(r)!.ttftS * 1e3 : null));
    out('tpot', 'TPOT ms', (r) => {
      const t = ok(r)?.tpotS;
      return t === undefined || t === null ? null : t * 1e3;
    });
    out('sla', 'Meets the SLA', (r, i) => {
      const x = ok(r);
      if (!x) return null;
      const s = setups[i]!;
      if (s.tpot === '' && s.ttft === '') return 'no limit given';
      const miss: string[] = [];
      if (s.tpot !== '' && x.tpotS !== null && x.tpotS * 1e3 > Number(s.tpot))
        miss.push(`TPOT ${fmt(x.tpotS * 1e3, 3)} > ${s.tpot} ms`);
      if (s.ttft !== '' && x.ttftS * 1e3 > Number(s.ttft))
        miss.push(`TTFT ${fmt(x.ttftS * 1e3, 3)} > ${s.ttft} ms`);
      return miss.length ? `no: ${miss.join(', ')}` : 'yes';
    });
    out('serve-best', 'Best within the SLA (perf serving search)', (r) => {
      if (r.serveBest === undefined) return 'no limit given';
      const b = r.serveBest;
      return b
        ? `${fmt(b.tokensPerSecPerChip, 4)} tokens/s per chip at batch ${b.batch}, TP ${b.tp} EP ${b.ep} PP ${b.pp}, TPOT ${fmt(b.tpotMs, 3)} ms`
        : 'nothing meets the limits';
    });
    out('bottleneck', 'Bottleneck', (r) => ok(r)?.bottleneck ?? null);
    const table = dataTable({
      name: 'compare-setups',
      caption: `Pinned setups side by side (perf, in your browser). Rows that differ between setups are highlighted.`,
      columns: [
        { key: 'label', label: 'Setup', value: (r: Row) => r.label },
        ...names.map((n, j) => ({
          key: `p${j}`,
          label: n,
          value: (r: Row) => r.values[j] ?? '',
          render: (r: Row) => h('span', { 'data-pin': j, 'data-row': r.key }, r.values[j] ?? ''),
        })),
      ],
      rows,
      rowAttrs: (r) => ({
        'data-key': r.key,
        ...(pins.length > 1 && differs(r) ? { class: 'differs' } : {}),
      }),
    });
    fill(
      pinsOut,
      h(
        'ul',
        { class: 'pins' },
        names.map((n, j) =>
          h(
            'li',
            null,
            n,
            ' ',
            h(
              'button',
              {
                type: 'button',
                'data-remove': j,
                'aria-label': `Remove setup ${n}`,
                onclick: () => setPins(pins.filter((_, k) => k !== j)),
              },
              'Remove',
            ),
          ),
        ),
      ),
      table,
    );
    drawTco(setups, probs, res, ta);
  };

  const drawTco = (
    setups: Setup[],
    probs: string[][],
    res: (SetupResult | Error | undefined | null)[],
    ta: ReturnType<typeof tcoAssumptions>,
  ) => {
    for (const [k, el] of tcoControls) {
      const bad = Array.isArray(ta) && ta.some((m) => m.toLowerCase().includes(k));
      if (bad) el.setAttribute('aria-invalid', 'true');
      else el.removeAttribute('aria-invalid');
    }
    tcoErr.hidden = !Array.isArray(ta);
    if (Array.isArray(ta)) {
      fill(
        tcoErr,
        h('strong', null, 'Nothing is priced until these are fixed:'),
        h(
          'ul',
          null,
          ta.map((m) => h('li', null, m)),
        ),
      );
      fill(tcoOut);
      return;
    }
    interface TcoRow {
      setup: string;
      tps: number | null;
      servingW: number | null;
      idleW: number | null;
      elec: number | null;
      jpt: number | null;
      capital: number | null;
      elecH: number | null;
      usd: number | null;
      why: string;
    }
    const rows: TcoRow[] = setups.map((s, i) => {
      const r = res[i];
      const base = {
        setup: `${i + 1}: ${nameOf(s)}`,
        tps: null,
        servingW: null,
        idleW: null,
        elec: null,
        jpt: null,
        capital: null,
        elecH: null,
        usd: null,
      };
      if (probs[i]!.length) return { ...base, why: 'not simulated (see above)' };
      if (!r) return { ...base, why: '...' };
      if (r instanceof Error) return { ...base, why: r.message };
      if (!r.outcome.ok) return { ...base, why: 'does not fit: no speed, so no cost per token' };
      const x = r.outcome.result;
      const e = x.energy;
      if (e.wallW === null || r.idleWallW === null)
        return { ...base, tps: x.tokensPerSecPerChip, why: 'chip power unknown' };
      const price = ta.a.elec ?? e.electricityUsdPerKWh;
      const t = tco(
        {
          tokensPerSecPerChip: x.tokensPerSecPerChip,
          servingWallW: e.wallW,
          idleWallW: r.idleWallW,
          usdPerChipHour: e.usdPerChipHour,
          rental: r.rental,
          lifetimeYears0: r.lifetimeYears,
        },
        { electricityUsdPerKWh: price, utilisation: ta.a.utilisation, lifetimeYears: ta.a.lifetimeYears },
      );
      return {
        setup: base.setup,
        tps: x.tokensPerSecPerChip,
        servingW: e.wallW,
        idleW: r.idleWallW,
        elec: price,
        jpt: t.joulesPerToken,
        capital: t.capitalUsdPerHour,
        elecH: t.electricityUsdPerHour,
        usd: t.usdPerMtok,
        why:
          t.usdPerMtok === null ? 'no price for this system' : r.rental ? 'rental rate (pays for power)' : '',
      };
    });
    const n = (k: keyof TcoRow, label: string, digits = 4) => ({
      key: k,
      label,
      numeric: true,
      value: (r: TcoRow) => r[k] as number | null,
      render: (r: TcoRow) => h('span', { 'data-tco': k }, r[k] === null ? '-' : fmt(r[k] as number, digits)),
    });
    const table = dataTable({
      name: 'compare-tco',
      caption: `Cost of ownership per chip: PUE ${ta.pue}, utilisation ${fmt(ta.a.utilisation * 100, 3)}%, capital over ${ta.a.lifetimeYears} years, electricity ${ta.a.elec === null ? `by region (${defaults.prices} USD/kWh)` : `${ta.a.elec} USD/kWh`}.`,
      columns: [
        { key: 'setup', label: 'Setup', value: (r: TcoRow) => r.setup },
        n('usd', '$/Mtok'),
        n('jpt', 'J/token'),
        n('tps', 'Tokens/s per chip'),
        n('servingW', 'Wall W serving'),
        n('idleW', 'Wall W idle'),
        n('capital', 'Capital $/chip-hour'),
        n('elecH', 'Electricity $/chip-hour'),
        n('elec', 'USD/kWh'),
        { key: 'why', label: 'Note', value: (r: TcoRow) => r.why },
      ],
      rows,
      rowAttrs: (r) => ({ 'data-setup': r.setup }),
    });
    const priced = rows.filter((r) => r.usd !== null);
    let chart: HTMLElement | null = null;
    if (priced.length) {
      const bars = priced.map((r) => ({ ...r, n: `#${r.setup.split(':')[0]}` }));
      const plot = Plot.plot({
        style: PLOT_STYLE,
        ...AXES,
        width: plotWidth(),
        height: 70 + priced.length * 30,
        marginLeft: 40,
        x: { label: '$ per million tokens', grid: true, nice: true, ...X_LABEL },
        y: { label: 'setup', domain: bars.map((b) => b.n) },
        marks: [
          Plot.barX(bars, {
            x: 'usd',
            y: 'n',
            fill: '#0072b2',
            tip: true,
            title: (r: (typeof bars)[number]) =>
              `${r.setup}\n${fmt(r.usd, 4)} $/Mtok\n${fmt(r.jpt, 4)} J/token`,
          }),
          Plot.ruleX([0]),
        ],
      });
      chart = chartBlock(
        '$/Mtok by setup',
        plot,
        priced.map((r) => `${r.setup}: ${fmt(r.usd, 3)} $/Mtok, ${fmt(r.jpt, 3)} J/token`).join('; '),
        undefined,
        {
          name: 'compare-tco',
          scenario: `PUE ${ta.pue}; utilisation ${ta.a.utilisation}; lifetime ${ta.a.lifetimeYears} y; electricity ${ta.a.elec ?? 'by region'}; model estimate (perf) with data/perf/energy.json assumptions`,
          columns: ['setup', 'usd per Mtok', 'J per token', 'tokens/s per chip', 'confidence'],
          rows: priced.map((r) => [r.setup, r.usd, r.jpt, r.tps, 'model estimate']),
        },
      );
    }
    fill(
      tcoOut,
      h(
        'p',
        { class: 'formula' },
        'average wall W = u x serving W + (1 - u) x idle W; J/token = average W / (tokens/s x u); capital $/h = price per chip / (years x 8760); electricity $/h = average W / 1000 x USD/kWh; $/Mtok = (capital + electricity) $/h / (tokens/s x 3600 x u / 10^6). With u = 100% and the data\u2019s lifetime these are perf\u2019s own J/token and $/Mtok.',
      ),
      table,
      chart,
    );
  };

  const compute = () => {
    const mine = ++generation;
    const ta = tcoAssumptions();
    const pue = Array.isArray(ta) ? defaults.pue : ta.pue;
    const todo = pins.filter((p) => problemsOf(setupOf(p)).length === 0 && !results.has(`${p}|${pue}`));
    drawPins();
    if (todo.length === 0) {
      status.textContent = '';
      return;
    }
    status.textContent = `Simulating ${todo.length} setup${todo.length > 1 ? 's' : ''} in the worker...`;
    let left = todo.length;
    for (const p of todo) {
      run('setup', requestOf(setupOf(p), pue))
        .then(
          (r) => results.set(`${p}|${pue}`, r),
          (e: Error) => results.set(`${p}|${pue}`, e),
        )
        .finally(() => {
          if (mine !== generation) return;
          if (--left === 0)
            status.textContent = `Simulated ${todo.length} setup${todo.length > 1 ? 's' : ''}.`;
          drawPins();
        });
    }
  };
  const setPins = (next: string[]) => {
    pins = next;
    setList('pin', pins);
    compute();
  };

  // the form that pins a new setup
  const draft: Setup = { ...DEFAULT };
  const chipSel = { chip: 'none', count: '16' };
  const formErr = h('p', { class: 'error', role: 'alert', hidden: true, id: 'pin-error' });
  const sel = (f: Field, options: [string, string][]) => {
    const el = select(options, draft[f], (v) => {
      draft[f] = v;
    });
    el.id = `pin-${f}`;
    return field(LABELS[f], el);
  };
  const text = (f: Field, hint?: string) => {
    const el = h('input', { type: 'text', id: `pin-${f}`, value: draft[f], size: f === 'assume' ? 22 : 8 });
    el.addEventListener('input', () => {
      draft[f] = el.value.trim();
    });
    return field(LABELS[f], el, hint);
  };
  const chipField = field(
    'Or build the system from a chip',
    (() => {
      const el = select(
        [
          ['none', 'no: use the system above'],
          ...cat.accelerators.map((a): [string, string] => [a.id, cat.displayName(a)]),
        ],
        'none',
        (v) => {
          chipSel.chip = v;
        },
      );
      el.id = 'pin-chip';
      return el;
    })(),
  );
  const countEl = h('input', {
    type: 'text',
    id: 'pin-count',
    value: chipSel.count,
    size: 6,
    inputmode: 'numeric',
  });
  countEl.addEventListener('input', () => {
    chipSel.count = countEl.value.trim();
  });
  const pinIt = () => {
    const s: Setup = {
      ...draft,
      system: chipSel.chip === 'none' ? draft.system : `${chipSel.chip}:${chipSel.count}`,
    };
    const p = problemsOf(s);
    formErr.hidden = p.length === 0;
    formErr.textContent = p.length ? `Not pinned: ${p.join('; ')}` : '';
    if (p.length) return;
    setPins([...pins, pinOf(s)]);
  };

  const tcoInput = (k: keyof typeof tcoRaw, label: string, hint: string) => {
    const el = h('input', { type: 'text', id: `tco-${k}`, value: tcoRaw[k], size: 8, inputmode: 'decimal' });
    el.addEventListener('input', () => {
      tcoRaw[k] = el.value.trim();
      update({ [k]: tcoRaw[k] });
      later();
    });
    tcoControls.set({ elec: 'electricity', pue: 'pue', util: 'utilisation', life: 'amortisation' }[k], el);
    return field(label, el, hint);
  };
  const later = debounce(compute, 150);

  root.append(
    h('h1', { id: 'page-title', tabindex: -1 }, 'Compare'),
    h(
      'p',
      { class: 'lede' },
      'Pin any number of setups (model, system or N chips of one kind, formats, batch, SLA) and see them side by side, simulated by the same perf code as the CLI in your browser. Parallelism is perf\u2019s smallest deployment that fits; a setup that does not fit shows why, never a speed.',
    ),
    h(
      'div',
      { class: 'downloads' },
      'Presets: ',
      PRESETS.map(([label, list]) =>
        h(
          'button',
          {
            type: 'button',
            'data-preset': label,
            onclick: () => setPins(list.map((p) => pinOf({ ...DEFAULT, ...p }))),
          },
          label,
        ),
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'pin-h' },
      h('h2', { id: 'pin-h' }, 'Pin a setup'),
      h(
        'div',
        { class: 'controls' },
        sel(
          'model',
          cat.models.map((m): [string, string] => [m.id, cat.displayName(m)]),
        ),
        sel(
          'system',
          cat.systems.map((s): [string, string] => [s.id, cat.displayName(s)]),
        ),
        chipField,
        field('Chip count (N)', countEl),
        sel('phase', [
          ['decode', 'decode'],
          ['prefill', 'prefill'],
        ]),
        text('batch'),
        text('seq'),
        sel('weights', [['auto', 'auto (native 8-bit)'], ...FORMAT_IDS.map((f): [string, string] => [f, f])]),
        sel(
          'kv',
          FORMAT_IDS.map((f): [string, string] => [f, f]),
        ),
        text('overlap', '0 = none hidden'),
        sel(
          'overlap-kind',
          choices.overlapKinds.map((k): [string, string] => [k, k]),
        ),
        text('tpot', 'empty = no limit'),
        text('ttft', 'empty = no limit'),
        text('assume', 'FIELD=VALUE, for a chip with missing figures'),
      ),
      h('button', { type: 'button', id: 'pin-add', onclick: pinIt }, 'Pin this setup'),
      formErr,
    ),
    h(
      'section',
      { 'aria-labelledby': 'pins-h' },
      h('h2', { id: 'pins-h' }, 'Pinned setups'),
      status,
      pinsOut,
    ),
    h(
      'section',
      { 'aria-labelledby': 'tco-h' },
      h('h2', { id: 'tco-h' }, 'Cost of ownership: $/Mtok and J/token'),
      h(
        'p',
        { class: 'lede' },
        `The assumptions start at perf\u2019s data (data/perf/energy.json: PUE ${defaults.pue}, capital over ${defaults.lifetimeYears} years at full use, electricity by region ${defaults.prices} USD/kWh); edit them to see each setup\u2019s cost move.`,
      ),
      h(
        'div',
        { class: 'controls' },
        tcoInput('elec', 'Electricity USD/kWh', `empty = by region (${defaults.prices})`),
        tcoInput('pue', 'PUE', `data: ${defaults.pue}`),
        tcoInput('util', 'Utilisation %', 'share of hours serving at the simulated speed'),
        tcoInput('life', 'Amortisation years', `data: ${defaults.lifetimeYears}`),
      ),
      tcoErr,
      tcoOut,
    ),
  );
  compute();
}

function modelName(id: string): string {
  const cat = getCatalog();
  const model = cat.models.find((m) => m.id === id);
  return model ? cat.displayName(model) : id;
}

/** A system's name, or the id as typed when it is not valid (listed as a problem). */
function sysName(id: string): string {
  try {
    return systemName(id);
  } catch {
    return id;
  }
}

function nameOf(s: Setup): string {
  return `${modelName(s.model)} on ${sysName(s.system)}`;
}

function displayField(f: Field, s: Setup): string {
  if (f === 'model') return modelName(s.model);
  if (f === 'system') return sysName(s.system);
  if (f === 'weights' && s.weights === 'auto') {
    try {
      return `auto (${nativeEightBit(s.system)})`;
    } catch {
      return 'auto';
    }
  }
  return s[f] === '' ? '-' : s[f];
}
