/**
 * @module web/perf-worker
 * The performance simulator's Web Worker (Performance, Compare and the validation table): its own
 * bundle, one file (src/perf, the catalogue and their data; no quantization, ONNX or kernels code),
 * started by the router at navigation to Performance with the page's first simulation
 * (perf-state.ts), so it boots while the page loads. Tasks are answered in the order they arrive.
 */
import {
  chipPower,
  createPerfData,
  num,
  type PerfData,
  PerfFitError,
  type PerfResult,
  resolveSystem,
  runValidation,
  serveSearch,
  simulate,
  type Workload,
} from '../../perf/index.js';
import * as data from './data.js';
import { serve } from './serve.js';
import type { PerfTaskName, Tasks } from './tasks.js';

/** The catalogue and perf data (bundled with this worker, checked at build), built on the first task. */
let perfData: PerfData | undefined;
function perfInputs() {
  perfData ??= createPerfData(data.PERF_FILES);
  return { perf: perfData, cat: data.getCatalog() };
}

/** perf's simulation, or its `PerfFitError` (memory first: the shortfall and the smallest fit) as an answer. */
function simulateOrFit(
  perf: PerfData,
  cat: ReturnType<typeof import('./data.js')['getCatalog']>,
  workload: Workload,
): Tasks['perf']['res'] {
  try {
    return { ok: true, result: simulate(perf, cat, workload) as PerfResult };
  } catch (err) {
    if (!(err instanceof PerfFitError)) throw err;
    const s = err.smallest;
    return {
      ok: false,
      message: err.message,
      memory: err.memory,
      smallest: s ? { tp: s.tp, ep: s.ep, pp: s.pp, chips: s.chips } : null,
    };
  }
}

serve<PerfTaskName>({
  async perf(workload) {
    const { perf, cat } = perfInputs();
    return simulateOrFit(perf, cat, workload);
  },
  async setup({ workload, tpotMaxMs, ttftMaxMs }) {
    const { perf, cat } = perfInputs();
    const outcome = simulateOrFit(perf, cat, workload);
    const sys = resolveSystem(perf, cat, workload.system, workload.assume ?? {});
    const pue = outcome.ok ? outcome.result.energy.pue : (workload.energy?.pue ?? num(perf.energy.pue));
    const idleWallW =
      sys.chip.powerW === null || sys.overheadWPerChip === null
        ? null
        : (chipPower(perf, sys.chip.powerW, { compute: 0, memory: 0, network: 0 }) + sys.overheadWPerChip) *
          pue;
    const res: Tasks['setup']['res'] = {
      outcome,
      idleWallW,
      rental: sys.rental,
      lifetimeYears: num(perf.energy.lifetimeYears),
    };
    if (tpotMaxMs !== undefined || ttftMaxMs !== undefined) {
      const { phase: _p, batch: _b, tp: _t, ep: _e, pp: _pp, ...base } = workload;
      const opts: { tpotMaxMs?: number; ttftMaxMs?: number } = {};
      if (tpotMaxMs !== undefined) opts.tpotMaxMs = tpotMaxMs;
      if (ttftMaxMs !== undefined) opts.ttftMaxMs = ttftMaxMs;
      res.serveBest = serveSearch(perf, cat, base, opts).best;
    }
    return res;
  },
  async serve({ base, tpotMaxMs, ttftMaxMs, outputLen }) {
    const { perf, cat } = perfInputs();
    const opts: { tpotMaxMs?: number; ttftMaxMs?: number; outputLen?: number } = {};
    if (tpotMaxMs !== undefined) opts.tpotMaxMs = tpotMaxMs;
    if (ttftMaxMs !== undefined) opts.ttftMaxMs = ttftMaxMs;
    if (outputLen !== undefined) opts.outputLen = outputLen;
    return serveSearch(perf, cat, base, opts);
  },
  async validation() {
    const { perf, cat } = perfInputs();
    return runValidation(perf, cat);
  },
});
